import type { Checklist, ChecklistStep } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { buildBundle, GENESIS_HASH, sealEvent, verifyBundle, type EvidenceEvent } from '../src/index.js';

/** Counts every element read (`array[i]`, and the reads `find`, `map`, iteration make). */
function counted<T>(items: T[], counter: { reads: number }): T[] {
  return new Proxy(items, {
    get(target, property, receiver) {
      if (typeof property === 'string' && /^\d+$/.test(property)) counter.reads += 1;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** A run with `size` steps and `size` step events (some steps finished more than once), closed. */
function run(size: number, counter: { reads: number }) {
  const steps: ChecklistStep[] = Array.from({ length: size }, (_, i) => ({
    id: `s${i}`,
    title: `Step ${i}`,
    kind: i % 7 === 3 ? 'choice' : 'task',
    ...(i % 7 === 3 ? { options: [{ id: 'a', label: 'A', enables: [] }] } : {}),
  }));
  const checklist: Checklist = { id: 'big', title: 'Big run', summary: 'Many steps', kb: ['KB_14#Incident_Response'], steps: counted(steps, counter) };
  const at = (i: number): string => new Date(Date.UTC(2026, 10, 24) + i * 1000).toISOString();
  const events: EvidenceEvent[] = [];
  let prev = GENESIS_HASH;
  const push = (body: Omit<EvidenceEvent, 'seq' | 'run_id' | 'prev_hash' | 'hash'>): void => {
    const e = sealEvent(prev, { ...body, seq: events.length, run_id: 'rm-big' });
    events.push(e);
    prev = e.hash;
  };
  push({ type: 'run.opened', actor: 'UCAPTAIN', at: at(0), data: { kind: 'incident', title: checklist.title, checklist, params: {}, channel: 'C1' } });
  for (let i = 0; i < size; i += 1) {
    const step = `s${(i * 3) % size}`;
    if (i % 7 === 3) push({ type: 'choice.made', actor: 'UIC', at: at(i + 1), step: `s${i}`, data: { option: 'a' } });
    else push({ type: 'step.completed', actor: 'UIC', at: at(i + 1), step });
  }
  push({ type: 'run.closed', actor: 'ringmaster', at: at(size + 1), data: { reason: 'completed' } });
  return events;
}

/** Element reads over the steps and events arrays while building and then verifying one bundle. */
function work(size: number): number {
  const counter = { reads: 0 };
  const events = run(size, counter);
  counter.reads = 0;
  const bundle = buildBundle(counted(events, counter));
  const built = counter.reads;
  counter.reads = 0;
  const result = verifyBundle({ ...bundle, events: counted(bundle.events, counter) });
  expect(result.ok).toBe(true);
  return built + counter.reads;
}

describe('bundle work is linear in steps + events', () => {
  it('reads each step and event a bounded number of times, whatever the size', () => {
    const small = work(400);
    const large = work(1600);
    // Quadratic work (a step look-up per event) would read 16x more at 4x the size, and
    // hundreds of times per element.
    expect(large / small).toBeLessThan(5);
    expect(large).toBeLessThan(40 * (1600 + 1600));
  });
});
