import type { PlanOutput } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';

/**
 * Coherence over the vendor matrix: no file names a cloud, CI system or orchestrator the profile
 * does not use. Checked for the modes whose vendor handling is settled; add a mode to OWNED_MODES
 * once its files pass.
 */
const OWNED_MODES = new Set(['dr', 'finops', 'vuln-mgmt', 'observability', 'quality', 'incident', 'migration']);

const CLOUDS = ['aws', 'gcp', 'azure', 'on_prem', 'unknown'] as const;
const CI = ['github', 'gitlab', 'azure devops', 'jenkins', 'unknown'] as const;
const ORCHESTRATORS = ['kubernetes', 'ecs', 'nomad', 'vm', 'serverless', 'unknown'] as const;

const GOAL =
  'Design a full multi-tenant CRM CI/CD blueprint: quality gates and contract tests, supply chain security, vulnerability policy, GitOps, canary rollout, release observability, incident response, DR plan, cost control and DB migrations';

/** Commands and identities that belong to one cloud (case-sensitive: prose such as "AWS CloudTrail" is not a command). */
const CLOUD_MARKERS: Readonly<Record<'aws' | 'gcp' | 'azure', RegExp>> = {
  aws: /\baws (rds|dynamodb|cloudtrail|ec2|sts|iam|s3|ecs)\b|AWS_ID_TOKEN|aws-actions\/|AWS::|arn:aws:|karpenter/,
  gcp: /\bgcloud\b|google-github-actions\/|cnrm\.cloud\.google\.com|cloud\.google\.com\/gke-spot/,
  azure: /\baz (postgres|mysql|monitor|consumption|sql|login)\b|azure\/login|kubernetes\.azure\.com|"Microsoft\.Authorization/,
};

type CiFlavour = 'github' | 'gitlab' | 'azure';
/** How a file shows which CI system runs it: its path, or that system's own variables. */
const CI_MARKERS: Readonly<Record<CiFlavour, RegExp>> = {
  github: /^\.github\/workflows\/|\$\{\{ *(github|secrets|vars)\./,
  gitlab: /(^|\/)\.gitlab(-ci|\/)|\.gitlab-ci\.ya?ml$|\$CI_[A-Z_]+/,
  azure: /^azure-pipelines|^pipelines\/|\$\(Build\.[A-Za-z]+\)/,
};
const CI_ALLOWED: Readonly<Record<(typeof CI)[number], readonly CiFlavour[]>> = {
  github: ['github'],
  gitlab: ['gitlab'],
  'azure devops': ['azure'],
  jenkins: [],
  // Section 4: an unknown vendor gets the GitHub flavour and the question which one it is.
  unknown: ['github'],
};

/** A Kubernetes manifest or a script that drives a cluster. */
const KUBERNETES_MARKER = /^apiVersion: |\bkubectl\b|karpenter|kyverno/im;

function profile(cloud: string, ci: string, orchestrator: string): Record<string, unknown> {
  return {
    goal: GOAL,
    crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'], integrations: ['salesforce'] },
    infra: { cloud_provider: cloud, orchestrator, regions: ['eu-central-1', 'us-east-1'] },
    data: { primary_store: 'postgres', sharding_model: 'shared_schema' },
    release_policy: { ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' }, change_approval_level: 'peer_review' },
    ci_platform: ci,
    cd_strategy: 'gitops',
    gitops_tool: 'argocd',
    compliance: { targets: ['SOC2'], audit_evidence_required: true },
    risk_tier: 'high',
    current_pain: ['flaky_tests', 'incidents', 'costs', 'vuln_debt', 'runner_risk'],
  };
}

const engine = createEngine();
const cases = CLOUDS.flatMap((cloud) => CI.flatMap((ci) => ORCHESTRATORS.map((orchestrator) => ({ cloud, ci, orchestrator }))));
const plans = new Map<string, PlanOutput>();
const planOf = (cloud: string, ci: string, orchestrator: string): PlanOutput => {
  const key = `${cloud}/${ci}/${orchestrator}`;
  let out = plans.get(key);
  if (!out) {
    out = engine.plan(profile(cloud, ci, orchestrator)).output;
    plans.set(key, out);
  }
  return out;
};

/** "path: what it names" for every owned file that breaks the rule. */
function offenders(output: PlanOutput, test: (path: string, content: string) => string | undefined): string[] {
  return output.artifacts_to_generate
    .filter((a) => OWNED_MODES.has(a.mode))
    .flatMap((a) => {
      const hit = test(a.path, a.content_skeleton);
      return hit ? [`${a.path}: ${hit}`] : [];
    });
}

const contradicted = (output: PlanOutput, facet: string): boolean => output.decision_log.needs_clarification.some((q) => q.includes('contradict') && q.startsWith(facet));

describe('vendor coherence over every cloud x CI vendor x orchestrator', () => {
  it.each(cases)('$cloud / $ci / $orchestrator: no file of a cloud the profile does not use', ({ cloud, ci, orchestrator }) => {
    const output = planOf(cloud, ci, orchestrator);
    const inDoubt = output.decision_log.needs_clarification.some((q) => q.includes('/infra/cloud_provider contradict'));
    const allowed = new Set<string>(cloud === 'unknown' && !inDoubt ? ['aws', 'gcp', 'azure'] : inDoubt ? [] : [cloud]);
    const bad = offenders(output, (_path, content) => {
      const foreign = Object.entries(CLOUD_MARKERS).filter(([c, marker]) => !allowed.has(c) && marker.test(content));
      return foreign.length > 0 ? foreign.map(([c, marker]) => `${c} (${marker.exec(content)?.[0]})`).join(', ') : undefined;
    });
    expect(bad, bad.join("; ")).toEqual([]);
  });

  it.each(cases)('$cloud / $ci / $orchestrator: no file of a CI system the profile does not use', ({ cloud, ci, orchestrator }) => {
    const output = planOf(cloud, ci, orchestrator);
    const allowed = CI_ALLOWED[ci];
    const bad = offenders(output, (path, content) => {
      const foreign = (Object.keys(CI_MARKERS) as CiFlavour[]).filter((f) => !allowed.includes(f) && (CI_MARKERS[f].test(path) || CI_MARKERS[f].test(content)));
      return foreign.length > 0 ? foreign.join(', ') : undefined;
    });
    expect(bad, bad.join("; ")).toEqual([]);
  });

  it.each(cases)('$cloud / $ci / $orchestrator: no Kubernetes file for another orchestrator', ({ cloud, ci, orchestrator }) => {
    const output = planOf(cloud, ci, orchestrator);
    const kubernetes = (orchestrator === 'kubernetes' || orchestrator === 'unknown') && !output.decision_log.needs_clarification.some((q) => q.includes('/infra/orchestrator contradict'));
    if (kubernetes) return;
    const bad = offenders(output, (_path, content) => KUBERNETES_MARKER.exec(content)?.[0]);
    expect(bad, bad.join("; ")).toEqual([]);
  });
});

describe('what is not generated is said', () => {
  it('a Kubernetes-only file on ECS is listed with its reason, in the output and the report', () => {
    const output = planOf('aws', 'github', 'ecs');
    const skipped = output.not_generated ?? [];
    expect(skipped.map((n) => n.artifact)).toEqual(expect.arrayContaining(['spot_config.yaml', 'ttl_enforcer.sh']));
    expect(skipped.find((n) => n.artifact === 'spot_config.yaml')?.reason).toMatch(/FARGATE_SPOT/);
    expect(output.artifacts_to_generate.map((a) => a.name)).not.toContain('spot_config.yaml');
  });
  it('a Kubernetes profile misses nothing of these modes', () => {
    const skipped = (planOf('aws', 'github', 'kubernetes').not_generated ?? []).filter((n) => OWNED_MODES.has(n.mode));
    expect(skipped).toEqual([]);
  });
  it('a CI system Ringmaster writes no jobs for gets none, and is told so', () => {
    const output = planOf('aws', 'jenkins', 'kubernetes');
    expect((output.not_generated ?? []).map((n) => n.artifact)).toEqual(expect.arrayContaining(['schema_linter.yaml', 'pact_verification_job.yaml']));
  });
  it('every GitLab fragment says how the root pipeline includes it', () => {
    const output = planOf('gcp', 'gitlab', 'kubernetes');
    const fragments = output.artifacts_to_generate.filter((a) => OWNED_MODES.has(a.mode) && /gitlab/.test(a.path) && a.path !== '.gitlab-ci.yml');
    expect(fragments.length).toBeGreaterThan(0);
    const root = output.artifacts_to_generate.find((a) => a.path === '.gitlab-ci.yml')?.content_skeleton ?? '';
    for (const f of fragments) expect(`${root}\n${f.content_skeleton}`).toContain(`local: ${f.path}`);
  });
});

describe('every command a GitLab job runs is on its image', () => {
  it('job images are pinned by digest with their entrypoint cleared', () => {
    const output = planOf('gcp', 'gitlab', 'kubernetes');
    const fragments = output.artifacts_to_generate.filter((a) => OWNED_MODES.has(a.mode) && /gitlab/.test(a.path));
    expect(fragments.length).toBeGreaterThan(0);
    for (const f of fragments) {
      const images = f.content_skeleton.match(/^ {2}image:.*$/gm) ?? [];
      const pinned = [...f.content_skeleton.matchAll(/^ {2}image:\n {4}name: (\S+)\n {4}entrypoint:\n {6}- ""$/gm)].map((m) => m[1] as string);
      expect(images.length, f.path).toBeGreaterThan(0);
      expect(pinned, f.path).toHaveLength(images.length);
      for (const image of pinned) expect(image, f.path).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });
});

describe('contradictory profiles', () => {
  it.each([
    { cloud: 'gcp', orchestrator: 'ecs', id: 'ecs-on-gcp' },
    { cloud: 'azure', orchestrator: 'ecs', id: 'ecs-on-azure' },
  ])('$orchestrator on $cloud is asked about, and no cloud-specific file is generated', ({ cloud, orchestrator, id }) => {
    const output = planOf(cloud, 'github', orchestrator);
    expect(contradicted(output, id)).toBe(true);
    const skipped = (output.not_generated ?? []).map((n) => n.artifact);
    expect(skipped).toEqual(expect.arrayContaining(['restore_runbook.md', 'dr_drill.sh', 'audit_break_glass.sh']));
  });
  it('ECS on AWS is no contradiction', () => {
    expect(planOf('aws', 'github', 'ecs').decision_log.needs_clarification.filter((q) => q.includes('contradict'))).toEqual([]);
  });
  it('a runtime of another cloud is asked about (Cloud Run on AWS, AKS on AWS)', () => {
    for (const runtime of ['cloud_run', 'AKS']) {
      const output = engine.plan({ ...profile('aws', 'github', 'kubernetes'), stack: { runtime } }).output;
      expect(output.decision_log.needs_clarification.some((q) => q.includes('/stack/runtime and /infra/cloud_provider contradict'))).toBe(true);
      expect(output.artifacts_to_generate.filter((a) => OWNED_MODES.has(a.mode)).some((a) => CLOUD_MARKERS.aws.test(a.content_skeleton))).toBe(false);
    }
  });
});
