import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DeliverySystem, PlanResult } from '@ringmaster/core';
import { openGitOpsRepository, promotionFilesOf } from '@ringmaster/connector-gitops';
import { createEngine } from '@ringmaster/modes';
import { writePlan } from '@ringmaster/renderer';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/**
 * The system test: plan with --out over a matrix of profiles, then treat the output as a team
 * would: build every kustomize overlay, check every alert rule and analysis query with promtool,
 * run promote.sh against a real (local, bare) config repository with a stand-in cosign that
 * records what it was asked to verify, and roll back. Skips only when kubectl or promtool is missing.
 */

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = ['kubectl', 'promtool', 'git'].filter((t) => !has(t));
/** The suite's title carries the reason when it is skipped, so the test report shows it. */
const title = missing.length > 0 ? `system: SKIPPED, ${missing.join(', ')} not installed (run scripts/install-system-deps.sh)` : 'system: a planned delivery system runs';

const GOAL = 'Full delivery blueprint: CI pipeline with signing and SLSA provenance, GitOps, canary rollout to tenant rings, incident response';
const NAMES = {
  organization: 'acme',
  app_repository: 'acme/crm-platform',
  config_repository: 'acme/crm-deploy',
  services: [{ name: 'crm-api', port: 8080, health_path: '/healthz', image: 'crm-api' }],
  github_ids: { owner_id: '70123456', repository_id: '81234567' },
};
/** Two services released together, each from its own folder and image. */
const TWO_SERVICES = [
  { name: 'crm-api', port: 8080, health_path: '/healthz', image: 'crm-api', build_context: 'services/api' },
  { name: 'crm-web', port: 3000, health_path: '/health', image: 'web/crm-web', build_context: 'services/web' },
];

interface Case {
  id: string;
  profile: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    id: 'github/argocd/kubernetes/aws',
    profile: {
      goal: GOAL,
      crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] },
      infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-central-1', 'us-east-1'] },
      release_policy: { ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' } },
      ci_platform: 'github_actions',
      cd_strategy: 'gitops',
      gitops_tool: 'argocd',
      delivery: { ...NAMES, registry: 'ghcr.io/acme', cloud: { aws_account_id: '210987654321' } },
    },
  },
  {
    id: 'gitlab/flux/kubernetes/gcp',
    profile: {
      goal: GOAL,
      crm_profile: { multi_tenant: true },
      infra: { cloud_provider: 'gcp', orchestrator: 'kubernetes' },
      release_policy: { ring_model: { enabled: true, rings: ['canary', 'general'] }, change_approval_level: 'cab' },
      current_pain: ['runner_risk'],
      ci_platform: 'gitlab',
      cd_strategy: 'gitops',
      gitops_tool: 'flux',
      delivery: { ...NAMES, organization: 'acme-group', app_repository: 'acme-group/crm/crm-platform', config_repository: 'acme-group/crm/crm-deploy', cloud: { gcp_project_id: 'acme-crm-prod', gcp_project_number: '480019283746' } },
    },
  },
  {
    id: 'github/argocd/kubernetes/aws, two services',
    profile: {
      goal: GOAL,
      crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] },
      infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-central-1', 'us-east-1'] },
      ci_platform: 'github_actions',
      cd_strategy: 'gitops',
      gitops_tool: 'argocd',
      delivery: { ...NAMES, services: TWO_SERVICES, registry: 'ghcr.io/acme', cloud: { aws_account_id: '210987654321' } },
    },
  },
  {
    id: 'gitlab/flux/kubernetes/gcp, two services',
    profile: {
      goal: GOAL,
      crm_profile: { multi_tenant: true },
      infra: { cloud_provider: 'gcp', orchestrator: 'kubernetes' },
      ci_platform: 'gitlab',
      cd_strategy: 'gitops',
      gitops_tool: 'flux',
      delivery: { ...NAMES, services: TWO_SERVICES, organization: 'acme-group', app_repository: 'acme-group/crm/crm-platform', config_repository: 'acme-group/crm/crm-deploy', cloud: { gcp_project_id: 'acme-crm-prod', gcp_project_number: '480019283746' } },
    },
  },
  {
    id: 'azure devops/argocd/kubernetes/azure, two services',
    profile: {
      goal: GOAL,
      infra: { cloud_provider: 'azure', orchestrator: 'kubernetes' },
      ci_platform: 'azure devops',
      cd_strategy: 'gitops',
      gitops_tool: 'argocd',
      delivery: {
        ...NAMES,
        services: TWO_SERVICES,
        organization: 'acme',
        app_repository: 'acme/crm/crm-platform',
        config_repository: 'acme/crm/crm-deploy',
        registry: 'acmecrm.azurecr.io',
        cloud: { azure_subscription_id: '3f2c8a4e-1b7d-4c9e-a6f0-5d8b2e7c1a90', azure_tenant_id: '9a1e4c7b-2d5f-4e8a-b3c6-7f0d1e2a4b58' },
        azure_devops_ids: { subject_prefix: '/eid1/c/pub/t/abc/a/def', organization_id: '5b7e2c1a-8d4f-4a6e-9c3b-1e0f2d7a6c84', service_connection_id: '0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f' },
      },
    },
  },
  {
    id: 'github/argocd/kubernetes/azure, placeholders',
    profile: { goal: GOAL, infra: { cloud_provider: 'azure', orchestrator: 'kubernetes' }, ci_platform: 'github', cd_strategy: 'gitops', gitops_tool: 'argocd' },
  },
  {
    id: 'github/push/kubernetes/aws, two services',
    profile: {
      goal: GOAL,
      crm_profile: { multi_tenant: true },
      infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-west-1'] },
      ci_platform: 'github',
      cd_strategy: 'push',
      delivery: { ...NAMES, services: TWO_SERVICES, registry: 'ghcr.io/acme', cloud: { aws_account_id: '210987654321' } },
    },
  },
  {
    id: 'github/push/vm/aws, two services',
    profile: { goal: GOAL, infra: { cloud_provider: 'aws', orchestrator: 'vm' }, ci_platform: 'github', cd_strategy: 'push', delivery: { ...NAMES, services: TWO_SERVICES, cloud: { aws_account_id: '210987654321' } } },
  },
];

const root = mkdtempSync(join(tmpdir(), 'ringmaster-system-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

const git = (cwd: string, ...args: string[]): string => run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd });

/** Makes a bare `file://` remote holding `content` (the config part of the plan), on branch main. */
function configRemote(name: string, content: string): string {
  const bare = join(root, `${name}.git`);
  git(root, 'init', '--quiet', '--bare', bare);
  const work = join(root, `${name}-seed`);
  mkdirSync(work, { recursive: true });
  if (existsSync(content)) run('cp', ['-R', `${content}/.`, work]);
  else writeFileSync(join(work, 'README.md'), 'config repository\n');
  git(work, 'init', '--quiet', '-b', 'main');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'initial config');
  git(work, 'push', '--quiet', `file://${bare}`, 'main');
  return `file://${bare}`;
}

/**
 * A stand-in kubectl for the scripted deploy: `kustomize` runs the real kubectl (offline), every
 * other call is recorded, and what `apply -f` is given is appended to applied.yaml.
 */
function fakeKubectl(dir: string): { log: string; applied: string } {
  const real = run('sh', ['-c', 'command -v kubectl']).trim();
  const log = join(dir, 'kubectl.log');
  const applied = join(dir, 'applied.yaml');
  writeFileSync(
    join(dir, 'kubectl'),
    `#!/usr/bin/env bash
if [[ "$1" == kustomize ]]; then exec ${JSON.stringify(real)} "$@"; fi
printf '%s\\n' "$*" >> ${JSON.stringify(log)}
if [[ "$1" == create ]]; then printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: %s\\n' "$3"; exit 0; fi
if [[ "$1" == apply ]]; then
  while [[ $# -gt 0 ]]; do
    if [[ "$1" == -f ]]; then
      if [[ "$2" == - ]]; then cat >> ${JSON.stringify(applied)}; else cat "$2" >> ${JSON.stringify(applied)}; fi
    fi
    shift
  done
fi
`,
  );
  chmodSync(join(dir, 'kubectl'), 0o755);
  return { log, applied };
}

/** A stand-in cosign: records its arguments, one call per line, and succeeds. */
function fakeCosign(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'cosign.log');
  writeFileSync(join(dir, 'cosign'), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\n`);
  chmodSync(join(dir, 'cosign'), 0o755);
  return log;
}

const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;

interface Planned {
  result: PlanResult;
  out: string;
  delivery: DeliverySystem;
  files: Map<string, string>;
}

const engine = createEngine();
async function plan(c: Case, index: number): Promise<Planned> {
  const result = engine.plan(structuredClone(c.profile));
  const out = join(root, `out-${index}`);
  await writePlan(result, out);
  const files = new Map(result.files.map((f) => [f.path, f.content]));
  return { result, out, delivery: engine.delivery(structuredClone(c.profile)), files };
}

/** The alert rules of every PrometheusRule, and every analysis query as a recording rule. */
function promRuleFiles(p: Planned): { name: string; groups: unknown[] }[] {
  const out: { name: string; groups: unknown[] }[] = [];
  for (const [path, content] of p.files) {
    if (!/\.ya?ml$/.test(path)) continue;
    for (const doc of parseAllDocuments(content)) {
      const value = doc.toJSON() as { kind?: string; spec?: { groups?: unknown[]; metrics?: { name: string; provider?: { prometheus?: { query: string } } }[] } } | null;
      if (value?.kind === 'PrometheusRule' && value.spec?.groups) out.push({ name: path, groups: value.spec.groups });
      if (value?.kind === 'AnalysisTemplate') {
        const rules = (value.spec?.metrics ?? [])
          .filter((m) => m.provider?.prometheus)
          .map((m) => ({ record: `analysis:${m.name.replace(/[^a-zA-Z0-9_]/g, '_')}`, expr: (m.provider?.prometheus?.query ?? '').replace(/\{\{\s*args\.[\w-]+\s*\}\}/g, 'placeholder') }));
        out.push({ name: `${path} (analysis queries)`, groups: [{ name: 'analysis', rules }] });
      }
    }
  }
  return out;
}

describe.skipIf(missing.length > 0)(title, () => {
  it.each(CASES.map((c, i) => [c.id, c, i] as const))('%s', async (_id, c, index) => {
    const p = await plan(c, index);
    const d = p.delivery;
    const paths = [...p.files.keys()];
    expect(d.services.map((s) => s.name)).toEqual(((c.profile['delivery'] as { services?: { name: string }[] } | undefined)?.services ?? [{ name: 'crm-api' }]).map((s) => s.name));

    // One image reference per service across all files.
    for (const service of d.services) {
      const last = service.image.split('/').at(-1);
      const imageRefs = new Set<string>();
      for (const content of p.files.values()) {
        for (const m of content.matchAll(/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:\/[a-z0-9._-]+)*\/([a-z0-9._-]+)(?=[@:"'\s]|$)/g)) if (m[1] === last) imageRefs.add(m[0]);
      }
      expect([...imageRefs], service.name).toEqual([service.image]);
    }

    // No file of another CI vendor; every called workflow exists and every workflow_call workflow is called.
    if (d.ci.vendor !== 'github_actions') expect(paths.filter((f) => f.startsWith('.github/'))).toEqual([]);
    const workflows = paths.filter((f) => f.startsWith('.github/workflows/'));
    const called = new Set<string>();
    for (const f of workflows) for (const m of (p.files.get(f) as string).matchAll(/uses: \.\/(\.github\/workflows\/[\w.-]+)/g)) called.add(m[1] as string);
    for (const f of called) expect(workflows, `called workflow ${f}`).toContain(f);
    for (const f of workflows.filter((w) => (p.files.get(w) as string).includes('workflow_call'))) expect([...called], `${f} is workflow_call-only`).toContain(f);
    // GitLab fragments are included by the pipeline.
    const gitlabCi = p.files.get('.gitlab-ci.yml');
    const fragments = paths.filter((x) => x.endsWith('.gitlab-ci.yml') && x !== '.gitlab-ci.yml');
    for (const f of fragments) expect(gitlabCi, `${f} included`).toContain(`local: ${f}`);
    if (gitlabCi !== undefined) {
      const stages = (parseAllDocuments(gitlabCi)[0]?.toJSON() as { stages: string[] }).stages;
      const texts = [gitlabCi, ...fragments.map((x) => p.files.get(x) as string)];
      for (const f of texts) for (const m of f.matchAll(/^\s+stage: (\S+)$/gm)) expect(stages, `stage ${m[1]}`).toContain(m[1]);
      // Every job a fragment needs is defined in the pipeline or one of its fragments.
      const jobs = new Set(texts.flatMap((t) => Object.keys((parseAllDocuments(t).at(-1)?.toJSON() ?? {}) as Record<string, unknown>)));
      for (const f of texts) for (const m of f.matchAll(/- job: (\S+)/g)) expect(jobs, `needed job ${m[1]}`).toContain(m[1]);
    }

    // The signer promote.sh accepts is the workflow that really signs the image.
    const signing = d.ci.signing;
    if (signing.kind === 'keyless') {
      expect(signing.identity.endsWith(`/${signing.workflowPath}@refs/heads/main`)).toBe(true);
      const signer = p.files.get(signing.workflowPath) ?? '';
      const fragments = [...(signer.matchAll(/local: ([\w./-]+)/g))].map((m) => p.files.get(m[1] as string) ?? '');
      expect([signer, ...fragments].some((text) => text.includes('cosign sign --yes')), `${signing.workflowPath} signs`).toBe(true);
      expect(signing.identity).toContain(d.appRepo.path);
    }

    // promtool checks every alert rule and every analysis query.
    const ruleDir = join(root, `rules-${index}`);
    mkdirSync(ruleDir, { recursive: true });
    promRuleFiles(p).forEach((file, i) => {
      const path = join(ruleDir, `rules-${i}.yaml`);
      writeFileSync(path, JSON.stringify({ groups: file.groups }));
      run('promtool', ['check', 'rules', path]);
    });

    // The config part becomes a real repository; every overlay of every service builds.
    const configDir = join(p.out, d.gitops.configDir);
    const remote = configRemote(`config-${index}`, configDir);
    const kustomized = d.gitops.kustomize;
    if (kustomized) {
      for (const service of d.services) {
        for (const target of d.targets) {
          const built = run('kubectl', ['kustomize', join(configDir, d.gitops.overlayPath(service.name, target.name))]);
          expect(built).toContain(`image: ${service.image}@${d.unpromotedDigest}`);
          expect(built).not.toMatch(/kind: Deployment[\s\S]*kind: Rollout[\s\S]*template:/); // a Rollout with workloadRef, never two pod templates
          for (const other of d.services.filter((o) => o !== service)) expect(built).not.toContain(other.image);
        }
      }
    }
    if (d.gitops.tool !== 'none') {
      // Argo CD / Flux sync exactly the overlay paths promotion edits.
      const syncFiles = filesUnder(configDir).filter((f) => /^(argocd|clusters)\//.test(f)).map((f) => readFileSync(join(configDir, f), 'utf8')).join('\n');
      for (const service of d.services) for (const target of d.targets) expect(syncFiles).toContain(d.gitops.overlayPath(service.name, target.name));
      expect(syncFiles).toContain(d.configRepo.url);
    }

    // Promotion against the local config repository, with a stand-in cosign, service by service.
    const bin = join(root, `bin-${index}`);
    const cosignLog = fakeCosign(bin);
    const cosignCalls = (): string[] => readFileSync(cosignLog, 'utf8').trim().split('\n');
    const env = { PATH: `${bin}:${process.env['PATH'] ?? ''}`, CONFIG_REPO_URL: remote, GIT_AUTHOR_NAME: 'release bot', GIT_AUTHOR_EMAIL: 'bot@example.invalid', GIT_COMMITTER_NAME: 'release bot', GIT_COMMITTER_EMAIL: 'bot@example.invalid' };
    const promote = join(p.out, 'scripts/promote.sh');
    const target = (d.targets[0] as { name: string }).name;
    const checkout = join(root, `check-${index}`);
    /** What a target runs for a service in a fresh clone: the built overlay, or the image file ('' before its first promotion). */
    const clone = (service: string, at = target): string => {
      rmSync(checkout, { recursive: true, force: true });
      git(root, 'clone', '--quiet', remote, checkout);
      if (kustomized) return run('kubectl', ['kustomize', join(checkout, d.gitops.overlayPath(service, at))]);
      const file = join(checkout, d.gitops.promotionFile(service, at));
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    const commits = (): number => Number(git(checkout, 'rev-list', '--count', 'HEAD').trim());
    const runbook = p.files.get('docs/runbooks/incident_checklist.md') ?? '';
    expect(runbook).not.toMatch(/(?<!such as |Never )`kubectl argo rollouts undo/);
    const named = /`([\w./-]+) --rollback ([\w-]+) ([A-Z]+)`/.exec(runbook);
    expect(named, 'the incident runbook names the rollback command').not.toBeNull();
    const [, script, serviceWord, targetWord] = named as RegExpExecArray;
    expect(serviceWord).toBe(d.services.length === 1 ? d.services[0].name : 'SERVICE');
    expect(runbook).toContain(d.gitops.promotionFile(serviceWord as string, targetWord as string));
    expect(runbook).toContain(`ringmaster rollback --config-repo ${d.configRepo.url} --target`);
    // The traffic stop the runbook names aborts a Rollout the plan defines, in its namespace.
    const abort = /kubectl argo rollouts abort ([\w-]+) -n ([\w-]+)/.exec(runbook);
    if (abort !== null && d.services.length === 1) {
      const rollouts = [...p.files.values()].flatMap((text) => [...text.matchAll(/^kind: Rollout\nmetadata:\n {2}name: (\S+)/gm)].map((m) => m[1]));
      expect(rollouts).toContain(abort[1]);
      expect(abort[2]).toBe(d.services[0].namespace);
    }

    for (const service of d.services) {
      const { name, image } = service;
      const seen = existsSync(cosignLog) ? cosignCalls().length : 0;
      run('bash', [promote, name, digestOf('a'), target], { env });
      const expected = signing.kind === 'keyless' ? `verify --certificate-identity ${signing.identity} --certificate-oidc-issuer ${signing.issuer} ${image}@${digestOf('a')}` : `verify --key ${signing.keyUri} ${image}@${digestOf('a')}`;
      expect(cosignCalls().slice(seen)).toEqual([expected]);
      expect(clone(name)).toContain(`${image}@${digestOf('a')}`);
      // Right after the first promotion there is nothing to roll back to (the unpromoted digest is not a release).
      const early = spawnSync('bash', [promote, '--rollback', name, target], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect([early.status, early.stderr.trim()]).toEqual([1, `promote.sh: ${name} has no earlier promotion on ${target} to roll back to`]);
      const before = commits();

      // Idempotent: the same digest again changes nothing.
      expect(run('bash', [promote, name, digestOf('a'), target], { env })).toContain('already runs');
      clone(name);
      expect(commits()).toBe(before);

      // A second release, then the rollback the incident runbook names restores the previous digest (a Git change, re-verified).
      run('bash', [promote, name, digestOf('b'), target], { env });
      expect(clone(name)).toContain(`${image}@${digestOf('b')}`);
      run('bash', [join(p.out, script as string), '--rollback', name, target], { env });
      const after = clone(name);
      expect(after).toContain(`${image}@${digestOf('a')}`);
      expect(after).not.toContain(digestOf('b'));
      expect(cosignCalls().at(-1)).toContain(`${image}@${digestOf('a')}`);

      // The other rollback the runbook names, `ringmaster rollback` (the GitOps connector), edits the same file.
      const connector = openGitOpsRepository({ url: remote, files: promotionFilesOf(d), author: { name: 'release bot', email: 'bot@example.invalid' } });
      try {
        expect((await connector.history(target, { service: name })).map((h) => h.digest).slice(0, 3)).toEqual([digestOf('a'), digestOf('b'), digestOf('a')]);
        expect(await connector.rollback({ target, service: name, runId: `system-${index}-${name}`, stepId: 'rollback', to: digestOf('b') })).toMatchObject({ status: 'committed', path: d.gitops.promotionFile(name, target) });
      } finally {
        await connector.close();
      }
      expect(clone(name)).toContain(`${image}@${digestOf('b')}`);
      run('bash', [promote, '--rollback', name, target], { env });
      expect(clone(name)).toContain(`${image}@${digestOf('a')}`);

      // A bad digest, target or service changes nothing.
      expect(spawnSync('bash', [promote, name, 'sha256:xyz', target], { env: { ...process.env, ...env } }).status).toBe(2);
      expect(spawnSync('bash', [promote, name, digestOf('c'), 'no-such-target'], { env: { ...process.env, ...env } }).status).toBe(2);
    }
    const unknown = spawnSync('bash', [promote, 'no-such-service', digestOf('c'), target], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringContaining(`(services: ${d.services.map((s) => s.name).join(' ')})`)]);
    // Every service ends at the digest it was rolled back to; other targets never moved.
    for (const service of d.services) {
      expect(clone(service.name)).toContain(`${service.image}@${digestOf('a')}`);
      for (const other of d.targets.slice(1)) expect(clone(service.name, other.name)).not.toMatch(/sha256:(a{64}|b{64})/);
    }

    // Without a GitOps operator the scripted deploy reads the file promotion writes.
    if (!kustomized) expect(p.files.get('scripts/scripted_deploy.sh')).toContain('releases/${TARGET}/${service}.image');
    // Push CD on Kubernetes: the pipeline's deploy step applies every service's overlay, at the verified digest, server-side.
    if (kustomized && d.gitops.tool === 'none') {
      const deployScript = d.gitops.deployScript as string;
      expect(p.files.get('.github/workflows/release.yml')).toContain(`run: ${deployScript} "\${TARGET}"`);
      const kubectl = fakeKubectl(bin);
      const seen = cosignCalls().length;
      run('bash', [join(p.out, deployScript), target], { env });
      const verified = cosignCalls().slice(seen);
      const applied = readFileSync(kubectl.applied, 'utf8');
      expect(readFileSync(kubectl.log, 'utf8')).toMatch(/^apply --server-side .*-f \S+manifests\.yaml$/m);
      for (const service of d.services) {
        expect(verified.some((v) => v.endsWith(`${service.image}@${digestOf('a')}`)), `${service.name} verified`).toBe(true);
        expect(applied).toContain(`image: ${service.image}@${digestOf('a')}`);
        expect(applied).toContain(`namespace: ${service.namespace}`);
      }
      expect(applied).not.toContain(digestOf('b'));
    }

    // Placeholders: listed when the profile names nothing, none when it names everything.
    if (c.profile['delivery'] === undefined) expect(p.result.output.placeholders?.map((x) => x.value)).toContain('example-org');
    else expect(p.result.output.placeholders).toEqual([]);
    expect(relative(p.out, configDir)).toBe('gitops-config');
  }, 120_000);

  it('the same profile plans to the same bytes', () => {
    const c = CASES[0] as Case;
    expect(JSON.stringify(engine.plan(structuredClone(c.profile)).files)).toBe(JSON.stringify(engine.plan(structuredClone(c.profile)).files));
  });
});
