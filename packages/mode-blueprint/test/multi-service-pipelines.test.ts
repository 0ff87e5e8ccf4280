import { describe, expect, it } from 'vitest';
import { contextFor, runMode } from '@ringmaster/core';
import { blueprintMode } from '../src/index.js';

/**
 * GitLab CI and Azure DevOps release pipelines of a plan with two services: each image is built
 * from its own context, its digest travels under its own variable, and every service is scanned,
 * signed and promoted to every target, target by target. One-service plans keep their names.
 */

const TWO_SERVICES = [
  { name: 'crm-api', image: 'crm-api', build_context: 'services/api' },
  { name: 'crm-web', image: 'web/front' },
];

/** Residency regions eu-central-1 (eu) and us-east-1 (us): two deploy stages, one target each. */
const profile = (ci: string, extra: Record<string, unknown> = {}, services: unknown[] = TWO_SERVICES): Record<string, unknown> => ({
  goal: 'pipeline',
  ci_platform: ci,
  infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-central-1', 'us-east-1'] },
  crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] },
  delivery: { app_repository: 'acme/crm', registry: 'registry.gitlab.com/acme/crm', cloud: { aws_account_id: '123456789012' }, services },
  ...extra,
});

const ENVIRONMENTS = [
  { name: 'prod-eu', region: 'eu-central-1', cluster: 'eu' },
  { name: 'prod-us', region: 'us-east-1', cluster: 'us' },
];

type Obj = Record<string, unknown>;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function pipelineOf(p: Record<string, unknown>, path: string, companions: string[] = []): Obj {
  const spec = runMode(blueprintMode, p, companions).artifacts.find((a) => a.path === path);
  if (spec?.body.format !== 'yaml') throw new Error(`no ${path}`);
  return spec.body.documents[0] as Obj;
}

/** The `scripts/promote.sh <service> <digest> <target>` calls of a script, in order. */
function promotions(script: string): { service: string; digest: string; target: string }[] {
  return [...script.matchAll(/scripts\/promote\.sh "([^"]+)" "([^"]+)" "([^"]+)"/g)].map((m) => ({ service: m[1] as string, digest: m[2] as string, target: m[3] as string }));
}

describe('GitLab CI with two services', () => {
  const gitlab = (extra: Record<string, unknown> = {}, companions: string[] = [], services?: unknown[]) => pipelineOf(profile('gitlab', extra, services), '.gitlab-ci.yml', companions);
  const scriptOf = (job: unknown): string => ((job as { script: string[] }).script ?? []).join('\n');
  const ctx = contextFor(profile('gitlab'), [], 'blueprint');
  const [api, web] = ctx.delivery.services;

  it('builds each image from its own context and passes each digest on under its own dotenv variable', () => {
    const doc = gitlab();
    expect(doc['variables']).toEqual({ IMAGE_CRM_API: api?.image, IMAGE_CRM_WEB: web?.image });
    expect(web?.image).toBe('registry.gitlab.com/acme/crm/web/front');
    for (const name of Object.keys(doc['variables'] as Obj)) expect(name).toMatch(VARIABLE_NAME);
    const build = scriptOf(doc['build']);
    expect(build).toContain('--tag "${IMAGE_CRM_API}:${CI_COMMIT_SHA}" "services/api"');
    expect(build).toContain('--tag "${IMAGE_CRM_WEB}:${CI_COMMIT_SHA}" "services/crm-web"');
    // The second digest is appended to the dotenv report, not written over the first.
    expect(build).toMatch(/echo "DIGEST_CRM_API=.*" > build\.env\n.*\necho "DIGEST_CRM_WEB=.*" >> build\.env/);
    expect((doc['build'] as Obj)['artifacts']).toEqual({ reports: { dotenv: 'build.env' } });
  });

  it('scans and signs every image by its digest', () => {
    const doc = gitlab();
    for (const ref of ['${IMAGE_CRM_API}@${DIGEST_CRM_API}', '${IMAGE_CRM_WEB}@${DIGEST_CRM_WEB}']) {
      expect(scriptOf(doc['security'])).toContain(`trivy image --severity CRITICAL --exit-code 1 "${ref}"`);
      expect(scriptOf(doc['sign'])).toContain(`cosign sign --yes "${ref}"`);
      expect(scriptOf(doc['sign'])).toContain(`cosign attest --yes --type slsaprovenance --predicate provenance.json "${ref}"`);
    }
  });

  it('promotes every service to each target before the next target, each stage after the signing and the stage before it', () => {
    const doc = gitlab();
    const deploys = Object.keys(doc).filter((k) => k.startsWith('deploy-'));
    expect(deploys).toEqual(['deploy-eu', 'deploy-us']);
    const calls = deploys.flatMap((id) => promotions(scriptOf(doc[id])));
    expect(calls).toEqual([
      { service: 'crm-api', digest: '${DIGEST_CRM_API}', target: 'eu-central-1' },
      { service: 'crm-web', digest: '${DIGEST_CRM_WEB}', target: 'eu-central-1' },
      { service: 'crm-api', digest: '${DIGEST_CRM_API}', target: 'us-east-1' },
      { service: 'crm-web', digest: '${DIGEST_CRM_WEB}', target: 'us-east-1' },
    ]);
    // `needs` lets a job start before earlier stages: the chain must be explicit.
    expect((doc['deploy-eu'] as Obj)['needs']).toEqual([{ job: 'build', artifacts: true }, 'sign', 'residency-gate-eu']);
    expect((doc['deploy-us'] as Obj)['needs']).toEqual([{ job: 'build', artifacts: true }, 'deploy-eu', 'residency-gate-us']);
    // With the supply-chain mode its included signing job is the one to wait for.
    const included = gitlab({}, ['supply-chain']);
    expect(included['sign']).toBeUndefined();
    expect((included['deploy-eu'] as Obj)['needs']).toContain('sign-and-attest');
  });

  it('given environments, promotes to the environments of each jurisdiction and gates on their regions', () => {
    const doc = gitlab({ delivery: { ...(profile('gitlab')['delivery'] as Obj), environments: ENVIRONMENTS } });
    expect(promotions(scriptOf(doc['deploy-eu'])).map((c) => `${c.service}@${c.target}`)).toEqual(['crm-api@prod-eu', 'crm-web@prod-eu']);
    expect(promotions(scriptOf(doc['deploy-us'])).map((c) => `${c.service}@${c.target}`)).toEqual(['crm-api@prod-us', 'crm-web@prod-us']);
    expect((doc['residency-gate-eu'] as Obj)['parallel']).toEqual({ matrix: [{ REGION: ['eu-central-1'] }] });
    expect((doc['residency-gate-us'] as Obj)['variables']).toMatchObject({ JURISDICTION: 'us' });
  });

  it('keeps the names of a one-service plan', () => {
    const doc = gitlab({}, [], [{ name: 'crm-api' }]);
    expect(Object.keys(doc).filter((k) => !['stages', 'variables', 'default'].includes(k))).toEqual(['build', 'test', 'sast', 'security', 'sign', 'residency-gate-eu', 'deploy-eu', 'residency-gate-us', 'deploy-us']);
    expect(doc['variables']).toEqual({ IMAGE: 'registry.gitlab.com/acme/crm/crm-api' });
    expect(scriptOf(doc['build'])).toContain('--tag "${IMAGE}:${CI_COMMIT_SHA}" "."');
    expect(scriptOf(doc['build'])).toContain('echo "DIGEST=$(jq -r \'."containerimage.digest"\' meta.json)" > build.env');
    expect(scriptOf(doc['sign'])).toContain('cosign sign --yes "${IMAGE}@${DIGEST}"');
    expect(promotions(scriptOf(doc['deploy-eu']))).toEqual([{ service: 'crm-api', digest: '${DIGEST}', target: 'eu-central-1' }]);
  });
});

describe('Azure DevOps with two services', () => {
  const azure = (extra: Record<string, unknown> = {}, companions: string[] = [], services?: unknown[]) => pipelineOf(profile('azure devops', extra, services), 'azure-pipelines.yml', companions) as { stages: Obj[] };
  const stage = (doc: { stages: Obj[] }, id: string): Obj => doc.stages.find((s) => s['stage'] === id) ?? {};
  const jobs = (s: Obj): Obj[] => (s['jobs'] as Obj[]) ?? [];
  const stepsOf = (job: Obj | undefined): Obj[] => ((job?.['steps'] ?? (job?.['strategy'] as { runOnce: { deploy: { steps: Obj[] } } } | undefined)?.runOnce.deploy.steps) as Obj[]) ?? [];
  const scriptOf = (step: Obj): string => String(step['bash'] ?? (step['inputs'] as Obj | undefined)?.['inlineScript'] ?? '');
  const ctx = contextFor(profile('azure devops'), [], 'blueprint');
  const [api, web] = ctx.delivery.services;
  const output = (v: string) => `$[ stageDependencies.build.build.outputs['push.${v}'] ]`;

  it('builds each image from its own context, sets one output variable per digest and scans each image', () => {
    const steps = stepsOf(jobs(stage(azure(), 'build'))[0]);
    const push = steps.find((s) => s['name'] === 'push') ?? {};
    expect(scriptOf(push)).toContain(`-t "${api?.image}:$(Build.SourceVersion)" "services/api"`);
    expect(scriptOf(push)).toContain(`-t "${web?.image}:$(Build.SourceVersion)" "services/crm-web"`);
    expect(scriptOf(push)).toContain('##vso[task.setvariable variable=DIGEST_CRM_API;isOutput=true]');
    expect(scriptOf(push)).toContain('##vso[task.setvariable variable=DIGEST_CRM_WEB;isOutput=true]');
    const scan = steps.map(scriptOf).find((s) => s.includes('trivy')) ?? '';
    expect(scan).toContain(`"${api?.image}@$(push.DIGEST_CRM_API)"`);
    expect(scan).toContain(`"${web?.image}@$(push.DIGEST_CRM_WEB)"`);
    expect(scan.startsWith('set -euo pipefail')).toBe(true);
  });

  it('signs every digest with the KMS key, or hands every digest to the signing template', () => {
    const sign = jobs(stage(azure(), 'sign'))[0] ?? {};
    expect(sign['variables']).toEqual({ DIGEST_CRM_API: output('DIGEST_CRM_API'), DIGEST_CRM_WEB: output('DIGEST_CRM_WEB') });
    const signed = stepsOf(sign).map(scriptOf).filter((s) => s.startsWith('cosign sign'));
    expect(signed).toEqual([
      `cosign sign --yes --key "awskms:///arn:aws:kms:eu-central-1:123456789012:alias/release-signing" "${api?.image}@$(DIGEST_CRM_API)"`,
      `cosign sign --yes --key "awskms:///arn:aws:kms:eu-central-1:123456789012:alias/release-signing" "${web?.image}@$(DIGEST_CRM_WEB)"`,
    ]);
    const template = azure({}, ['supply-chain']).stages.find((s) => s['template'] !== undefined);
    expect(template).toEqual({ template: '.azure-pipelines/release-signing.yml', parameters: { digest_crm_api: output('DIGEST_CRM_API'), digest_crm_web: output('DIGEST_CRM_WEB') } });
  });

  it('promotes every service to each target before the next target, behind the residency gate', () => {
    const doc = azure();
    const deploys = doc.stages.filter((s) => String(s['stage']).startsWith('deploy_'));
    expect(deploys.map((s) => s['stage'])).toEqual(['deploy_eu', 'deploy_us']);
    const calls = deploys.flatMap((s) => {
      const deployment = jobs(s).find((j) => j['deployment'] !== undefined);
      expect(deployment?.['dependsOn']).toBe('residency_gate');
      expect(deployment?.['variables']).toEqual({ DIGEST_CRM_API: output('DIGEST_CRM_API'), DIGEST_CRM_WEB: output('DIGEST_CRM_WEB') });
      return stepsOf(deployment).flatMap((step) => promotions(scriptOf(step)));
    });
    expect(calls.map((c) => `${c.service} ${c.digest} ${c.target}`)).toEqual([
      'crm-api $(DIGEST_CRM_API) eu-central-1',
      'crm-web $(DIGEST_CRM_WEB) eu-central-1',
      'crm-api $(DIGEST_CRM_API) us-east-1',
      'crm-web $(DIGEST_CRM_WEB) us-east-1',
    ]);
    expect(deploys[1]?.['dependsOn']).toEqual(['build', 'sign', 'deploy_eu']);
  });

  it('given environments, promotes to the environments of each jurisdiction and gates on their regions', () => {
    const doc = azure({ delivery: { ...(profile('azure devops')['delivery'] as Obj), environments: ENVIRONMENTS } });
    const eu = jobs(stage(doc, 'deploy_eu'));
    expect((eu.find((j) => j['job'] === 'residency_gate')?.['strategy'] as Obj)['matrix']).toEqual({ eu_central_1: { REGION: 'eu-central-1' } });
    expect(stepsOf(eu.find((j) => j['deployment'] !== undefined)).flatMap((s) => promotions(scriptOf(s))).map((c) => c.target)).toEqual(['prod-eu', 'prod-eu']);
  });

  it('keeps the names of a one-service plan', () => {
    const doc = azure({}, ['supply-chain'], [{ name: 'crm-api' }]);
    expect(doc.stages.map((s) => s['stage'] ?? s['template'])).toEqual(['build', '.azure-pipelines/release-signing.yml', 'deploy_eu', 'deploy_us']);
    expect(doc.stages[1]).toMatchObject({ parameters: { digest: output('DIGEST') } });
    const deployment = jobs(stage(doc, 'deploy_eu')).find((j) => j['deployment'] === 'deploy_eu');
    expect(stepsOf(deployment).flatMap((s) => promotions(scriptOf(s)))).toEqual([{ service: 'crm-api', digest: '$(DIGEST)', target: 'eu-central-1' }]);
  });
});
