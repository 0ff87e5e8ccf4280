import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, loadKnowledgeBase, type ArtifactRenderer, type ArtifactSpec, type ModePlugin, type RenderedArtifact } from '@ringmaster/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileRenderer } from '../src/render.js';
import { validateArtifact, type ArtifactIssue } from '../src/validate/index.js';
import { shellcheckAvailable } from '../src/validate/shell.js';

const here = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(here, '..', '..');

/** Records what it renders, so that each file can be validated with its spec. */
class RecordingRenderer implements ArtifactRenderer {
  readonly inner = new FileRenderer();
  rendered: { spec: ArtifactSpec; out: RenderedArtifact }[] = [];
  render(spec: ArtifactSpec): RenderedArtifact {
    const out = this.inner.render(spec);
    this.rendered.push({ spec, out });
    return out;
  }
}

function isMode(value: unknown): value is ModePlugin {
  return typeof value === 'object' && value !== null && typeof (value as ModePlugin).id === 'string' && typeof (value as ModePlugin).applies === 'function' && typeof (value as ModePlugin).contribute === 'function';
}

/** Every `@ringmaster/mode-*` package's exported mode, as apps/cli loads them. */
async function loadModes(): Promise<{ modes: ModePlugin[]; problems: string[] }> {
  const byId = new Map<string, ModePlugin>();
  const problems: string[] = [];
  const dirs = readdirSync(packagesDir).filter((d) => d.startsWith('mode-')).sort();
  for (const dir of dirs) {
    const entry = join(packagesDir, dir, 'src', 'index.ts');
    if (!existsSync(entry)) {
      problems.push(`@ringmaster/${dir}: no src/index.ts yet`);
      continue;
    }
    try {
      const mod = (await import(entry)) as Record<string, unknown>;
      const found = Object.values(mod).filter(isMode);
      if (found.length === 0) problems.push(`@ringmaster/${dir}: exports no mode`);
      for (const m of found) byId.set(m.id, m);
    } catch (error) {
      problems.push(`@ringmaster/${dir}: fails to load: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { modes: [...byId.values()], problems };
}

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
async function run(engine: Engine, renderer: RecordingRenderer, cases: readonly Case[]): Promise<{ failures: Map<string, string[]>; artifacts: number }> {
  const failures = new Map<string, string[]>();
  const note = (key: string, caseId: string): void => {
    const list = failures.get(key) ?? [];
    list.push(caseId);
    failures.set(key, list);
  };
  let artifacts = 0;
  for (const c of cases) {
    renderer.rendered = [];
    try {
      engine.plan(c.input);
    } catch (error) {
      note(`plan throws: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 400), c.id);
      continue;
    }
    for (const { spec, out } of renderer.rendered) {
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
  let renderer: RecordingRenderer;
  let problems: string[];

  beforeAll(async () => {
    expect(shellcheckAvailable(), 'shellcheck is missing: apt-get install -y shellcheck').toBe(true);
    const loaded = await loadModes();
    problems = loaded.problems;
    renderer = new RecordingRenderer();
    engine = new Engine(loaded.modes, renderer, loadKnowledgeBase());
  }, 60_000);

  it('loads every mode package', () => {
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it(`the ${seedCases.length} conformance cases of seed-cases.json`, async () => {
    const { failures, artifacts } = await run(engine, renderer, seedCases);
    expect(artifacts).toBeGreaterThan(0);
    expect(failures.size, `invalid artifacts:\n${report(failures)}`).toBe(0);
  }, 300_000);

  it('every cloud x CI platform x orchestrator x GitOps tool, with a goal that selects many modes', async () => {
    const cases = matrix();
    expect(cases).toHaveLength(180);
    const { failures, artifacts } = await run(engine, renderer, cases);
    expect(artifacts).toBeGreaterThan(0);
    expect(failures.size, `invalid artifacts:\n${report(failures)}`).toBe(0);
  }, 600_000);
});
