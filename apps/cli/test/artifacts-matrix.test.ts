import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_VALUES, occursIn, type Engine } from '@ringmaster/core';
import { createRecordingEngine, type CapturedArtifact } from '@ringmaster/modes';
import { beforeAll, describe, expect, it } from 'vitest';
import { shellcheckAvailable, validateArtifact, type ArtifactIssue } from '@ringmaster/renderer';

const here = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(here, '..', '..', '..', 'packages');
interface Case {
  id: string;
  input: Record<string, unknown>;
}

const seedCases = (JSON.parse(readFileSync(join(packagesDir, '..', 'conformance', 'seed-cases.json'), 'utf8')) as { cases: Case[] }).cases;

const GOAL = 'Design a multi-tenant CRM CI/CD blueprint: quality gates and contract tests, supply chain security with SLSA and signing, vulnerability policy, GitOps, canary rollout, release observability, incident response, DR plan, cost control and DB migrations';
function matrix(): Case[] {
  const out: Case[] = [];
  for (const cloud of ['aws', 'gcp', 'azure', 'on_prem', 'unknown']) {
    for (const ci of ['github', 'gitlab', 'azure devops', 'unknown']) {
      for (const orchestrator of ['kubernetes', 'vm', 'unknown']) {
        for (const gitops of ['argocd', 'flux', 'none']) {
          out.push({
            id: `${cloud}/${ci}/${orchestrator}/${gitops}`,
            input: {
              goal: GOAL,
              crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'], integrations: ['salesforce'] },
              infra: { cloud_provider: cloud, orchestrator },
              data: { primary_store: 'postgres', sharding_model: 'shared_schema' },
              release_policy: { ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' }, change_approval_level: 'peer_review' },
              ci_platform: ci,
              cd_strategy: gitops === 'none' ? 'push' : 'gitops',
              gitops_tool: gitops,
              compliance: { targets: ['SOC2'], audit_evidence_required: true },
              risk_tier: 'high',
              current_pain: ['flaky_tests', 'incidents', 'costs', 'vuln_debt', 'runner_risk'],
            },
          });
        }
      }
    }
  }
  return out;
}

/** Plans every case and validates every artifact; returns failures grouped by artifact and message. */
async function run(engine: Engine, captured: CapturedArtifact[], cases: readonly Case[]): Promise<{ failures: Map<string, string[]>; artifacts: number }> {
  const failures = new Map<string, string[]>();
  const note = (key: string, caseId: string): void => {
    const list = failures.get(key) ?? [];
    list.push(caseId);
    failures.set(key, list);
  };
  let artifacts = 0;
  for (const c of cases) {
    captured.length = 0;
    try {
      engine.plan(c.input);
    } catch (error) {
      note(`plan throws: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 400), c.id);
      continue;
    }
    for (const { spec, rendered: out } of captured) {
      artifacts++;
      let issues: ArtifactIssue[];
      try {
        issues = await validateArtifact(spec, out);
      } catch (error) {
        note(`${spec.name}: validator crashed: ${String(error)}`, c.id);
        continue;
      }
      for (const i of issues.filter((x) => x.severity === 'error')) note(`${i.path}${i.at ? ` (${i.at})` : ''} [${i.validator}] ${i.message}`, c.id);
    }
  }
  return { failures, artifacts };
}

/** Failures grouped by file and validator, with a few distinct messages and the cases they come from. */
function report(failures: Map<string, string[]>): string {
  const groups = new Map<string, { messages: Set<string>; cases: Set<string> }>();
  for (const [key, ids] of failures) {
    const m = /^(\S+)(?: \(([^)]*)\))? \[([^\]]+)\] (.*)$/.exec(key);
    const group = m ? `${m[1]} [${m[3]}]` : key;
    const g = groups.get(group) ?? { messages: new Set<string>(), cases: new Set<string>() };
    g.messages.add(m ? `${m[2] ? `${m[2]}: ` : ''}${m[4]}` : key);
    for (const id of ids) g.cases.add(id);
    groups.set(group, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, g]) => {
      const msgs = [...g.messages];
      const cases = [...g.cases];
      return `- ${group}: ${msgs.length} distinct error(s) in ${cases.length} case(s), e.g. ${cases.slice(0, 2).join(', ')}\n${msgs
        .slice(0, 4)
        .map((x) => `    ${x}`)
        .join('\n')}${msgs.length > 4 ? `\n    ... and ${msgs.length - 4} more` : ''}`;
    })
    .join('\n');
}

describe('every artifact of every mode validates', () => {
  let engine: Engine;
  let captured: CapturedArtifact[];

  beforeAll(() => {
    expect(shellcheckAvailable(), 'shellcheck is missing: apt-get install -y shellcheck').toBe(true);
    ({ engine, captured } = createRecordingEngine());
  });

  it('registers every mode package', () => {
    const packages = readdirSync(packagesDir).filter((d) => d.startsWith('mode-')).map((d) => d.slice('mode-'.length)).sort();
    expect(engine.modes.map((m) => m.id).sort()).toEqual(packages);
  });

  it(`the ${seedCases.length} conformance cases of seed-cases.json`, async () => {
    const { failures, artifacts } = await run(engine, captured, seedCases);
    expect(artifacts).toBeGreaterThan(0);
    expect(failures.size, `invalid artifacts:\n${report(failures)}`).toBe(0);
  }, 300_000);

  it('every cloud x CI platform x orchestrator x GitOps tool, with a goal that selects many modes', async () => {
    const cases = matrix();
    expect(cases).toHaveLength(180);
    const { failures, artifacts } = await run(engine, captured, cases);
    expect(artifacts).toBeGreaterThan(0);
    expect(failures.size, `invalid artifacts:\n${report(failures)}`).toBe(0);
  }, 600_000);
});

/** What a team names in its profile so that no file needs an example value. */
const NAMED = {
  organization: 'acme',
  app_repository: 'acme/crm/crm-platform',
  config_repository: 'acme/crm/crm-deploy',
  registry: 'registry.acme.io/crm',
  services: [{ name: 'crm-api', port: 8080, health_path: '/healthz' }],
  cloud: { aws_account_id: '210987654321', gcp_project_id: 'acme-crm-prod', gcp_project_number: '480019283746', azure_subscription_id: '5b0c3c8e-8a52-4d2e-9c0e-3f1d2a7b6c51', azure_tenant_id: '8d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a' },
  github_ids: { owner_id: '70123456', repository_id: '81234567' },
  azure_devops_ids: { subject_prefix: '/eid1/c/pub/t/Qz8xTenant/a/Wv7yApp', organization_id: '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f', service_connection_id: '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d' },
  api_host: 'api.acme.io',
  risk_acceptance_log: 'https://defectdojo.acme.io/risk_acceptance',
};

describe('placeholders: every example value in a file is listed with that file', () => {
  const engine = createRecordingEngine().engine;
  const unlisted = (input: Record<string, unknown>): string[] => {
    const { files, output } = engine.plan(input);
    const listed = output.placeholders ?? [];
    const missing: string[] = [];
    for (const file of files) {
      for (const value of EXAMPLE_VALUES) {
        if (occursIn(file.content, value) && !listed.some((p) => p.value === value && p.files.includes(file.path))) missing.push(`${file.path}: ${value}`);
      }
    }
    return missing;
  };

  it('over the seed cases and every cloud x CI platform x orchestrator x GitOps tool', () => {
    const missing = [...seedCases, ...matrix()].flatMap((c) => unlisted(c.input).map((m) => `${c.id} ${m}`));
    expect(missing.slice(0, 20)).toEqual([]);
  }, 300_000);

  it.each(['aws', 'gcp', 'azure'].flatMap((cloud) => ['github', 'gitlab', 'azure devops'].map((ci) => [cloud, ci] as const)))('a profile that names everything (%s, %s) has no placeholder and no example value', (cloud, ci) => {
    const input = { ...(matrix()[0] as Case).input, infra: { cloud_provider: cloud, orchestrator: 'kubernetes' }, ci_platform: ci, cd_strategy: 'gitops', gitops_tool: 'argocd', delivery: NAMED };
    const { files, output } = engine.plan(input);
    expect(output.placeholders).toEqual([]);
    expect(files.flatMap((f) => EXAMPLE_VALUES.filter((v) => occursIn(f.content, v)).map((v) => `${f.path}: ${v}`))).toEqual([]);
  });

  it('examples/multi-tenant-canary.json names everything: no placeholders', () => {
    const profile = JSON.parse(readFileSync(join(packagesDir, '..', 'examples', 'multi-tenant-canary.json'), 'utf8')) as Record<string, unknown>;
    expect(engine.plan(profile).output.placeholders).toEqual([]);
  });

  it('the check finds an example value a profile named nothing for', () => {
    expect(unlisted({ goal: 'Secure the supply chain with OIDC and signing', ci_platform: 'azure devops', infra: { cloud_provider: 'azure' } })).toEqual([]);
    const { files, output } = engine.plan({ goal: 'Secure the supply chain with OIDC and signing', ci_platform: 'azure devops', infra: { cloud_provider: 'azure' } });
    const subject = output.placeholders?.find((p) => p.value === '/eid1/c/pub/t/example-tenant-key/a/example-app-key');
    expect(subject?.field).toBe('/delivery/azure_devops_ids/subject_prefix');
    expect(subject?.files.length).toBeGreaterThan(0);
    for (const path of subject?.files ?? []) expect(files.find((f) => f.path === path)?.content).toContain('example-tenant-key');
  });
});
