import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '@ringmaster/core';
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
