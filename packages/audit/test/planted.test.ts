import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@ringmaster/modes';
import fc from 'fast-check';
import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { describe, expect, it } from 'vitest';
import { releaseJobs } from '../src/analysis.js';
import { auditPath, buildPipeline, classify, SourceFile } from '../src/index.js';
import { repo } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SEED = JSON.parse(readFileSync(join(ROOT, 'conformance', 'seed-cases.json'), 'utf8')) as { cases: { input: unknown }[] };
const PROFILES: unknown[] = [JSON.parse(readFileSync(join(ROOT, 'examples', 'multi-tenant-canary.json'), 'utf8')), ...SEED.cases.map((c) => c.input)];

/** Every distinct GitHub workflow the engine generates for the example and seed profiles. */
function generatedWorkflows(): { name: string; text: string }[] {
  const engine = createEngine();
  const out = new Map<string, { name: string; text: string }>();
  for (const profile of PROFILES) {
    for (const f of engine.plan(profile).files) {
      if (/\.ya?ml$/.test(f.path) && classify(f.path, f.content) === 'github-workflow') out.set(f.content, { name: f.path.split('/').pop()!, text: f.content });
    }
  }
  return [...out.values()];
}

/** A job of the document that runs steps. */
function stepJobs(doc: Document): YAMLMap[] {
  const jobs = doc.get('jobs');
  return isMap(jobs) ? jobs.items.map((p) => p.value).filter((j): j is YAMLMap => isMap(j) && isSeq(j.get('steps'))) : [];
}

/** One flaw: how to plant it in a job (returning how to take it out again), the rule it must trip, and a needle on its line. */
interface Flaw {
  rule: string;
  needle: string;
  plant(doc: Document, job: YAMLMap): () => void;
}

const addStep = (step: Record<string, unknown>) => (doc: Document, job: YAMLMap) => {
  const steps = job.get('steps') as { items: unknown[] };
  const node = doc.createNode(step);
  steps.items.push(node);
  return () => {
    steps.items.splice(steps.items.indexOf(node), 1);
  };
};

const setKey = (key: string, value: unknown) => (doc: Document, job: YAMLMap) => {
  const had = job.has(key);
  const before = job.get(key, true);
  job.set(key, doc.createNode(value));
  return () => {
    if (had) job.set(key, before);
    else job.delete(key);
  };
};

const FLAWS: Flaw[] = [
  { rule: 'script-injection', needle: 'github.event.issue.title', plant: addStep({ run: 'echo "${{ github.event.issue.title }}"' }) },
  { rule: 'unpinned-action', needle: 'some-org/some-action@v1', plant: addStep({ uses: 'some-org/some-action@v1' }) },
  { rule: 'unpinned-tool-install', needle: 'pip install ruff', plant: addStep({ run: 'pip install ruff' }) },
  { rule: 'curl-pipe-shell', needle: 'install.example.com', plant: addStep({ run: 'curl -fsSL https://install.example.com/i.sh | sh' }) },
  { rule: 'unpinned-image', needle: 'container: node:20', plant: setKey('container', 'node:20') },
  { rule: 'read-all-permissions', needle: 'permissions: read-all', plant: setKey('permissions', 'read-all') },
  { rule: 'write-all-permissions', needle: 'permissions: write-all', plant: setKey('permissions', 'write-all') },
];

const render = (doc: Document): string => doc.toString({ lineWidth: 0 });

describe('a flaw planted in a clean generated workflow', () => {
  const workflows = generatedWorkflows();

  it('the engine generates workflows with steps to plant in', () => {
    expect(workflows.filter((w) => stepJobs(parseDocument(w.text)).length > 0).length).toBeGreaterThan(2);
  });

  it('yields exactly that finding, on the planted line; taking it out yields none', async () => {
    const candidates = workflows.filter((w) => stepJobs(parseDocument(w.text)).length > 0);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...candidates), fc.constantFrom(...FLAWS), fc.nat(), async (workflow, flaw, pick) => {
        const doc = parseDocument(workflow.text);
        const jobs = stepJobs(doc);
        const remove = flaw.plant(doc, jobs[pick % jobs.length]!);
        const planted = render(doc);
        const line = planted.split('\n').findIndex((l) => l.includes(flaw.needle)) + 1;
        const report = await auditPath(repo({ [`.github/workflows/${workflow.name}`]: planted }));
        expect(report.parse_errors).toEqual([]);
        expect(report.findings.map((f) => [f.rule, f.line])).toEqual([[flaw.rule, line]]);
        remove();
        const cleaned = await auditPath(repo({ [`.github/workflows/${workflow.name}`]: render(doc) }));
        expect(cleaned.findings).toEqual([]);
      }),
      { numRuns: 25, seed: 12 },
    );
  });

  it('a cache-aware step planted in a publishing job is cache poisoning; taken out, the workflow is clean again', async () => {
    const publishing = workflows
      .map((w) => ({ ...w, jobs: releaseJobs(buildPipeline(new SourceFile(w.name, w.text, 'github-workflow'))).filter((j) => j.steps.length > 0).map((j) => j.id) }))
      .filter((w) => w.jobs.length > 0);
    expect(publishing.length).toBeGreaterThan(0);
    for (const workflow of publishing) {
      const doc = parseDocument(workflow.text);
      const job = (doc.get('jobs') as YAMLMap).get(workflow.jobs[0]) as YAMLMap;
      const remove = addStep({ uses: 'Swatinem/rust-cache@9d47c6ad4b02e050fd481d890b2ea34778fd09d6' })(doc, job);
      const planted = render(doc);
      const report = await auditPath(repo({ [`.github/workflows/${workflow.name}`]: planted }));
      const line = planted.split('\n').findIndex((l) => l.includes('Swatinem/rust-cache')) + 1;
      expect(report.findings.map((f) => [f.rule, f.line, f.column])).toEqual([['cache-in-release-job', line, planted.split('\n')[line - 1]!.indexOf('Swatinem') + 1]]);
      remove();
      expect((await auditPath(repo({ [`.github/workflows/${workflow.name}`]: render(doc) }))).findings).toEqual([]);
    }
  });
});
