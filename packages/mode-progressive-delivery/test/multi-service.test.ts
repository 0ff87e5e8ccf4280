import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMode, type ArtifactSpec } from '@ringmaster/core';
import { FileRenderer, validateArtifact } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { progressiveDeliveryMode, promotionChecklist } from '../src/index.js';

type P = Record<string, unknown>;
const services = [
  { name: 'crm-api', port: 8080, health_path: '/healthz', image: 'crm-api' },
  { name: 'crm-web', port: 3000, health_path: '/health', image: 'web/front' },
];
const canary: P = {
  goal: 'Canary',
  crm_profile: { multi_tenant: true },
  infra: { orchestrator: 'kubernetes' },
  cd_strategy: 'gitops',
  gitops_tool: 'argocd',
  release_policy: { ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' } },
  delivery: { registry: 'ghcr.io/acme', services },
};
const oneService: P = { ...canary, delivery: { registry: 'ghcr.io/acme', services: [services[0]] } };

const hasKubectl = spawnSync('kubectl', ['version', '--client']).status === 0;
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
const renderer = new FileRenderer();

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const docsOf = (spec: ArtifactSpec | undefined): Doc[] => parseAllDocuments(renderer.render(spec as ArtifactSpec).content).map((d) => d.toJSON() as Doc);
const artifactsOf = (profile: P, companions: string[]): ArtifactSpec[] => runMode(progressiveDeliveryMode, profile, companions).artifacts;

describe('a plan with two services', () => {
  it('has each canary file once per service, in that service base folder, named after it', () => {
    const byName = new Map(artifactsOf(canary, ['gitops']).map((a) => [a.name, a.path]));
    for (const svc of ['crm-api', 'crm-web']) {
      expect(byName.get(`rollout_strategy_${svc}.yaml`)).toBe(`gitops-config/apps/${svc}/base/rollout.yaml`);
      expect(byName.get(`traffic_split_${svc}.yaml`)).toBe(`gitops-config/apps/${svc}/base/traffic-split.yaml`);
      expect(byName.get(`canary_analysis_${svc}.yaml`)).toBe(`gitops-config/apps/${svc}/base/canary-analysis.yaml`);
    }
    expect(byName.has('rollout_strategy.yaml')).toBe(false);
    expect([...byName.keys()].filter((n) => /^(health_check|release_captain_checklist|feature_flags)/.test(n))).toEqual(['health_check.sh', 'feature_flags.json', 'release_captain_checklist.md']);
  });

  it("each Rollout runs its own service: its Deployment, its image, its Services, its own analysis template", () => {
    const artifacts = artifactsOf(canary, ['gitops']);
    const alone = artifactsOf(canary, []);
    for (const [svc, image, port] of [
      ['crm-api', 'ghcr.io/acme/crm-api', 8080],
      ['crm-web', 'ghcr.io/acme/web/front', 3000],
    ] as const) {
      const [rollout] = docsOf(artifacts.find((a) => a.name === `rollout_strategy_${svc}.yaml`));
      expect(rollout?.metadata.name).toBe(`${svc}-rollout`);
      expect(rollout?.spec['workloadRef']).toMatchObject({ kind: 'Deployment', name: svc });
      const text = JSON.stringify(rollout);
      expect(text).toContain(`"canaryService":"${svc}-canary","stableService":"${svc}-stable"`);
      expect(text).toContain(`"virtualService":{"name":"${svc}"`);
      expect(text).toContain(`"templateName":"canary-health-${svc}"`);
      expect(text).toContain(`{"name":"service-name","value":"${svc}-canary"}`);
      const [template] = docsOf(artifacts.find((a) => a.name === `canary_analysis_${svc}.yaml`));
      expect(template?.metadata.name).toBe(`canary-health-${svc}`);
      const split = docsOf(artifacts.find((a) => a.name === `traffic_split_${svc}.yaml`));
      expect(split.map((d) => d.metadata.name)).toEqual([svc, `${svc}-stable`, `${svc}-canary`]);
      // Without the GitOps mode's Deployment, the Rollout carries the pod template with the service's own image and port.
      const [own] = docsOf(alone.find((a) => a.name === `rollout_strategy_${svc}.yaml`));
      const container = (own?.spec['template'] as { spec: { containers: { image: string; ports: { containerPort: number }[] }[] } }).spec.containers[0];
      expect(container?.image).toMatch(new RegExp(`^${image}@sha256:0{64}$`));
      expect(container?.ports[0]?.containerPort).toBe(port);
    }
  });

  it('every file validates (Kubernetes and Argo Rollouts schemas, shellcheck)', async () => {
    const issues: string[] = [];
    for (const spec of [...artifactsOf(canary, ['gitops']), ...artifactsOf(canary, [])]) {
      for (const issue of await validateArtifact(spec, renderer.render(spec))) if (issue.severity === 'error') issues.push(`${spec.path}: ${issue.message}`);
    }
    expect(issues).toEqual([]);
  }, 60_000);

  it('a one-service plan keeps its file names, paths and template name', () => {
    const artifacts = artifactsOf(oneService, ['gitops']);
    expect(artifacts.map((a) => a.name)).toEqual(['rollout_strategy.yaml', 'traffic_split.yaml', 'canary_analysis.yaml', 'health_check.sh', 'feature_flags.json', 'release_captain_checklist.md']);
    expect(artifacts.find((a) => a.name === 'rollout_strategy.yaml')?.path).toBe('gitops-config/apps/crm-api/base/rollout.yaml');
    expect(docsOf(artifacts.find((a) => a.name === 'canary_analysis.yaml'))[0]?.metadata.name).toBe('canary-health');
  });

  it.skipIf(!hasKubectl)('each service folder builds with kubectl kustomize, holding only that service objects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rm-pd-kustomize-'));
    const artifacts = artifactsOf(canary, []);
    for (const svc of ['crm-api', 'crm-web']) {
      const files = artifacts.filter((a) => a.path.startsWith(`deploy/${svc}/`));
      for (const spec of files) {
        mkdirSync(dirname(join(dir, spec.path)), { recursive: true });
        writeFileSync(join(dir, spec.path), renderer.render(spec).content);
      }
      const resources = files.map((f) => f.path.slice(`deploy/${svc}/`.length)).sort();
      writeFileSync(join(dir, 'deploy', svc, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${svc}\nresources: [${resources.join(', ')}]\n`);
      const built = spawnSync('kubectl', ['kustomize', join(dir, 'deploy', svc)], { encoding: 'utf8' });
      expect(built.stderr).toBe('');
      const names = parseAllDocuments(built.stdout).map((d) => `${String(d.get('kind'))}/${String(d.getIn(['metadata', 'name']))}`);
      expect(names.sort()).toEqual(
        [`AnalysisTemplate/canary-health-${svc}`, `Rollout/${svc}`, `Service/${svc}`, `Service/${svc}-canary`, `Service/${svc}-stable`, `VirtualService/${svc}`].sort(),
      );
    }
  }, 60_000);

  it.skipIf(!hasPromtool)('every analysis query, with the arguments its Rollout passes, is valid PromQL selecting that service canary (promtool)', () => {
    const artifacts = artifactsOf(canary, ['gitops']);
    const queries: string[] = [];
    for (const svc of ['crm-api', 'crm-web']) {
      const [template] = docsOf(artifacts.find((a) => a.name === `canary_analysis_${svc}.yaml`));
      const passed = new Map([
        ...((template?.spec['args'] as { name: string; value?: string }[]).filter((a) => a.value !== undefined).map((a) => [a.name, a.value]) as [string, string][]),
        ['service-name', `${svc}-canary`],
      ]);
      for (const metric of template?.spec['metrics'] as { provider: { prometheus: { query: string } } }[]) {
        const query = metric.provider.prometheus.query.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (_, name: string) => passed.get(name) ?? `missing ${name}`);
        expect(query).toContain(`destination_service_name="${svc}-canary"`);
        queries.push(query);
      }
    }
    const file = join(mkdtempSync(join(tmpdir(), 'rm-pd-promql-')), 'rules.json');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'analysis', rules: queries.map((expr, i) => ({ record: `analysis_${i}`, expr })) }] }));
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('SUCCESS: 4 rules found');
  }, 60_000);
});

describe('the health check serves every service', () => {
  const script = (profile: P): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'rm-pd-health-')), 'health_check.sh');
    writeFileSync(file, renderer.render(artifactsOf(profile, []).find((a) => a.name === 'health_check.sh') as ArtifactSpec).content);
    return file;
  };
  const run = (file: string, args: string[]) => spawnSync('bash', [file, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'], ATTEMPTS: '1', DELAY_SECONDS: '0', HEALTH_URL: 'http://127.0.0.1:9/unreachable' } });

  it('takes the service as its argument and refuses one it does not know, naming the known ones', () => {
    const file = script(canary);
    const unknown = run(file, ['billing']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe("unknown service 'billing': expected one of crm-api, crm-web (usage: health_check.sh <service>)");
    expect(run(file, []).status).toBe(2);
    const known = run(file, ['crm-web']);
    expect(known.status).toBe(1);
    expect(known.stderr).toContain('health check failed after 1 attempts: http://127.0.0.1:9/unreachable');
  });

  it('defaults to the service port and health path', () => {
    const text = renderer.render(artifactsOf(canary, []).find((a) => a.name === 'health_check.sh') as ArtifactSpec).content;
    expect(text).toContain("readonly DEFAULT_HEALTH_URL_CRM_API='http://localhost:8080/healthz'");
    expect(text).toContain("readonly DEFAULT_HEALTH_URL_CRM_WEB='http://localhost:3000/health'");
    expect(text).toContain(`'crm-web') DEFAULT_HEALTH_URL="\${DEFAULT_HEALTH_URL_CRM_WEB}" ;;`);
  });
});

describe('the release captain checklist of several services', () => {
  const rings = ['internal', 'ga'];
  const list = promotionChecklist({ service: ['crm-api', 'crm-web'], version: '2.0.0', rings });

  it('checks and approves each service canary in each ring; markers and bake once per ring', () => {
    expect(list.steps.map((s) => s.id)).toEqual([
      'ack-page',
      ...['internal', 'ga'].flatMap((r) => [`ring-${r}-markers`, `ring-${r}-canary-health-crm-api`, `ring-${r}-canary-health-crm-web`, `ring-${r}-bake`, `ring-${r}-approve-crm-api`, `ring-${r}-approve-crm-web`]),
    ]);
    expect(list.title).toBe('Release captain checklist: crm-api and crm-web 2.0.0');
    expect(list.steps.find((s) => s.id === 'ring-internal-approve-crm-web')?.title).toBe('internal: approve promotion of crm-web to ga');
    expect(list.steps.find((s) => s.id === 'ring-internal-canary-health-crm-api')?.title).toBe('internal: verify canary health of crm-api (5%)');
  });

  it('one service in a list is the one-service checklist', () => {
    expect(promotionChecklist({ service: ['crm-api'], version: '1', rings })).toEqual(promotionChecklist({ service: 'crm-api', version: '1', rings }));
  });

  it("each approval at a ring boundary says how to let that service's paused Rollout move on", () => {
    const detailOf = (profile: P, companions: string[], id: string): string | undefined => {
      const body = artifactsOf(profile, companions).find((a) => a.name === 'release_captain_checklist.md')?.body;
      return body?.format === 'checklist' ? body.checklist.steps.find((s) => s.id === id)?.detail : undefined;
    };
    expect(detailOf(canary, ['gitops'], 'ring-internal-approve-crm-web')).toContain('crm-web\'s Rollout waits at the end of internal until promoted: then run `kubectl argo rollouts promote crm-web-rollout -n crm-web`.');
    expect(detailOf(canary, ['gitops'], 'ring-early-access-approve-crm-api')).toContain('`kubectl argo rollouts promote crm-api-rollout -n crm-api`');
    expect(detailOf(canary, [], 'ring-internal-approve-crm-web')).toContain('`kubectl argo rollouts promote crm-web`.');
    // The last ring has no pause to end; traffic-percent canaries have none at ring boundaries.
    expect(detailOf(canary, ['gitops'], 'ring-ga-approve-crm-web')).not.toContain('kubectl');
    const traffic = { ...canary, release_policy: { ring_model: { enabled: true, rings: ['internal', 'ga'], cohort_strategy: 'traffic_percent' } } };
    expect(detailOf(traffic, ['gitops'], 'ring-internal-approve-crm-web')).not.toContain('kubectl');
    expect(detailOf(oneService, ['gitops'], 'ring-internal-approve')).toContain('The Rollout waits at the end of internal until promoted: then run `kubectl argo rollouts promote crm-api-rollout -n crm-api`.');
  });

  it('the plan checklist names every service of the plan', () => {
    const body = artifactsOf(canary, []).find((a) => a.name === 'release_captain_checklist.md')?.body;
    const steps = body?.format === 'checklist' ? body.checklist.steps.map((s) => s.id) : [];
    expect(steps).toContain('ring-early-access-approve-crm-web');
    expect(steps).toContain('ring-ga-canary-health-crm-api');
  });
});
