import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { gitopsMode, gitopsRules } from '../src/index.js';

type P = Record<string, unknown>;
const argo: P = { goal: 'GitOps Sync', cd_strategy: 'gitops', gitops_tool: 'argocd' };
const k8s: P = { goal: 'GitOps', cd_strategy: 'gitops', infra: { orchestrator: 'kubernetes' } };
const vm: P = { goal: 'GitOps', cd_strategy: 'gitops', infra: { orchestrator: 'vm', cloud_provider: 'aws' } };

const ruleRows: { rule: string; field: string; fires: P; not: P; value: unknown }[] = [
  { rule: 'gitops/deploy-scripted-fallback', field: 'pipeline_blueprint.deploy_mechanism', fires: vm, not: k8s, value: 'scripted_git_driven' },
  { rule: 'gitops/deploy-pull', field: 'pipeline_blueprint.deploy_mechanism', fires: k8s, not: vm, value: 'gitops_pull' },
  { rule: 'gitops/stages-scripted', field: 'pipeline_blueprint.stages', fires: vm, not: argo, value: ['build', 'publish', 'release_tag', 'deploy'] },
  { rule: 'gitops/stages-sync', field: 'pipeline_blueprint.stages', fires: argo, not: vm, value: ['build', 'publish', 'sync'] },
  { rule: 'gitops/gates-scripted', field: 'pipeline_blueprint.gates', fires: vm, not: argo, value: ['opa_policy_check', 'signature_verification'] },
  { rule: 'gitops/gates-policy', field: 'pipeline_blueprint.gates', fires: argo, not: vm, value: ['opa_policy_check', 'sync_health_check'] },
];

describe('gitops rules', () => {
  it('has a row for every rule', () => {
    expect(new Set(ruleRows.map((r) => r.rule))).toEqual(new Set(gitopsRules.map((r) => r.id)));
  });
  it.each(ruleRows)('$rule', ({ rule, field, fires, not, value }) => {
    const hit = runMode(gitopsMode, fires).decisions.get(field);
    expect(hit).toEqual({ rule, value });
    expect(runMode(gitopsMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
  it.each(['ecs', 'nomad', 'serverless', 'vm'])('orchestrator %s takes the scripted fallback', (orchestrator) => {
    expect(runMode(gitopsMode, { ...vm, infra: { orchestrator } }).decisions.get('pipeline_blueprint.deploy_mechanism')?.value).toBe('scripted_git_driven');
  });
  it('unknown orchestrator keeps the GitOps pull model', () => {
    expect(runMode(gitopsMode, { goal: 'GitOps' }).decisions.get('pipeline_blueprint.deploy_mechanism')?.value).toBe('gitops_pull');
  });
});

describe('gitops applicability', () => {
  it.each(['GitOps', 'GitOps Sync', 'Set up Argo CD', 'ArgoCD drift', 'Flux reconciliation', 'Policy as code for config repo', 'OPA checks', 'Kyverno policies', 'Stop ClickOps'])(
    'applies to "%s"',
    (goal) => expect(runMode(gitopsMode, { goal }).applies).toBe(true),
  );
  it.each(['Vulnerability Policy', 'Reduce Flakiness', 'Canary', 'DR Plan', 'Release Policy'])('skips "%s"', (goal) => {
    expect(runMode(gitopsMode, { goal }).applies).toBe(false);
  });
  it('cd_strategy gitops alone applies (strong signal)', () => {
    expect(runMode(gitopsMode, { goal: 'Help', cd_strategy: 'gitops' }).applies).toBe(true);
  });
});

describe('gitops artifacts', () => {
  const names = (p: P): string[] => runMode(gitopsMode, p).artifacts.map((a) => a.name);
  const text = (p: P, name: string): string => JSON.stringify(runMode(gitopsMode, p).artifacts.find((a) => a.name === name)?.body);

  it.each([
    { name: 'argocd', profile: argo, files: ['argocd_app.yaml', 'drift_alert.yaml', 'sync_wave_annotation.yaml', 'overlay_staging_kustomization.yaml', 'overlay_production_kustomization.yaml', 'config_policy.rego'] },
    { name: 'unknown tool -> Argo CD', profile: { goal: 'GitOps', cd_strategy: 'gitops' }, files: ['argocd_app.yaml', 'drift_alert.yaml', 'sync_wave_annotation.yaml', 'overlay_staging_kustomization.yaml', 'overlay_production_kustomization.yaml', 'config_policy.rego'] },
    { name: 'flux', profile: { ...argo, gitops_tool: 'Flux CD' }, files: ['flux_kustomization.yaml', 'flux_kustomization_production.yaml', 'drift_alert.yaml', 'sync_wave_annotation.yaml', 'overlay_staging_kustomization.yaml', 'overlay_production_kustomization.yaml', 'config_policy.rego'] },
    { name: 'push: no operator, the same base and overlays', profile: { ...argo, cd_strategy: 'push' }, files: ['scripted_deploy.sh', 'sync_wave_annotation.yaml', 'overlay_staging_kustomization.yaml', 'overlay_production_kustomization.yaml', 'config_policy.rego'] },
    { name: 'no kubernetes', profile: vm, files: ['scripted_deploy.sh', 'config_policy.rego'] },
  ])('$name -> $files', ({ profile, files }) => {
    expect(names(profile)).toEqual(files);
  });

  it('Argo CD Application syncs automatically with selfHeal and prune', () => {
    const spec = runMode(gitopsMode, argo).artifacts.find((a) => a.name === 'argocd_app.yaml');
    const app = (spec?.body as unknown as { documents: { kind: string; apiVersion: string; spec: { syncPolicy?: unknown } }[] }).documents.find((d) => d.kind === 'Application');
    expect(app?.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(app?.spec.syncPolicy).toMatchObject({ automated: { selfHeal: true, prune: true } });
  });
  it('drift alert watches OutOfSync (Argo CD) or not-Ready resources (Flux)', () => {
    expect(text(argo, 'drift_alert.yaml')).toContain('argocd_app_info{sync_status=\\"OutOfSync\\"}');
    expect(text({ ...argo, gitops_tool: 'flux' }, 'drift_alert.yaml')).toContain('gotk_resource_info');
  });
  it('sync wave annotation and a digest-pinned workload', () => {
    const t = text(argo, 'sync_wave_annotation.yaml');
    expect(t).toContain('"argocd.argoproj.io/sync-wave":"5"');
    expect(t).toMatch(/"image":"[^"]+@sha256:[0-9a-f]{64}"/);
  });
  it('Flux uses the v1 APIs with prune', () => {
    const t = text({ ...argo, gitops_tool: 'flux' }, 'flux_kustomization.yaml');
    expect(t).toContain('source.toolkit.fluxcd.io/v1"');
    expect(t).toContain('kustomize.toolkit.fluxcd.io/v1"');
    expect(t).toContain('"prune":true');
  });
  it('config policy is Rego v1 with tests', () => {
    const body = runMode(gitopsMode, argo).artifacts.find((a) => a.name === 'config_policy.rego')?.body as { rules: string; tests: string };
    expect(body.rules).toMatch(/deny contains msg if \{/);
    expect(body.rules).not.toMatch(/deny\[msg\]/);
    expect(body.tests).toMatch(/test_\w+ if \{/);
  });
  it('scripted deploy reads the promoted digest from the config repo, verifies it with cosign, never kubectl', () => {
    const body = runMode(gitopsMode, vm).artifacts.find((a) => a.name === 'scripted_deploy.sh')?.body as { script: string; vars: Record<string, string> };
    expect(body.script).toContain('cosign verify --certificate-identity "${CERT_IDENTITY}" --certificate-oidc-issuer "${OIDC_ISSUER}" "${ref}"');
    expect(body.script).toContain('config/releases/${TARGET}/${service}.image');
    expect(body.script).not.toMatch(/kubectl|helm/);
    expect(body.vars).toMatchObject({ ORCHESTRATOR: 'vm', CLOUD: 'aws', SERVICES: 'crm-api ghcr.io/example-org/crm-api' });
  });
  it('push CD on Kubernetes: the scripted deploy builds the overlay promotion edits, checks the verified digest, applies it server-side', () => {
    const run = runMode(gitopsMode, { ...k8s, cd_strategy: 'push' });
    expect(run.decisions.get('pipeline_blueprint.deploy_mechanism')?.value).toBe('scripted_git_driven');
    const body = run.artifacts.find((a) => a.name === 'scripted_deploy.sh')?.body as { script: string; vars: Record<string, string> };
    expect(body.script).toContain('overlay="${WORKDIR}/config/apps/${service}/overlays/${TARGET}"');
    expect(body.script).toContain('cosign verify --certificate-identity "${CERT_IDENTITY}"');
    expect(body.script).toContain('kubectl kustomize "${overlay}"');
    expect(body.script).toContain('kubectl apply --server-side');
    expect(body.script).not.toMatch(/unsupported orchestrator|releases\//);
    expect(body.vars).toMatchObject({ SERVICES: 'crm-api ghcr.io/example-org/crm-api crm-api' });
  });
  it.each([
    { ci: 'github', repo: 'https://github.com/' },
    { ci: 'gitlab', repo: 'https://gitlab.com/' },
    { ci: 'azure devops', repo: 'https://dev.azure.com/' },
  ])('config repo on the $ci host', ({ ci, repo }) => {
    expect(text({ ...argo, ci_platform: ci }, 'argocd_app.yaml')).toContain(repo);
  });
});

describe('gitops notes and risks', () => {
  it('warns when the tool is assumed', () => {
    expect(gitopsMode.contribute(contextFor({ goal: 'GitOps', cd_strategy: 'gitops' })).warnings.join(' ')).toContain('assumed Argo CD');
    expect(gitopsMode.contribute(contextFor(argo)).warnings.join(' ')).not.toContain('assumed Argo CD');
  });
  it('records the section 10 fallback without Kubernetes', () => {
    expect(gitopsMode.contribute(contextFor(vm)).fallbacks).toHaveLength(1);
    expect(gitopsMode.contribute(contextFor(k8s)).fallbacks).toHaveLength(0);
  });
  it('asks for the orchestrator', () => {
    expect(gitopsMode.dependsOn.asks).toEqual(['orchestrator']);
  });
  it('risks', () => {
    expect(gitopsMode.contribute(contextFor(argo)).risks).toEqual(['policy-false-positive', 'deployment-failed']);
  });
});
