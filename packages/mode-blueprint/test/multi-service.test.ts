import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMode, type ArtifactSpec } from '@ringmaster/core';
import { renderShell, validateArtifact, FileRenderer } from '@ringmaster/renderer';
import { afterAll, describe, expect, it } from 'vitest';
import { blueprintMode } from '../src/index.js';

/** Plans with two services: each is built from its own context, scanned, signed and promoted to every target. */

const SERVICES = [
  { name: 'crm-api', image: 'crm-api', build_context: 'services/api' },
  { name: 'crm-web', image: 'crm-web' },
];
const DELIVERY = { organization: 'acme', app_repository: 'acme/crm', config_repository: 'acme/crm-deploy', registry: 'ghcr.io/acme' };
const API = 'ghcr.io/acme/crm-api';
const WEB = 'ghcr.io/acme/crm-web';

const ringsProfile = (services: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  goal: 'pipeline and deploy',
  crm_profile: { multi_tenant: true },
  infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-west-1'] },
  ci_platform: 'github',
  delivery: { ...DELIVERY, services },
  ...extra,
});
const regionsProfile = (services: unknown[]): Record<string, unknown> =>
  ringsProfile(services, { crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] }, infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-central-1', 'us-east-1'] }, release_policy: { change_approval_level: 'cab' } });

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  needs?: string[] | string;
  uses?: string;
  with?: Record<string, string>;
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: { workflow_call?: { inputs: Record<string, unknown> } };
  jobs: Record<string, Job>;
}

const artifact = (artifacts: readonly ArtifactSpec[], path: string): ArtifactSpec => {
  const found = artifacts.find((a) => a.path === path);
  if (found === undefined) throw new Error(`no ${path} in ${artifacts.map((a) => a.path).join(', ')}`);
  return found;
};
const workflowOf = (spec: ArtifactSpec): Workflow => (spec.body.format === 'yaml' ? (spec.body.documents[0] as Workflow) : { on: {}, jobs: {} });
const release = (profile: Record<string, unknown>, companions: string[] = []): Workflow => workflowOf(artifact(runMode(blueprintMode, profile, companions).artifacts.filter(isSpec), '.github/workflows/release.yml'));
const isSpec = (a: unknown): a is ArtifactSpec => typeof a === 'object' && a !== null && 'body' in a;
/** The promote.sh calls of a job's steps, as `service <- digest expression`. */
const promotions = (job: Job | undefined): string[] => (job?.steps ?? []).filter((s) => s.run?.includes('scripts/promote.sh')).map((s) => `${s.env?.['SERVICE']} <- ${s.env?.['DIGEST']}`);

describe('the GitHub release pipeline of a two-service plan', () => {
  it('builds each service from its own context and outputs every digest by service', () => {
    const build = release(ringsProfile(SERVICES)).jobs['build'];
    const builds = (build?.steps ?? []).filter((s) => s.run?.includes('docker buildx build'));
    expect(builds.map((s) => s.env)).toEqual([
      { SERVICE: 'crm-api', IMAGE: API, CONTEXT: 'services/api' },
      { SERVICE: 'crm-web', IMAGE: WEB, CONTEXT: 'services/crm-web' },
    ]);
    for (const step of builds) expect(step.run).toMatch(/-t "\$\{IMAGE\}:\$\{\{ github\.sha \}\}" "\$\{CONTEXT\}"\n/);
    expect(build?.outputs).toEqual({ digests: '${{ steps.push.outputs.digests }}' });
    expect(build?.steps?.at(-1)).toMatchObject({ id: 'push' });
  });

  it('scans and signs each service through the reusable signing workflow, once per service', () => {
    const jobs = release(ringsProfile(SERVICES), ['supply-chain']).jobs;
    const scans = (jobs['security']?.steps ?? []).filter((s) => s.run?.startsWith('trivy image')).map((s) => s.env?.['IMAGE']);
    expect(scans).toEqual([`${API}@\${{ fromJSON(needs.build.outputs.digests)['crm-api'] }}`, `${WEB}@\${{ fromJSON(needs.build.outputs.digests)['crm-web'] }}`]);
    expect(jobs['sign']).toBeUndefined();
    for (const [service, image] of [['crm-api', API], ['crm-web', WEB]] as const) {
      expect(jobs[`sign-${service}`]).toMatchObject({ uses: './.github/workflows/release-signing.yml', with: { service, image, digest: `\${{ fromJSON(needs.build.outputs.digests)['${service}'] }}` } });
    }
  });

  it('signs each service in the pipeline without the supply-chain mode, with provenance per service', () => {
    const jobs = release(ringsProfile(SERVICES)).jobs;
    expect((jobs['publish']?.steps ?? []).filter((s) => s.run?.startsWith('cosign sign')).map((s) => s.env?.['IMAGE'])).toEqual([
      `${API}@\${{ fromJSON(needs.build.outputs.digests)['crm-api'] }}`,
      `${WEB}@\${{ fromJSON(needs.build.outputs.digests)['crm-web'] }}`,
    ]);
    expect(jobs['provenance-crm-web']?.with).toMatchObject({ image: WEB, digest: "${{ fromJSON(needs.build.outputs.digests)['crm-web'] }}" });
    // The first promotion waits for both provenance jobs.
    const first = Object.entries(jobs).find(([id]) => id.startsWith('deploy-'))?.[1];
    expect(first?.needs).toEqual(['provenance-crm-api', 'provenance-crm-web', 'build']);
  });

  it('promotes every service to a target before the next target, then runs the scripted deploy', () => {
    const jobs = release(ringsProfile(SERVICES, { cd_strategy: 'push' }), ['gitops']).jobs;
    const deploys = Object.entries(jobs).filter(([id]) => id.startsWith('deploy-'));
    expect(deploys.map(([id]) => id)).toEqual(['deploy-ring0-internal', 'deploy-ring1-early-adopters', 'deploy-ring2-ga']);
    for (const [, job] of deploys) {
      expect(promotions(job)).toEqual(["crm-api <- ${{ fromJSON(needs.build.outputs.digests)['crm-api'] }}", "crm-web <- ${{ fromJSON(needs.build.outputs.digests)['crm-web'] }}"]);
      const steps = job.steps ?? [];
      const lastPromotion = steps.findLastIndex((s) => s.run?.includes('promote.sh'));
      const deploy = steps.findIndex((s) => s.run?.includes('scripts/scripted_deploy.sh "${TARGET}"'));
      expect(deploy).toBeGreaterThan(lastPromotion);
    }
  });

  it('hands every digest to the residency-gated region workflow and the CAB gate, which promote each service per region', () => {
    const run = runMode(blueprintMode, regionsProfile(SERVICES));
    const jobs = workflowOf(artifact(run.artifacts, '.github/workflows/release.yml')).jobs;
    const callers = Object.values(jobs).filter((j) => j.uses === './.github/workflows/deploy-regions.yml');
    expect(callers.length).toBe(2);
    for (const caller of callers) expect(caller.with?.['digests']).toBe('${{ needs.build.outputs.digests }}');
    expect(jobs['approval-gate']?.with).toEqual({ digests: '${{ needs.build.outputs.digests }}' });
    const regions = workflowOf(artifact(run.artifacts, '.github/workflows/deploy-regions.yml'));
    expect(Object.keys(regions.on.workflow_call?.inputs ?? {})).toEqual(['digests', 'jurisdiction', 'targets']);
    expect(promotions(regions.jobs['deploy'])).toEqual(["crm-api <- ${{ fromJSON(inputs.digests)['crm-api'] }}", "crm-web <- ${{ fromJSON(inputs.digests)['crm-web'] }}"]);
    expect(regions.jobs['deploy']?.steps?.find((s) => s.env?.['SERVICE'] === 'crm-web')?.env?.['TARGET']).toBe('${{ matrix.target.name }}');
    const gate = workflowOf(artifact(run.artifacts, '.github/workflows/approval-gate.yml'));
    expect(Object.keys(gate.on.workflow_call?.inputs ?? {})).toEqual(['digests']);
  });

  it('promotes given environments with regions per jurisdiction through the residency gate, with the region and cluster of each', () => {
    const environments = [
      { name: 'prod-eu', region: 'eu-central-1', cluster: 'eks-eu' },
      { name: 'prod-us', region: 'us-east-1', cluster: 'eks-us' },
    ];
    const profile = regionsProfile(SERVICES);
    const jobs = release({ ...profile, delivery: { ...DELIVERY, services: SERVICES, environments } }).jobs;
    expect(jobs['deploy-eu']).toMatchObject({ uses: './.github/workflows/deploy-regions.yml', with: { jurisdiction: 'eu', targets: JSON.stringify([{ name: 'prod-eu', region: 'eu-central-1', cluster: 'eks-eu' }]) } });
    expect(jobs['deploy-us']?.with?.['targets']).toBe(JSON.stringify([{ name: 'prod-us', region: 'us-east-1', cluster: 'eks-us' }]));
  });

  it('keeps the job ids of a one-service plan, and calls promote.sh with its service', () => {
    const one = [{ name: 'crm-api', image: 'crm-api' }];
    expect(Object.keys(release(ringsProfile(one), ['supply-chain']).jobs)).toEqual(['build', 'test', 'security', 'sast', 'sign', 'deploy-ring0-internal', 'deploy-ring1-early-adopters', 'deploy-ring2-ga']);
    const own = release(ringsProfile(one)).jobs;
    expect(Object.keys(own)).toEqual(expect.arrayContaining(['publish', 'provenance']));
    expect(own['deploy-ring0-internal']?.needs).toEqual(['provenance', 'build']);
    expect(promotions(own['deploy-ring0-internal'])).toEqual(["crm-api <- ${{ fromJSON(needs.build.outputs.digests)['crm-api'] }}"]);
    const build = (own['build']?.steps ?? []).filter((s) => s.run?.includes('docker buildx build'));
    expect(build.map((s) => s.env?.['CONTEXT'])).toEqual(['.']);
  });

  it.each([
    ['one service, rings, own signing', ringsProfile([{ name: 'crm-api' }]), []],
    ['two services, rings, supply-chain signing, push CD', ringsProfile(SERVICES, { cd_strategy: 'push' }), ['supply-chain', 'gitops']],
    ['two services, regions and CAB', regionsProfile(SERVICES), []],
  ])('every GitHub workflow parses with the workflow parser: %s', async (_name, profile, companions) => {
    const renderer = new FileRenderer();
    const workflows = runMode(blueprintMode, profile, companions).artifacts.filter(isSpec).filter((a) => a.path.startsWith('.github/workflows/'));
    expect(workflows.length).toBeGreaterThan(0);
    for (const spec of workflows) {
      const issues = (await validateArtifact(spec, renderer.render(spec))).filter((i) => i.severity === 'error');
      expect(issues, spec.path).toEqual([]);
    }
  });
});

/** promote.sh as a file, rendered from the plan. */
function promoteScript(profile: Record<string, unknown>, companions: string[]): { path: string; spec: ArtifactSpec; content: string } {
  const spec = artifact(runMode(blueprintMode, profile, companions).artifacts.filter(isSpec), 'scripts/promote.sh');
  if (spec.body.format !== 'shell') throw new Error('promote.sh is not a shell script');
  const content = renderShell(spec.body.summary, spec.body.vars, spec.body.script);
  const path = join(root, `promote-${++scripts}.sh`);
  writeFileSync(path, content);
  return { path, spec, content };
}

const root = mkdtempSync(join(tmpdir(), 'ringmaster-promote-'));
let scripts = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function ok(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = run(cmd, args, cwd, env);
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}
const git = (cwd: string, ...args: string[]): string => ok('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], cwd);
const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;
const UNPROMOTED = digestOf('0');

/** A bare `file://` config repository holding `files`, on branch main. */
function configRemote(name: string, files: Record<string, string>): string {
  const bare = join(root, `${name}.git`);
  git(root, 'init', '--quiet', '--bare', bare);
  const work = join(root, `${name}-seed`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  git(work, 'init', '--quiet', '-b', 'main');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'initial config');
  git(work, 'push', '--quiet', `file://${bare}`, 'main');
  return `file://${bare}`;
}

/** A stand-in cosign on PATH: records its arguments, one call per line, and succeeds. */
function fakeCosign(name: string): { bin: string; calls: () => string[] } {
  const bin = join(root, `bin-${name}`);
  mkdirSync(bin, { recursive: true });
  const log = join(bin, 'cosign.log');
  writeFileSync(join(bin, 'cosign'), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\n`);
  chmodSync(join(bin, 'cosign'), 0o755);
  return { bin, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

/** A service's kustomize base: one Deployment running its image. */
const base = (service: string, image: string): Record<string, string> => ({
  [`apps/${service}/base/kustomization.yaml`]: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n',
  [`apps/${service}/base/deployment.yaml`]: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${service}\nspec:\n  selector:\n    matchLabels:\n      app: ${service}\n  template:\n    metadata:\n      labels:\n        app: ${service}\n    spec:\n      containers:\n        - name: ${service}\n          image: ${image}\n`,
});
const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;

/** The overlay's kustomization the GitOps mode writes: the service's image at a digest. */
const kustomization = (image: string): string => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nimages:\n  - name: ${image}\n    digest: ${UNPROMOTED}\n`;

describe.each([
  { layout: 'kustomize overlays (Argo CD)', profile: ringsProfile(SERVICES, { cd_strategy: 'gitops', gitops_tool: 'argocd' }), companions: ['gitops'], kustomized: true },
  { layout: 'image files (VM, push)', profile: ringsProfile(SERVICES, { cd_strategy: 'push', infra: { cloud_provider: 'aws', orchestrator: 'vm', regions: ['eu-west-1'] } }), companions: ['gitops'], kustomized: false },
])('promote.sh of a two-service plan, $layout', ({ layout, profile, companions, kustomized }) => {
  const name = layout.replace(/[^a-z]+/g, '-');
  const script = promoteScript(profile, companions);
  const target = 'ring1_early_adopters';
  const fileOf = (service: string): string => (kustomized ? `apps/${service}/overlays/${target}/kustomization.yaml` : `releases/${target}/${service}.image`);
  const seed: Record<string, string> = kustomized
    ? { [fileOf('crm-api')]: kustomization(API), [fileOf('crm-web')]: kustomization(WEB), ...base('crm-api', API), ...base('crm-web', WEB) }
    : { 'README.md': 'config repository\n' };
  const remote = configRemote(name, seed);
  const cosign = fakeCosign(name);
  const env = { PATH: `${cosign.bin}:${process.env['PATH'] ?? ''}`, CONFIG_REPO_URL: remote, GIT_AUTHOR_NAME: 'release bot', GIT_AUTHOR_EMAIL: 'bot@example.invalid', GIT_COMMITTER_NAME: 'release bot', GIT_COMMITTER_EMAIL: 'bot@example.invalid' };
  const promote = (...args: string[]) => run('bash', [script.path, ...args], root, env);
  const checkout = join(root, `check-${name}`);
  /** The digest each service runs on the target in the config repository now, and its commit count. */
  const state = (): { api: string; web: string; commits: number } => {
    rmSync(checkout, { recursive: true, force: true });
    git(root, 'clone', '--quiet', remote, checkout);
    const read = (service: string, image: string): string => {
      let text: string;
      try {
        text = readFileSync(join(checkout, fileOf(service)), 'utf8');
      } catch {
        return 'none';
      }
      return kustomized ? (new RegExp(`name: ${image}\\n\\s+digest: (sha256:[0-9a-f]+)`).exec(text)?.[1] ?? 'none') : text.trim().replace(`${image}@`, '');
    };
    return { api: read('crm-api', API), web: read('crm-web', WEB), commits: Number(git(checkout, 'rev-list', '--count', 'HEAD').trim()) };
  };

  it('passes shellcheck', async () => {
    expect(await validateArtifact(script.spec, script.content)).toEqual([]);
  });

  it('promotes each service to its own file after verifying its signature, idempotently, and rolls back one service alone', () => {
    expect(promote('crm-api', digestOf('a'), target)).toMatchObject({ status: 0 });
    expect(promote('crm-web', digestOf('b'), target)).toMatchObject({ status: 0 });
    expect(state()).toMatchObject({ api: digestOf('a'), web: digestOf('b') });
    const signer = '--certificate-identity https://github.com/acme/crm/.github/workflows/release.yml@refs/heads/main --certificate-oidc-issuer https://token.actions.githubusercontent.com';
    expect(cosign.calls()).toEqual([`verify ${signer} ${API}@${digestOf('a')}`, `verify ${signer} ${WEB}@${digestOf('b')}`]);
    expect(git(checkout, 'log', '-1', '--format=%s')).toBe(`promote crm-web to ${digestOf('b')} on ${target}\n`);

    // Right after its first promotion a service has nothing to roll back to.
    const early = promote('--rollback', 'crm-web', target);
    expect([early.status, early.stderr.trim()]).toEqual([1, `promote.sh: crm-web has no earlier promotion on ${target} to roll back to`]);

    // The same digest again changes nothing.
    const before = state().commits;
    expect(promote('crm-web', digestOf('b'), target).stdout).toContain(`crm-web on ${target} already runs ${WEB}@${digestOf('b')}`);
    expect(state().commits).toBe(before);

    // A second release of crm-api, then its rollback: crm-api returns to its previous digest, re-verified; crm-web stays.
    expect(promote('crm-api', digestOf('c'), target)).toMatchObject({ status: 0 });
    expect(state()).toMatchObject({ api: digestOf('c'), web: digestOf('b') });
    expect(promote('--rollback', 'crm-api', target)).toMatchObject({ status: 0 });
    expect(state()).toMatchObject({ api: digestOf('a'), web: digestOf('b') });
    expect(cosign.calls().at(-1)).toBe(`verify ${signer} ${API}@${digestOf('a')}`);
    expect(git(checkout, 'log', '-1', '--format=%s')).toBe(`rollback crm-api to ${digestOf('a')} on ${target}\n`);
    // Each overlay builds with its own service's image at the promoted digest.
    if (kustomized && hasKubectl) {
      expect(ok('kubectl', ['kustomize', join(checkout, `apps/crm-api/overlays/${target}`)], root)).toContain(`image: ${API}@${digestOf('a')}`);
      expect(ok('kubectl', ['kustomize', join(checkout, `apps/crm-web/overlays/${target}`)], root)).toContain(`image: ${WEB}@${digestOf('b')}`);
    }
  }, 180_000);

  it('refuses an unknown service, a bad digest, an unknown target and the wrong arguments with exit 2, changing nothing', () => {
    const before = state();
    const calls = cosign.calls().length;
    const unknown = promote('crm-worker', digestOf('d'), target);
    expect([unknown.status, unknown.stderr]).toEqual([2, 'promote.sh: unknown service crm-worker (services: crm-api crm-web)\n']);
    expect(promote('--rollback', 'crm-worker', target).status).toBe(2);
    expect(promote('crm-api', 'sha256:xyz', target).status).toBe(2);
    expect(promote('crm-api', digestOf('d'), 'no-such-target').stderr).toMatch(/^promote.sh: unknown target no-such-target \(targets: ring0_internal ring1_early_adopters ring2_ga\)\n$/);
    // The one-service interface of earlier plans is refused with the usage.
    const old = promote(digestOf('d'), target);
    expect([old.status, old.stderr]).toEqual([2, 'usage: promote.sh <service> sha256:<digest> <target> | promote.sh --rollback <service> <target>\n']);
    expect(state()).toEqual(before);
    expect(cosign.calls().length).toBe(calls);
  }, 120_000);
});
