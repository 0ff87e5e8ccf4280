import { verifyEvents } from './bundle.js';
import { sealEvent, GENESIS_HASH, type EventBody, type EvidenceEvent } from './chain.js';

/**
 * A run's event log as a file: one sealed event per line (JSON Lines), in order. This is what
 * the command line appends to (`--evidence FILE`); `buildBundle(parseEventLog(text))` makes the
 * run's bundle from it.
 */

export type EventLogVerification = { ok: true; count: number; head: string; run: string } | { ok: false; line?: number; reason: string };

/** The events of a log text; throws with the line (from 1) that is not a JSON object. Blank lines are skipped. */
export function parseEventLog(text: string): EvidenceEvent[] {
  const events: EvidenceEvent[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new EventLogError(index + 1, 'expected one JSON event per line, found invalid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventLogError(index + 1, `expected one JSON event per line, found ${Array.isArray(value) ? 'an array' : String(value === null ? 'null' : typeof value)}`);
    events.push(value as EvidenceEvent);
  });
  return events;
}

/** A line of a log that is not an event. */
export class EventLogError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

/** The log text of events: one canonical line each, newline-terminated. */
export function eventLogText(events: readonly EvidenceEvent[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}

/**
 * Verifies a log text: every line an event, the hash chain intact, and a bundle derivable from it
 * (a `run.opened` first, every action event an `ActionData`). Lines are counted from 1.
 */
export function verifyEventLog(text: string): EventLogVerification {
  let events: EvidenceEvent[];
  try {
    events = parseEventLog(text);
  } catch (error) {
    if (error instanceof EventLogError) return { ok: false, line: error.line, reason: error.detail };
    throw error;
  }
  const checked = verifyEvents(events);
  if (!checked.ok) {
    // The line of the event at fault (blank lines are skipped when parsing).
    const line = checked.index === undefined ? undefined : text.split('\n').flatMap((l, i) => (l.trim() === '' ? [] : [i + 1]))[checked.index];
    return { ok: false, ...(line === undefined ? {} : { line }), reason: checked.reason };
  }
  return { ok: true, count: checked.chain.count, head: checked.chain.head, run: checked.expected.run.id };
}

/** Seals `bodies` onto the end of `events` (a verified log, possibly empty): the new events only. */
export function extendLog(events: readonly EvidenceEvent[], runId: string, bodies: readonly Omit<EventBody, 'seq' | 'run_id'>[]): EvidenceEvent[] {
  let prev = events.at(-1)?.hash ?? GENESIS_HASH;
  return bodies.map((body, i) => {
    const sealed = sealEvent(prev, { ...body, seq: events.length + i, run_id: runId });
    prev = sealed.hash;
    return sealed;
  });
}
