import type { Checklist, ChecklistStep } from '@ringmaster/core';
import { buildBundle, generateSigningKey, GENESIS_HASH, parsePublicKey, publicKeyPem, sealEvent, signBundle, verifyBundle, type EvidenceEvent } from '@ringmaster/evidence';
import { figure, now, type Figure, type Skipped } from './stats.js';

export interface EvidenceBenchResult {
  figures: Figure[];
  skipped: Skipped[];
  details: unknown;
}

/** A closed incident run with `size` steps and `size` step events, as the Slack app seals it. */
function runLog(size: number): EvidenceEvent[] {
  const steps: ChecklistStep[] = Array.from({ length: size }, (_, i) => ({ id: `s${i}`, title: `Step ${i}`, kind: 'task', ...(i === 0 ? { marks: ['acknowledged'] as const } : {}) }));
  const checklist: Checklist = { id: 'bench', title: 'Bench run', summary: 'Many steps', kb: ['KB_14#Incident_Response'], steps };
  const at = (i: number): string => new Date(Date.UTC(2026, 10, 24) + i * 1000).toISOString();
  const events: EvidenceEvent[] = [];
  let prev = GENESIS_HASH;
  const push = (body: Omit<EvidenceEvent, 'seq' | 'run_id' | 'prev_hash' | 'hash'>): void => {
    const e = sealEvent(prev, { ...body, seq: events.length, run_id: 'rm-bench' });
    events.push(e);
    prev = e.hash;
  };
  push({ type: 'run.opened', actor: 'UCAPTAIN', at: at(0), data: { kind: 'incident', title: checklist.title, checklist, params: {}, channel: 'C1' } });
  for (let i = 0; i < size; i += 1) push({ type: 'step.completed', actor: 'UIC', at: at(i + 1), step: `s${i}` });
  push({ type: 'run.closed', actor: 'ringmaster', at: at(size + 1), data: { reason: 'completed' } });
  return events;
}

/**
 * `evidence verify --key` on large runs (steps x events, the shape that used to be
 * quadratic): wall time at two sizes, and the ratio of time per event between them,
 * which stays near 1 when verification is linear.
 */
export function benchEvidence(opts: { runs: number; quick: boolean }): EvidenceBenchResult {
  const key = generateSigningKey();
  const auditorKey = parsePublicKey(publicKeyPem(key.publicKey));
  const sizes = opts.quick ? [2_500, 10_000] : [10_000, 40_000];
  const runs = Math.max(1, opts.quick ? 2 : Math.min(opts.runs, 3));
  const figures: Figure[] = [];
  const perEvent: number[] = [];
  for (const size of sizes) {
    // What an auditor holds: the signed bundle as parsed JSON.
    const bundle = JSON.parse(JSON.stringify(signBundle(buildBundle(runLog(size)), key))) as unknown;
    const seconds: number[] = [];
    for (let r = 0; r < runs; r += 1) {
      const s = now();
      const result = verifyBundle(bundle, { keys: [auditorKey] });
      seconds.push((now() - s) / 1000);
      if (!result.ok) return { figures, skipped: [{ benchmark: 'evidence', reason: `the bench bundle did not verify: ${result.reason}` }], details: null };
    }
    figures.push(figure('evidence', `verify --key, ${size} steps x ${size} events: wall time`, 's', seconds));
    perEvent.push(Math.min(...seconds) / size);
  }
  const growth = perEvent[1]! / perEvent[0]!;
  figures.push(
    figure('evidence', `time per event at ${sizes[1]} / at ${sizes[0]} (linear ~1, quadratic ~${sizes[1]! / sizes[0]!})`, 'ratio', [growth], {
      stat: 'median',
      op: '<',
      value: 2,
      text: 'verification linear in events (issue 17)',
    }),
  );
  return { figures, skipped: [], details: { sizes, runs } };
}
