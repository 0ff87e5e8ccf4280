import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** The `prev_hash` of a run's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a run's log records; `run.opened` carries the checklist, so the log alone rebuilds the run. */
export type EvidenceEventType =
  | 'run.opened'
  | 'step.completed'
  | 'step.approved'
  | 'choice.made'
  | 'wait.started'
  | 'wait.elapsed'
  | 'reminder.snoozed'
  | 'action.performed'
  | 'run.closed';

/** Event types that finish a step: the one list the bundle and the Slack app's run state both read. */
export const STEP_DONE_TYPES: ReadonlySet<EvidenceEventType> = new Set<EvidenceEventType>(['step.completed', 'step.approved', 'choice.made', 'wait.elapsed']);

/** The `data` of an `action.performed` event (defined in core, where the connectors that act build it). */
export type { ActionData } from '@ringmaster/core';

/** An event before it is sealed into the chain. */
export interface EventBody {
  /** Position in the run's log, from 0. */
  seq: number;
  run_id: string;
  type: EvidenceEventType;
  /** A Slack user id, or `ringmaster` for timers. */
  actor: string;
  /** ISO 8601 in UTC. */
  at: string;
  step?: string;
  data?: Record<string, unknown>;
}

/** A sealed event: its hash covers its body and the previous event's hash. */
export interface EvidenceEvent extends EventBody {
  prev_hash: string;
  hash: string;
}

export type ChainVerification = { ok: true; count: number; head: string } | { ok: false; index: number; reason: string };

const HASH_RE = /^[0-9a-f]{64}$/;

function bodyOf(event: EventBody): EventBody {
  const { seq, run_id, type, actor, at, step, data } = event;
  return { seq, run_id, type, actor, at, step, data };
}

/** sha256 (hex) over the canonical JSON of `{ prev_hash, event }`, where event is the body without its hashes. */
export function hashEvent(prevHash: string, event: EventBody): string {
  return createHash('sha256')
    .update(canonicalJson({ prev_hash: prevHash, event: bodyOf(event) }))
    .digest('hex');
}

/** Seals an event onto a chain whose last hash is `prevHash` (GENESIS_HASH for the first). */
export function sealEvent(prevHash: string, body: EventBody): EvidenceEvent {
  const clean = bodyOf(body);
  return { ...clean, prev_hash: prevHash, hash: hashEvent(prevHash, clean) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a run's log: positions are 0..n-1, one run id, each event links to the
 * previous hash, each hash matches its content, and time never runs backwards.
 * A changed field, a deleted or inserted event, or a reordering all fail here.
 */
export function verifyChain(events: unknown): ChainVerification {
  if (!Array.isArray(events)) return { ok: false, index: -1, reason: 'events is not an array' };
  if (events.length === 0) return { ok: false, index: -1, reason: 'the log is empty' };
  let prev = GENESIS_HASH;
  let runId: unknown;
  let lastAt = -Infinity;
  for (const [index, raw] of events.entries()) {
    if (!isRecord(raw)) return { ok: false, index, reason: 'event is not an object' };
    const e = raw as unknown as EvidenceEvent;
    if (typeof e.type !== 'string' || typeof e.actor !== 'string' || typeof e.at !== 'string' || typeof e.run_id !== 'string') {
      return { ok: false, index, reason: 'event lacks type, actor, at or run_id' };
    }
    if (e.seq !== index) return { ok: false, index, reason: `seq is ${String(e.seq)}, expected ${index} (event missing, inserted or reordered)` };
    if (index === 0) runId = e.run_id;
    else if (e.run_id !== runId) return { ok: false, index, reason: `run_id ${e.run_id} differs from ${String(runId)}` };
    if (e.prev_hash !== prev) return { ok: false, index, reason: 'prev_hash does not match the previous event' };
    if (typeof e.hash !== 'string' || !HASH_RE.test(e.hash)) return { ok: false, index, reason: 'hash is missing or malformed' };
    let expected: string;
    try {
      expected = hashEvent(prev, e);
    } catch (err) {
      return { ok: false, index, reason: `event cannot be hashed: ${(err as Error).message}` };
    }
    if (expected !== e.hash) return { ok: false, index, reason: 'hash does not match the event content (event altered)' };
    const at = Date.parse(e.at);
    if (Number.isNaN(at)) return { ok: false, index, reason: `at is not a timestamp: ${e.at}` };
    if (at < lastAt) return { ok: false, index, reason: 'time runs backwards' };
    lastAt = at;
    prev = e.hash;
  }
  return { ok: true, count: events.length, head: prev };
}
