import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { migrationMode, migrationRules } from '../src/index.js';

type Profile = Record<string, unknown>;
const goal = (g: string, extra: Profile = {}): Profile => ({ goal: g, ...extra });
const db = (sharding?: string, extra: Profile = {}) => goal('DB Migration', { data: { primary_store: 'postgres', ...(sharding ? { sharding_model: sharding } : {}) }, ...extra });
const monolith = goal('Modernize Monolith', { stack: { repo_model: 'monorepo' } });

const RULE_ROWS: { rule: string; fires: Profile; not?: Profile; value?: unknown }[] = [
  { rule: 'migration/approach-strangler', fires: monolith, not: db(), value: 'strangler_fig' },
  { rule: 'migration/approach-expand-contract', fires: db(), not: monolith, value: 'expand-contract' },
  { rule: 'migration/phases-strangler', fires: goal('Decompose into microservices'), not: db(), value: ['identify_seam', 'decouple', 'route_traffic', 'retire_legacy'] },
  { rule: 'migration/phases-expand-contract', fires: db(), not: monolith, value: ['expand', 'migrate', 'contract'] },
  { rule: 'migration/rollback-route-back', fires: monolith, not: db(), value: 'route_back_to_legacy' },
  { rule: 'migration/rollback-backward-compatible', fires: db('shared_schema'), not: monolith, value: 'backward_compatible_schema' },
  { rule: 'migration/linter-atlas', fires: db(), not: goal('DB Migration', { data: { primary_store: 'mongodb' } }), value: 'atlas' },
  { rule: 'migration/tenancy-single', fires: db('db_per_tenant', { crm_profile: { multi_tenant: false } }), not: db('db_per_tenant'), value: 'single_run' },
  { rule: 'migration/tenancy-db-per-tenant', fires: db('db_per_tenant'), not: db('shared_schema'), value: 'per_tenant_waves_by_cohort' },
  { rule: 'migration/tenancy-hybrid', fires: db('hybrid'), not: db('shared_db'), value: 'per_shard_waves_then_shared' },
  { rule: 'migration/tenancy-shared', fires: db('shared_schema'), not: db('hybrid'), value: 'once_behind_expand' },
  { rule: 'migration/tenancy-ask', fires: db(), not: db('shared_db'), value: 'pending_clarification' },
];

describe('migration rules', () => {
  it('has a test row for every rule', () => {
    expect(RULE_ROWS.map((r) => r.rule).sort()).toEqual(migrationRules.map((r) => r.id).sort());
  });
  it.each(RULE_ROWS)('$rule', ({ rule, fires, not, value }) => {
    const field = migrationRules.find((r) => r.id === rule)?.field ?? '';
    const run = runMode(migrationMode, fires);
    expect(run.decisions.get(field)?.rule).toBe(rule);
    if (value !== undefined) expect(run.decisions.get(field)?.value).toEqual(value);
    if (not) expect(runMode(migrationMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
});

describe('migration applicability', () => {
  it.each(['Handle DB Migrations', 'DB Migration', 'Schema changes without downtime', 'Database upgrade', 'Modernize Monolith', 'Break up the monolith', 'Move to microservices', 'Strangler fig'])('"%s" selects the mode', (g) => {
    expect(runMode(migrationMode, goal(g)).applies).toBe(true);
  });
  it.each(['Emergency Fix Process', 'DR Plan', 'Cost Control', 'Canary', 'Secure Runners', 'Release Policy'])('"%s" does not', (g) => {
    expect(runMode(migrationMode, goal(g)).applies).toBe(false);
  });
  it('a primary store alone is weak evidence', () => {
    expect(runMode(migrationMode, goal('Canary', { data: { primary_store: 'postgres' } })).applies).toBe(false);
  });
  it('asks about multi-tenancy', () => {
    expect(migrationMode.dependsOn.asks).toEqual(['multi_tenancy']);
  });
});

describe('migration artifacts', () => {
  const names = (p: Profile) => runMode(migrationMode, p).artifacts.map((a) => a.name);
  const artifact = (p: Profile, name: string) => runMode(migrationMode, p).artifacts.find((a) => a.name === name);
  const text = (p: Profile, name: string) => JSON.stringify(artifact(p, name)?.body);

  it('golden-02 files', () => {
    expect(names(db('shared_schema'))).toEqual(['migration_script.sql', 'migration_contract.sql', 'rollback_plan.md', 'schema_linter.yaml']);
  });
  it('golden-14 files', () => {
    expect(names(monolith)).toEqual(['strangler_pattern.md', 'ingress_routing.yaml', 'feature_flag_migration.yaml']);
  });
  it('expand script is additive, dual-writes and backfills in batches; the old column stays', () => {
    const body = artifact(db(), 'migration_script.sql')?.body;
    if (body?.format !== 'sql') throw new Error('not sql');
    const sql = body.statements.join('\n');
    expect(sql).toContain('ALTER TABLE users ADD COLUMN IF NOT EXISTS new_col VARCHAR(255)');
    expect(sql).toMatch(/LANGUAGE plpgsql/);
    expect(sql).toMatch(/LIMIT batch_size/);
    expect(sql).not.toMatch(/DROP COLUMN/);
  });
  it('contract script refuses to run before the backfill is complete', () => {
    expect(text(db(), 'migration_contract.sql')).toMatch(/RAISE EXCEPTION 'backfill incomplete/);
  });
  it('no PostgreSQL SQL for another engine, with a warning', () => {
    const profile = goal('DB Migration', { data: { primary_store: 'mysql' } });
    expect(names(profile)).toEqual(['rollback_plan.md', 'schema_linter.yaml']);
    expect(migrationMode.contribute(contextFor(profile)).warnings[0]).toMatch(/written for PostgreSQL/);
    expect(migrationMode.contribute(contextFor(db())).warnings).toEqual([]);
  });
  it('rollback plan reverts the app and stops writing new_col', () => {
    const body = text(db(), 'rollback_plan.md');
    expect(body).toContain('Revert the app version');
    expect(body).toContain('Stop writing to new_col');
  });
  it('rollback plan restores the previous digest through the config repository, never kubectl argo rollouts undo', () => {
    const body = text(db('shared_schema', { infra: { orchestrator: 'kubernetes' }, gitops_tool: 'argocd', cd_strategy: 'gitops' }), 'rollback_plan.md');
    expect(body).toContain('apps/crm-api/overlays/ENVIRONMENT/kustomization.yaml');
    expect(body).toContain('ringmaster rollback --config-repo');
    expect(body).toContain('Argo CD syncs it');
    expect(body).not.toMatch(/(?<!such as )`kubectl argo rollouts undo/);
    const services = [
      { name: 'crm-api', image: 'crm-api' },
      { name: 'crm-web', image: 'crm-web' },
    ];
    const several = text(db('shared_schema', { infra: { orchestrator: 'kubernetes' }, gitops_tool: 'argocd', cd_strategy: 'gitops', delivery: { services } }), 'rollback_plan.md');
    expect(several).toContain('apps/SERVICE/overlays/ENVIRONMENT/kustomization.yaml');
    expect(several).toContain('SERVICE: one of crm-api, crm-web');
    const vm = text(db('shared_schema', { infra: { orchestrator: 'vm' } }), 'rollback_plan.md');
    expect(vm).toContain("pipeline's deploy step");
    expect(vm).not.toContain('kubectl');
  });
  it('rollback plan stops the tenant wave for per-tenant databases', () => {
    expect(text(db('db_per_tenant'), 'rollback_plan.md')).toContain('Stop the tenant wave');
    expect(text(db('shared_schema'), 'rollback_plan.md')).not.toContain('Stop the tenant wave');
  });
  it.each([
    [{}, '.github/workflows/schema_linter.yml', 'github-workflow'],
    [{ ci_platform: 'GitLab CI' }, '.gitlab/ci/schema_linter.yml', 'gitlab-ci'],
  ])('schema linter follows the CI vendor (%j)', (extra, path, schema) => {
    const a = artifact(db(undefined, extra), 'schema_linter.yaml');
    expect(a?.path).toBe(path);
    if (a?.body.format !== 'yaml') throw new Error('not yaml');
    expect(a.body.schema).toBe(schema);
    expect(a.body.header).toContain('destructive');
    expect(JSON.stringify(a.body.documents)).toMatch(/migrate lint/);
  });
  it('ingress uses networking.k8s.io/v1 service backends, not serviceName', () => {
    const body = text(monolith, 'ingress_routing.yaml');
    expect(body).toContain('"apiVersion":"networking.k8s.io/v1"');
    expect(body).toContain('"service":{"name":"new-svc","port":{"number":80}}');
    expect(body).not.toContain('serviceName');
  });
  it('feature flag targets the first ring when rings are given', () => {
    const body = text(goal('Modernize Monolith', { release_policy: { ring_model: { enabled: true, rings: ['canary', 'ga'] } } }), 'feature_flag_migration.yaml');
    expect(body).toContain('use_new_service');
    expect(body).toContain('["canary"]');
    expect(body).toContain('"defaultVariant":"disabled"');
  });
  it('strangler pattern describes the proxy', () => {
    expect(text(monolith, 'strangler_pattern.md')).toContain('proxy');
  });
});

describe('schema linter per CI vendor', () => {
  const linter = (ci: string | undefined) => {
    const run = runMode(migrationMode, db('shared_schema', ci ? { ci_platform: ci } : {}));
    return { spec: run.artifacts.find((a) => a.name === 'schema_linter.yaml'), skipped: run.notGenerated };
  };
  it.each([
    { ci: 'GitHub Actions', path: '.github/workflows/schema_linter.yml', schema: 'github-workflow' },
    { ci: 'GitLab CI', path: '.gitlab/ci/schema_linter.yml', schema: 'gitlab-ci' },
    { ci: 'Azure DevOps', path: 'pipelines/schema-lint.yml', schema: 'azure-pipelines' },
    { ci: undefined, path: '.github/workflows/schema_linter.yml', schema: 'github-workflow' },
  ])('$ci -> $path', ({ ci, path, schema }) => {
    const { spec } = linter(ci);
    expect(spec?.path).toBe(path);
    expect(spec?.body.format === 'yaml' && spec.body.schema).toBe(schema);
    const text = JSON.stringify(spec?.body);
    // The dev database is reachable from the job: a service container or a container on the agent, never docker:// inside the Atlas container.
    expect(text).not.toContain('docker://');
    expect(text).toContain('--latest 1');
  });
  it('Jenkins gets no job of another CI system, and is told so', () => {
    const { spec, skipped } = linter('Jenkins');
    expect(spec).toBeUndefined();
    expect(skipped).toEqual([{ artifact: 'schema_linter.yaml', reason: expect.stringContaining('Jenkins') }]);
  });
  it('the strangler Ingress only on Kubernetes', () => {
    const onVms = runMode(migrationMode, { ...monolith, infra: { orchestrator: 'vm' } });
    expect(onVms.artifacts.map((a) => a.name)).toEqual(['strangler_pattern.md', 'feature_flag_migration.yaml']);
    expect(onVms.notGenerated.map((n) => n.artifact)).toEqual(['ingress_routing.yaml']);
    expect(runMode(migrationMode, { ...monolith, infra: { orchestrator: 'kubernetes' } }).artifacts.map((a) => a.name)).toContain('ingress_routing.yaml');
  });
});
