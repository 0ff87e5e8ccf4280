import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkGuardrails,
  createContainer,
  defineMode,
  engineFrom,
  GuardrailViolationError,
  KnowledgeBase,
  mergeDecisions,
  modeModule,
  ModeDefinitionError,
  ModeFailedError,
  rendererModule,
  UnresolvedTraceError,
  type ArtifactRenderer,
  ProfileInputError,
  type ModeDecision,
} from '../src/index.js';

/** A tiny knowledge base written for these tests. */
function testKb(): KnowledgeBase {
  const dir = mkdtempSync(join(tmpdir(), 'rm-kb-'));
  writeFileSync(join(dir, 'KB_01_architecture.md'), '# KB_01 — Architecture\n\nSummary.\n\n## Architecture\n\nText.\n\n## Build_Once\n\nText.\n');
  writeFileSync(join(dir, 'KB_04_supply_chain.md'), '# KB_04 — Supply chain\n\n## Signing\n\nText.\n');
  return new KnowledgeBase(dir);
}

/** Renders every body as its JSON: enough to exercise the engine without the real renderer. */
const jsonRenderer: ArtifactRenderer = { render: (spec) => ({ content: `${JSON.stringify(spec.body)}\n` }) };

const alpha = defineMode({
  id: 'alpha',
  title: 'Alpha',
  specMode: 1,
  kb: ['KB_01#Architecture'],
  dependsOn: { inputs: [], asks: ['cloud_provider'] },
  keywords: ['alpha*'],
  signals: [{ id: 'pain:costs', weight: 0.6, when: (p) => p.current_pain.includes('costs') }],
  rules: [
    { id: 'alpha/stages', field: 'pipeline_blueprint.stages', value: ['build', 'test'], why: 'Because.', kb: ['KB_01#Architecture'] },
    { id: 'alpha/cache-costly', field: 'pipeline_blueprint.caching_strategy', when: (c) => c.profile.current_pain.includes('costs'), value: 'aggressive', why: 'Costs hurt.', kb: ['KB_01#Build_Once'] },
    { id: 'alpha/cache', field: 'pipeline_blueprint.caching_strategy', value: 'scoped_keys', why: 'Default.', kb: ['KB_01#Build_Once'] },
  ],
});

const beta = defineMode({
  id: 'beta',
  title: 'Beta',
  specMode: 2,
  kb: ['KB_04#Signing'],
  dependsOn: { inputs: [], asks: [] },
  keywords: ['beta'],
  signals: [],
  rules: [
    { id: 'beta/stages', field: 'pipeline_blueprint.stages', value: ['test', 'sign'], why: 'Because.', kb: ['KB_04#Signing'] },
    { id: 'beta/cache', field: 'pipeline_blueprint.caching_strategy', value: 'none', why: 'Different.', kb: ['KB_04#Signing'] },
  ],
});

function engine(modes = [alpha, beta], renderer: ArtifactRenderer = jsonRenderer, kb = testKb()) {
  return engineFrom(createContainer([...modes.map(modeModule), rendererModule(renderer)], kb));
}

describe('engine', () => {
  it('selects modes by goal words and profile signals, and only asks what selected modes need', () => {
    const out = engine().plan({ goal: 'Beta please', infra: { cloud_provider: 'unknown' } }).output;
    expect(out.decision_log.modes.map((m) => m.id)).toEqual(['beta']);
    expect(out.decision_log.needs_clarification).toEqual([]);
    const both = engine().plan({ goal: 'alphabet beta' }).output;
    expect(both.decision_log.modes.map((m) => m.id)).toEqual(['alpha', 'beta']);
    expect(both.decision_log.needs_clarification.map((l) => l.split(':')[0])).toEqual(['cloud_provider']);
  });

  it('gives the delivery system of a profile for the modes its plan selects, without planning', () => {
    const signing = defineMode({ id: 'supply-chain', title: 'Supply chain', specMode: 3, kb: ['KB_04#Signing'], dependsOn: { inputs: [], asks: [] }, keywords: ['signing'], signals: [], rules: [] });
    const profile = { delivery: { app_repository: 'acme/crm', services: [{ name: 'crm-api' }, { name: 'crm-web' }] } };
    const signed = engine([alpha, signing]).delivery({ goal: 'signing', ...profile });
    expect(signed.ci.signing).toMatchObject({ identity: 'https://github.com/acme/crm/.github/workflows/release-signing.yml@refs/heads/main' });
    expect(signed.services.map((s) => s.name)).toEqual(['crm-api', 'crm-web']);
    expect(engine([alpha, signing]).delivery({ goal: 'alpha', ...profile }).ci.signing).toMatchObject({ identity: 'https://github.com/acme/crm/.github/workflows/release.yml@refs/heads/main' });
    expect(() => engine().delivery({ goal: 'x', delivery: { services: [{ name: 'A' }] } })).toThrow(ProfileInputError);
  });

  it('refuses, before any mode runs, names that would make one cluster object of two', () => {
    const clash = { goal: 'alpha', release_policy: { ring_model: { enabled: true, rings: ['eu_west', 'eu-west'] } } };
    expect(() => engine().plan(clash)).toThrow(ProfileInputError);
    expect(() => engine().plan(clash)).toThrow('/release_policy/ring_model/rings/1: expected a target name whose Kubernetes name differs');
  });

  it('unions arrays in order and resolves scalar conflicts by documented precedence, never silently', () => {
    const out = engine().plan({ goal: 'alpha beta' }).output;
    expect((out['pipeline_blueprint'] as { stages: string[] }).stages).toEqual(['build', 'test', 'sign']);
    expect(out.decision_log.conflicts).toEqual([
      { field: 'pipeline_blueprint.caching_strategy', winner: 'alpha', values: [{ mode: 'alpha', rule: 'alpha/cache', value: 'scoped_keys' }, { mode: 'beta', rule: 'beta/cache', value: 'none' }], resolution: 'equal scores: the earlier mode wins' },
    ]);
  });

  it('lets the higher score win a conflict when no mode owns the section', () => {
    const merged = mergeDecisions(
      [
        { field: 'x_section.value', value: 1, rule: 'a/r', mode: 'a', reason: 'r', kb: [] },
        { field: 'x_section.value', value: 2, rule: 'b/r', mode: 'b', reason: 'r', kb: [] },
      ] satisfies ModeDecision[],
      new Map([['a', 0.5], ['b', 0.9]]),
      { owners: new Map() },
    );
    expect(merged.fields.get('x_section.value')).toBe(2);
    expect(merged.conflicts[0]?.resolution).toMatch(/higher applicability score/);
  });

  it('lets the section owner win a conflict', () => {
    const merged = mergeDecisions(
      [
        { field: 'pipeline_blueprint.caching_strategy', value: 'a', rule: 'x/r', mode: 'x', reason: 'r', kb: [] },
        { field: 'pipeline_blueprint.caching_strategy', value: 'b', rule: 'blueprint/r', mode: 'blueprint', reason: 'r', kb: [] },
      ] satisfies ModeDecision[],
      new Map([['x', 1], ['blueprint', 0.5]]),
      { owners: new Map([['pipeline_blueprint', 'blueprint']]) },
    );
    expect(merged.fields.get('pipeline_blueprint.caching_strategy')).toBe('b');
  });

  it('first matching rule of a field wins', () => {
    const out = engine().plan({ goal: 'alpha', current_pain: ['costs'] }).output;
    expect((out['pipeline_blueprint'] as { caching_strategy: string }).caching_strategy).toBe('aggressive');
    expect(out.decision_log.decisions.find((d) => d.field === 'pipeline_blueprint.caching_strategy')?.rule).toBe('alpha/cache-costly');
  });

  it('gives byte-identical output for the same profile, whatever the key order', () => {
    const a = JSON.stringify(engine().plan({ goal: 'alpha beta', current_pain: ['costs', 'flaky_tests'], risk_tier: 'low' }).output);
    const b = JSON.stringify(engine().plan({ risk_tier: 'low', current_pain: ['flaky_tests', 'costs'], goal: 'alpha beta' }).output);
    expect(a).toBe(b);
  });

  it('freezes the profile so a mode cannot change what another sees', () => {
    const mutating = defineMode({ ...modeDef('mutant'), rules: [{ id: 'mutant/x', field: 'pipeline_blueprint.gates', value: (ctx: { profile: { current_pain: string[] } }) => { ctx.profile.current_pain.push('costs'); return []; }, why: 'r', kb: [] }] });
    expect(() => engine([mutating]).plan({ goal: 'mutant' })).toThrow(ModeFailedError);
  });

  it('falls back to nothing selected without a blueprint mode, and warns about unknown keys', () => {
    const out = engine().plan({ goal: 'something else', colour: 'blue' }).output;
    expect(out.decision_log.modes).toEqual([]);
    expect(out.decision_log.warnings).toContain('/colour: unknown key kept but not used (not in the input schema)');
  });

  it('refuses an output that cites a KB trace missing from kb/', () => {
    const citing = defineMode({ ...modeDef('citing'), kb: ['KB_09#Nowhere'] });
    expect(() => engine([citing]).plan({ goal: 'citing' })).toThrow(UnresolvedTraceError);
  });

  it('refuses an output whose artifacts break a guardrail', () => {
    const leaky = defineMode({
      ...modeDef('leaky'),
      artifacts: () => [{ name: 'deploy.sh', path: 'deploy.sh', type: 'runbook', kb: [], body: { format: 'shell', summary: 's', vars: {}, script: 'kubectl apply -f app.yaml --context prod' } }],
    });
    const renderer: ArtifactRenderer = { render: (spec) => ({ content: spec.body.format === 'shell' ? spec.body.script : '' }) };
    expect(() => engine([leaky], renderer).plan({ goal: 'leaky' })).toThrow(GuardrailViolationError);
  });
});

function modeDef(id: string) {
  return { id, title: id, specMode: null, kb: [] as const, dependsOn: { inputs: [], asks: [] }, keywords: [id], signals: [], rules: [] };
}

describe('defineMode checks a definition at once', () => {
  it.each([
    ['a non-kebab id', { ...modeDef('Bad_Id') }, /kebab-case/],
    ['a rule outside its namespace', { ...modeDef('m'), rules: [{ id: 'other/r', field: 'a.b', value: 1, why: 'r', kb: [] }] }, /must be named m\//],
    ['a rule with a bad field', { ...modeDef('m'), rules: [{ id: 'm/r', field: 'Field', value: 1, why: 'r', kb: [] }] }, /dot path/],
    ['a malformed trace', { ...modeDef('m'), kb: ['KB_1#x'] }, /not a KB_NN#Anchor/],
    ['a weight out of range', { ...modeDef('m'), signals: [{ id: 's', weight: 2, when: () => true }] }, /weight/],
  ])('rejects %s', (_name, def, message) => {
    expect(() => defineMode(def as Parameters<typeof defineMode>[0])).toThrow(ModeDefinitionError);
    expect(() => defineMode(def as Parameters<typeof defineMode>[0])).toThrow(message);
  });
});

describe('guardrails', () => {
  const fields = new Map<string, unknown>();
  it.each([
    ['an AWS access key', 'ci.yml', 'env:\n  AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n', 'no-static-secrets'],
    ['a literal secret assignment', 'deploy.sh', 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI0K7MDENG2bPxRfiCYEXAMPLEKEY\n', 'no-static-secrets'],
    ['a private key', 'key.pem', '-----BEGIN RSA PRIVATE KEY-----\n', 'no-static-secrets'],
    ['kubectl apply to production', 'deploy.sh', 'cosign verify x\nkubectl apply -f app.yaml --context prod-eu\n', 'no-clickops-to-production'],
    ['helm upgrade in production', 'ci.yml', 'run: helm upgrade crm ./chart -n production\n', 'no-clickops-to-production'],
    ['a production job that rebuilds', 'ci.yml', 'jobs:\n  deploy-prod:\n    environment: production\n    steps:\n      - run: docker build -t app .\n', 'build-once'],
    ['an Azure Pipelines production stage that rebuilds', 'azure-pipelines.yml', 'stages:\n  - stage: build\n    jobs: []\n  - stage: deploy_production\n    jobs:\n      - job: d\n        steps:\n          - bash: docker build -t app .\n', 'build-once'],
    ['a workload image by tag', 'deploy.yaml', 'kind: Deployment\nspec:\n  containers:\n    - image: registry.example.com/app:1.2.3\n', 'verified-artifacts-only'],
    ['a deploy script without verification', 'deploy.sh', 'argocd app sync crm\n', 'verified-artifacts-only'],
  ])('catches %s', (_name, path, content, guardrail) => {
    expect(checkGuardrails([{ path, content }], fields).map((v) => v.guardrail)).toContain(guardrail);
  });

  it.each([
    ['secret references', 'ci.yml', 'env:\n  API_TOKEN: ${{ secrets.API_TOKEN }}\n  DB_PASSWORD: $(vault read -field=pw db)\n'],
    ['a verified digest deploy', 'deploy.sh', 'cosign verify "${IMAGE}@${DIGEST}"\nargocd app sync crm\n'],
    ['a digest-pinned workload', 'deploy.yaml', `kind: Deployment\nspec:\n  containers:\n    - image: registry.example.com/app@sha256:${'a'.repeat(64)}\n`],
    ['kubectl reads in production', 'check.sh', 'kubectl get pods -n production\n'],
    ['an Azure Pipelines build stage before a production stage', 'azure-pipelines.yml', 'stages:\n  - stage: build\n    jobs:\n      - job: b\n        steps:\n          - bash: docker buildx build --push .\n  - stage: deploy_production\n    jobs:\n      - job: d\n        steps:\n          - bash: scripts/promote.sh crm-api "$(DIGEST)" production\n'],
  ])('passes %s', (_name, path, content) => {
    expect(checkGuardrails([{ path, content }], fields)).toEqual([]);
  });

  it('rejects a manual deploy mechanism decision', () => {
    expect(checkGuardrails([], new Map([['pipeline_blueprint.deploy_mechanism', 'manual_console']])).map((v) => v.guardrail)).toEqual(['no-clickops-to-production']);
  });
});
