import { validateProfile, type ArtifactSpec, type RenderedArtifact } from '@ringmaster/core';

import { createEngine, createRecordingEngine } from '@ringmaster/modes';
import { matrixProfiles, seedProfiles, type NamedProfile } from './profiles.js';
import { figure, now, percentile, type Figure, type Skipped } from './stats.js';

interface Issue {
  severity: 'error' | 'warning';
  artifact: string;
  path: string;
  validator: string;
  message: string;
}
type ValidateArtifact = (spec: ArtifactSpec, content: RenderedArtifact) => Promise<Issue[]>;

export interface PlanBenchResult {
  figures: Figure[];
  skipped: Skipped[];
  /** Profiles the engine refused (it should refuse none of these), and artifacts failing their validator. */
  failures: { plans: { id: string; error: string }[]; artifacts: { profile: string; artifact: string; path: string; validator: string; message: string }[] };
  corpus: { seed: number; matrix: number; modes: string[] };
}

/** Per-plan latencies and throughput of one pass over a corpus. */
function passFigures(latencies: number[], wallMs: number) {
  return { perSecond: (latencies.length / wallMs) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Plan throughput in process: (1) input validation alone, (2) plan + render (`Engine.plan`,
 * which validates, plans, renders, checks guardrails, KB traces and the output schema),
 * (3) the whole pipeline: plan + render + `validateArtifact` on every artifact.
 */
export async function benchPlan(root: string, runs: number, options: { artifacts: boolean } = { artifacts: true }): Promise<PlanBenchResult> {
  const figures: Figure[] = [];
  const skipped: Skipped[] = [];
  const failures: PlanBenchResult['failures'] = { plans: [], artifacts: [] };
  const corpora: [string, NamedProfile[]][] = [
    ['seed', seedProfiles(root)],
    ['matrix', matrixProfiles()],
  ];

  // Start-up, once per process: the engine (KB load, mode registration) and the first plan.
  let t = now();
  const engine = createEngine();
  const createMs = now() - t;
  t = now();
  engine.plan(structuredClone(corpora[0]![1][0]!.input));
  const firstMs = now() - t;
  figures.push(figure('plan', 'createEngine() once per process', 'ms', [createMs]));
  figures.push(figure('plan', 'first plan in a process (cold JIT)', 'ms', [firstMs]));

  // Which profiles plan at all: a refused profile is a bug, reported and left out of the timings.
  const ok = new Map<string, NamedProfile[]>();
  for (const [name, profiles] of corpora) {
    const good: NamedProfile[] = [];
    for (const p of profiles) {
      try {
        engine.plan(structuredClone(p.input));
        good.push(p);
      } catch (error) {
        failures.plans.push({ id: p.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    }
    ok.set(name, good);
  }

  // The engine freezes what it is given, so each run plans fresh copies (cloned outside the timed region).
  const copies = (profiles: NamedProfile[]) => profiles.map((p) => structuredClone(p.input));

  for (const [name, profiles] of ok) {
    if (profiles.length === 0) continue;
    // Warm-up pass (JIT), not measured.
    for (const input of copies(profiles)) engine.plan(input);

    const validate = { perSecond: [] as number[], p50: [] as number[], p99: [] as number[] };
    const plan = { perSecond: [] as number[], p50: [] as number[], p99: [] as number[], cpu: [] as number[] };
    for (let run = 0; run < runs; run += 1) {
      let inputs = copies(profiles);
      let lat: number[] = [];
      let wall = now();
      for (const input of inputs) {
        const s = now();
        validateProfile(input);
        lat.push(now() - s);
      }
      let f = passFigures(lat, now() - wall);
      validate.perSecond.push(f.perSecond);
      validate.p50.push(f.p50);
      validate.p99.push(f.p99);

      inputs = copies(profiles);
      lat = [];
      const cpu = process.cpuUsage();
      wall = now();
      for (const input of inputs) {
        const s = now();
        engine.plan(input);
        lat.push(now() - s);
      }
      f = passFigures(lat, now() - wall);
      const used = process.cpuUsage(cpu);
      plan.cpu.push((used.user + used.system) / 1000 / inputs.length);
      plan.perSecond.push(f.perSecond);
      plan.p50.push(f.p50);
      plan.p99.push(f.p99);
    }
    const label = `${name} (${profiles.length} profiles)`;
    figures.push(figure('plan', `validate input only, ${label}: p50 per profile`, 'ms', validate.p50));
    figures.push(figure('plan', `plan+render, ${label}: plans/s`, 'plans/s', plan.perSecond));
    figures.push(figure('plan', `plan+render, ${label}: p50 per plan`, 'ms', plan.p50, { stat: 'median', op: '<=', value: 2, text: 'p50 <= 2 ms' }));
    figures.push(figure('plan', `plan+render, ${label}: p99 per plan`, 'ms', plan.p99));
    figures.push(figure('plan', `plan+render, ${label}: CPU time per plan (mean)`, 'ms', plan.cpu, undefined, 'process CPU time over the pass / plans: less sensitive than wall time to other load on the machine'));
  }

  // The whole pipeline, with every artifact through its validator.
  const renderer = (await import('@ringmaster/renderer')) as unknown as Record<string, unknown>;
  const validateArtifact = renderer['validateArtifact'] as ValidateArtifact | undefined;
  if (!options.artifacts) {
    skipped.push({ benchmark: 'plan', reason: '--no-artifacts: plan + render + validate artifacts not measured' });
  } else if (typeof validateArtifact !== 'function') {
    skipped.push({ benchmark: 'plan', reason: '@ringmaster/renderer does not export validateArtifact yet: plan + render + validate artifacts not measured' });
  } else {
    const { engine: full, captured } = createRecordingEngine();
    for (const [name, profiles] of ok) {
      if (profiles.length === 0) continue;
      const perSecond: number[] = [];
      const p50: number[] = [];
      const p99: number[] = [];
      // Run 0 meets a cold validator cache (validateArtifact checks identical content once per process); later runs are warm.
      for (let run = 0; run <= runs; run += 1) {
        const inputs = copies(profiles);
        const lat: number[] = [];
        const wall = now();
        for (let i = 0; i < inputs.length; i += 1) {
          const s = now();
          captured.length = 0;
          full.plan(inputs[i]);
          for (const { spec, rendered } of captured) {
            const issues = await validateArtifact(spec, rendered);
            if (run === 0) for (const issue of issues) if (issue.severity === 'error') failures.artifacts.push({ profile: profiles[i]!.id, artifact: issue.artifact, path: issue.path, validator: issue.validator, message: issue.message });
          }
          lat.push(now() - s);
        }
        const f = passFigures(lat, now() - wall);
        if (run === 0) {
          figures.push(figure('plan', `plan+render+validate artifacts, ${name}, first pass (validator cache cold): plans/s`, 'plans/s', [f.perSecond]));
          figures.push(figure('plan', `plan+render+validate artifacts, ${name}, first pass: latency per plan`, 'ms', lat, undefined, 'spread over plans, not runs'));
        } else {
          perSecond.push(f.perSecond);
          p50.push(f.p50);
          p99.push(f.p99);
        }
      }
      figures.push(figure('plan', `plan+render+validate artifacts, ${name}, cache warm: plans/s`, 'plans/s', perSecond));
      figures.push(figure('plan', `plan+render+validate artifacts, ${name}, cache warm: p50 per plan`, 'ms', p50));
      figures.push(figure('plan', `plan+render+validate artifacts, ${name}, cache warm: p99 per plan`, 'ms', p99));
    }
  }

  return { figures, skipped, failures, corpus: { seed: corpora[0]![1].length, matrix: corpora[1]![1].length, modes: engine.modes.map((m) => m.id) } };
}
