import { randomBytes } from 'node:crypto';
import type { Checklist } from '@ringmaster/core';
import { GENESIS_HASH, sealEvent, type EventBody, type EvidenceEvent, type RunKind } from '@ringmaster/evidence';
import { mrkdwn, type SlackText } from '../slack-text.js';
import { closingEvent, deriveState, type Decision, type RunState, type StepState } from '../state.js';
import type { Sql, Store } from './store.js';

export interface RunRow {
  id: string;
  kind: RunKind;
  title: string;
  channel: string;
  root_ts: string | null;
  requested_by: string;
  status: 'open' | 'closed';
  version: number;
  head_hash: string;
  event_count: number;
}

export type ActOutcome =
  | { kind: 'duplicate' }
  | { kind: 'not_found' }
  | { kind: 'refused'; code: string; message: SlackText; state: RunState }
  | { kind: 'applied'; events: EvidenceEvent[]; state: RunState; run: RunRow };

export interface NewRun {
  kind: RunKind;
  /** The subcommand of the flow that opens it (recorded in the first event). */
  flow: string;
  title: string;
  checklist: Checklist;
  params: Record<string, unknown>;
  requestedBy: string;
  channel: string;
  at: string;
}

/** A Slack side effect a committed change owes; delivered after the commit, in id order per run. */
export type OutboxKind = 'root' | 'update' | 'reply' | 'evidence' | 'reminder';

export interface NewOutbox {
  kind: OutboxKind;
  /** For thread replies: the event's seq (its posted_ts is filled in on delivery). */
  seq?: number;
  /** The text to send, when it is fixed at commit time (replies, upload comments). */
  text?: string;
}

export interface OutboxRow {
  id: string;
  run_id: string;
  kind: OutboxKind;
  seq: number | null;
  text: string | null;
  attempts: number;
}

export interface OutboxLease {
  channel: string;
  root_ts: string | null;
}

/** Where a click came from (Slack's signed payload): the run's channel and its root message or thread. */
export interface Origin {
  channel: string;
  /** The clicked message's ts. */
  messageTs?: string;
  /** The thread the clicked message is in (a reminder in the run's thread). */
  threadTs?: string;
}

/** One state transition asked of `act`. */
export interface Change {
  /** The decision on the current state, at the event time `act` took under the lock. */
  decide: (state: RunState, at: string) => Decision;
  /** The Slack side effects the new events owe (outbox rows, same transaction). */
  effects?: (events: readonly EvidenceEvent[], state: RunState) => NewOutbox[];
  /** For clicks: refused unless it comes from the run's channel and its root message or thread. */
  origin?: Origin;
  /** When Slack delivered the request (the inbox row): the event's time unless the chain is already later. */
  requestedAt?: string;
}

/** The time for a run's next event: now, or the last event's time when the clock is behind it. */
export function eventTime(now: Date, lastAt: string): string {
  const last = Date.parse(lastAt);
  return Number.isNaN(last) || now.getTime() >= last ? now.toISOString() : new Date(last).toISOString();
}

/** A click from elsewhere than the run's channel and its root message or thread is refused. */
export function checkOrigin(run: RunRow, origin: Origin): Decision | undefined {
  const onRoot = run.root_ts !== null && (origin.messageTs === run.root_ts || origin.threadTs === run.root_ts);
  if (origin.channel === run.channel && onRoot) return undefined;
  return { ok: false, code: 'elsewhere', message: mrkdwn`That button does not belong to this run's channel and message.` };
}

/** A delivery written before its ack, to be processed after it. */
export interface InboxRow {
  key: string;
  kind: 'command' | 'action';
  payload: string;
  received_at: string;
  attempts: number;
}

/**
 * Who is delivering or processing: `owner` is "identity/boot". A row or lease held by
 * another owner is free when that owner has no heartbeat since `staleBefore`, or shares
 * this process's identity (an earlier life of it, restarted).
 */
export interface Holder {
  owner: string;
  identity: string;
  staleBefore: string;
}

/** SQL: the holder named by `column` is gone ($a: identity, $b: staleBefore). */
function goneSql(column: string, identity: string, staleBefore: string): string {
  return `(split_part(${column}, '/', 1) = ${identity} OR NOT EXISTS (SELECT 1 FROM replicas r WHERE r.owner = ${column} AND r.heartbeat_at > ${staleBefore}))`;
}

export interface DueTimer {
  run_id: string;
  kind: 'bake' | 'idle';
  step_id: string;
  /** When it is due (a bake started again is a new firing). */
  due_at: string;
}

/** A step's projection row: id, status, done_by, done_at, choice. */
type StepRow = [string, string, string | null, string | null, string | null];

function stepRow(s: StepState): StepRow {
  return [s.step.id, s.visible ? s.status : 'hidden', s.by ?? null, s.status === 'done' ? (s.at ?? null) : null, s.choice ?? null];
}

function newRunId(): string {
  return `rm-${randomBytes(4).toString('hex')}`;
}

/** Runs, their hash-chained events, delivery dedupe, timers and the Slack outbox, over any Store. */
export class RunRepository {
  /**
   * @param clock the app's clock; an event's time is read from it under the run's lock
   *   (see `act`), never anywhere else.
   */
  constructor(
    readonly store: Store,
    private readonly idleMinutes: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Now, as an ISO string (for rows that are not events: deliveries, timers, outbox marks). */
  nowIso(): string {
    return this.clock().toISOString();
  }

  /** Records a delivery once; false when it was already handled (a retry or a double click). */
  private async claim(tx: Sql, key: string, runId: string | null, outcome: string, at: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO processed_deliveries (key, run_id, outcome, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, runId, outcome, at],
    );
    return rows.length === 1;
  }

  /**
   * Opens a run (idempotent on the delivery key): the first event carries the
   * checklist. One statement, so all or nothing: the delivery claim, the run, its
   * first event, its steps, its idle timer and the outbox rows `effects` asks for.
   */
  async createRun(
    deliveryKey: string,
    input: NewRun,
    effects: (event: EvidenceEvent, state: RunState) => NewOutbox[] = () => [],
  ): Promise<{ created: boolean; run?: RunRow; events?: EvidenceEvent[] }> {
    const id = newRunId();
    const event = sealEvent(GENESIS_HASH, {
      seq: 0,
      run_id: id,
      type: 'run.opened',
      actor: input.requestedBy,
      at: input.at,
      data: { kind: input.kind, flow: input.flow, title: input.title, checklist: input.checklist, params: input.params, channel: input.channel },
    });
    const state = deriveState([event]);
    const outbox = effects(event, state);
    const idleDue = new Date(Date.parse(input.at) + this.idleMinutes * 60_000).toISOString();
    const rows = await this.store.query<RunRow>(
      `WITH claim AS (
         INSERT INTO processed_deliveries (key, run_id, outcome, received_at) VALUES ($1::text, $2::text, 'opened', $9::timestamptz)
         ON CONFLICT (key) DO NOTHING RETURNING key),
       run AS (
         INSERT INTO runs (id, kind, title, channel, requested_by, checklist, params, head_hash, event_count, created_at, updated_at)
         SELECT $2::text, $3::text, $4::text, $5::text, $6::text, $7::jsonb, $8::jsonb, $10::text, 1, $9::timestamptz, $9::timestamptz FROM claim
         RETURNING *),
       ev AS (
         INSERT INTO events (run_id, seq, type, actor, step_id, at, hash, event)
         SELECT id, 0, 'run.opened', requested_by, NULL, created_at, head_hash, $11::text FROM run),
       st AS (
         INSERT INTO steps (run_id, step_id, status)
         SELECT run.id, u.step_id, u.status FROM run, unnest($12::text[], $13::text[]) AS u (step_id, status)),
       tm AS (
         INSERT INTO timers (run_id, kind, step_id, due_at) SELECT id, 'idle', '', $14::timestamptz FROM run),
       ob AS (
         INSERT INTO outbox (run_id, kind, seq, text, created_at)
         SELECT run.id, o.kind, o.seq, o.text, $9::timestamptz
         FROM run, unnest($15::text[], $16::int[], $17::text[]) WITH ORDINALITY AS o (kind, seq, text, n) ORDER BY o.n)
       SELECT * FROM run`,
      [
        deliveryKey,
        id,
        input.kind,
        input.title,
        input.channel,
        input.requestedBy,
        JSON.stringify(input.checklist),
        JSON.stringify(input.params),
        input.at,
        event.hash,
        JSON.stringify(event),
        state.steps.map((s) => s.step.id),
        state.steps.map((s) => (s.visible ? s.status : 'hidden')),
        idleDue,
        outbox.map((o) => o.kind),
        outbox.map((o) => o.seq ?? null),
        outbox.map((o) => o.text ?? null),
      ],
    );
    const run = rows[0];
    return run ? { created: true, run, events: [event] } : { created: false };
  }

  /** The run a delivery opened (createRun's key), if it did. */
  async runOpenedBy(deliveryKey: string): Promise<string | undefined> {
    const rows = await this.store.query<{ run_id: string | null }>(`SELECT run_id FROM processed_deliveries WHERE key = $1 AND outcome = 'opened'`, [deliveryKey]);
    return rows[0]?.run_id ?? undefined;
  }

  async getRun(runId: string, sql: Sql = this.store): Promise<RunRow | undefined> {
    return (await sql.query<RunRow>('SELECT * FROM runs WHERE id = $1', [runId]))[0];
  }

  async events(runId: string, sql: Sql = this.store): Promise<EvidenceEvent[]> {
    const rows = await sql.query<{ event: string }>('SELECT event FROM events WHERE run_id = $1 ORDER BY seq', [runId]);
    return rows.map((r) => JSON.parse(r.event) as EvidenceEvent);
  }

  async state(runId: string): Promise<RunState | undefined> {
    const events = await this.events(runId);
    return events.length ? deriveState(events) : undefined;
  }

  /** The open runs of one channel, oldest first. */
  async openRuns(channel: string): Promise<RunRow[]> {
    return this.store.query<RunRow>(`SELECT * FROM runs WHERE status = 'open' AND channel = $1 ORDER BY created_at LIMIT 50`, [channel]);
  }

  /** Open runs in other channels than `channel` (a number only: which runs, and where, stay in their channels). */
  async countOpenElsewhere(channel: string): Promise<number> {
    const rows = await this.store.query<{ n: string | number }>(`SELECT count(*) AS n FROM runs WHERE status = 'open' AND channel <> $1`, [channel]);
    return Number(rows[0]?.n ?? 0);
  }

  async countEvents(): Promise<number> {
    const rows = await this.store.query<{ n: string | number }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * One state transition, exactly once: the delivery is claimed, the run row is
   * locked (SELECT ... FOR UPDATE), the decision is made on the current events,
   * and the new events are sealed onto the chain, with the outbox rows `effects`
   * asks for, all in one transaction. Fifty concurrent clicks serialize here; the
   * first wins, the rest see it done.
   *
   * The events' time is read here, under the lock, and never earlier than the last
   * event's: the chain's order and its times agree whatever the concurrency, and a
   * replica whose clock lags cannot make time run backwards.
   */
  async act(runId: string, deliveryKey: string, change: Change): Promise<ActOutcome> {
    const { decide, effects = () => [], origin, requestedAt } = change;
    return this.store.transaction(async (tx) => {
      if (!(await this.claim(tx, deliveryKey, null, 'pending', this.nowIso()))) return { kind: 'duplicate' };
      const run = (await tx.query<RunRow>('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId]))[0];
      if (!run) {
        await tx.query(`UPDATE processed_deliveries SET outcome = 'not_found' WHERE key = $1`, [deliveryKey]);
        return { kind: 'not_found' };
      }
      // A new statement after the lock: it sees every event committed before it.
      const events = await this.events(runId, tx);
      const state = deriveState(events);
      const at = eventTime(requestedAt ? new Date(requestedAt) : this.clock(), state.lastAt);
      const misplaced = origin ? checkOrigin(run, origin) : undefined;
      const decision = misplaced ?? decide(state, at);
      if (!decision.ok) {
        await tx.query(`UPDATE processed_deliveries SET run_id = $2, outcome = $3 WHERE key = $1`, [deliveryKey, runId, `refused:${decision.code}`]);
        return { kind: 'refused', code: decision.code, message: decision.message, state };
      }
      const sealed: EvidenceEvent[] = [];
      let prev = run.head_hash;
      const seal = (body: Omit<EventBody, 'seq' | 'run_id'>): void => {
        const event = sealEvent(prev, { ...body, seq: events.length + sealed.length, run_id: runId });
        sealed.push(event);
        prev = event.hash;
      };
      decision.events.forEach(seal);
      let after = deriveState([...events, ...sealed]);
      const closing = closingEvent(after, at);
      if (closing) {
        seal(closing);
        after = deriveState([...events, ...sealed]);
      }
      // Only the steps whose projection changed.
      const before = new Map(state.steps.map((s) => [s.step.id, JSON.stringify(stepRow(s))]));
      const changed = after.steps.map(stepRow).filter((r) => JSON.stringify(r) !== before.get(r[0]));
      const outbox = effects(sealed, after);
      // One statement for the events, the run, the delivery, the steps and the outbox.
      const updated = (
        await tx.query<RunRow>(
          `WITH ev AS (
             INSERT INTO events (run_id, seq, type, actor, step_id, at, hash, event)
             SELECT $1::text, e.seq, e.type, e.actor, e.step_id, e.at, e.hash, e.event
             FROM unnest($7::int[], $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::text[]) AS e (seq, type, actor, step_id, at, hash, event)),
           run AS (
             UPDATE runs SET version = version + 1, head_hash = $3::text, event_count = $4::int, status = $5::text, updated_at = $6::timestamptz
             WHERE id = $1::text RETURNING *),
           del AS (
             UPDATE processed_deliveries SET run_id = $1::text, outcome = 'applied' WHERE key = $2::text),
           st AS (
             UPDATE steps SET status = u.status, done_by = u.done_by, done_at = u.done_at, choice = u.choice
             FROM unnest($14::text[], $15::text[], $16::text[], $17::timestamptz[], $18::text[]) AS u (step_id, status, done_by, done_at, choice)
             WHERE steps.run_id = $1::text AND steps.step_id = u.step_id),
           ob AS (
             INSERT INTO outbox (run_id, kind, seq, text, created_at)
             SELECT $1::text, o.kind, o.seq, o.text, $6::timestamptz
             FROM unnest($19::text[], $20::int[], $21::text[]) WITH ORDINALITY AS o (kind, seq, text, n) ORDER BY o.n)
           SELECT * FROM run`,
          [
            runId,
            deliveryKey,
            prev,
            events.length + sealed.length,
            after.closed ? 'closed' : 'open',
            at,
            sealed.map((e) => e.seq),
            sealed.map((e) => e.type),
            sealed.map((e) => e.actor),
            sealed.map((e) => e.step ?? null),
            sealed.map((e) => e.at),
            sealed.map((e) => e.hash),
            sealed.map((e) => JSON.stringify(e)),
            changed.map((r) => r[0]),
            changed.map((r) => r[1]),
            changed.map((r) => r[2]),
            changed.map((r) => r[3]),
            changed.map((r) => r[4]),
            outbox.map((o) => o.kind),
            outbox.map((o) => o.seq ?? null),
            outbox.map((o) => o.text ?? null),
          ],
        )
      )[0]!;
      for (const e of sealed) {
        if (e.type === 'wait.started') {
          await tx.query(
            `INSERT INTO timers (run_id, kind, step_id, due_at) VALUES ($1, 'bake', $2, $3)
             ON CONFLICT (run_id, kind, step_id) DO UPDATE SET due_at = EXCLUDED.due_at, fired_at = NULL`,
            [runId, e.step, e.data?.['until']],
          );
        }
        if (e.type === 'wait.elapsed') await tx.query(`UPDATE timers SET fired_at = $3 WHERE run_id = $1 AND kind = 'bake' AND step_id = $2`, [runId, e.step, at]);
      }
      if (after.closed) await tx.query(`UPDATE timers SET fired_at = $2 WHERE run_id = $1 AND fired_at IS NULL`, [runId, at]);
      else {
        const snooze = sealed.find((e) => e.type === 'reminder.snoozed');
        await this.armIdle(tx, runId, at, snooze ? String(snooze.data?.['until']) : undefined);
      }
      return { kind: 'applied', events: sealed, state: after, run: updated };
    });
  }

  /** (Re)arms a run's idle reminder: `idleMinutes` after `at`, or at the snooze end. */
  private async armIdle(tx: Sql, runId: string, at: string, until?: string): Promise<void> {
    const due = until ?? new Date(Date.parse(at) + this.idleMinutes * 60_000).toISOString();
    await tx.query(
      `INSERT INTO timers (run_id, kind, step_id, due_at) VALUES ($1, 'idle', '', $2)
       ON CONFLICT (run_id, kind, step_id) DO UPDATE SET due_at = EXCLUDED.due_at, fired_at = NULL`,
      [runId, due],
    );
  }

  async dueTimers(now: string, limit = 20): Promise<DueTimer[]> {
    return this.timers(`fired_at IS NULL AND due_at <= $1`, now, limit);
  }

  /** Bakes under way (their timer not due yet), for the burn-rate watch. */
  async bakesUnderWay(now: string, limit = 100): Promise<DueTimer[]> {
    return this.timers(`kind = 'bake' AND fired_at IS NULL AND due_at > $1`, now, limit);
  }

  private async timers(where: string, now: string, limit: number): Promise<DueTimer[]> {
    const rows = await this.store.query<DueTimer>(`SELECT run_id, kind, step_id, due_at FROM timers WHERE ${where} ORDER BY due_at LIMIT ${Math.floor(limit)}`, [now]);
    return rows.map((r) => ({ ...r, due_at: new Date(r.due_at).toISOString() }));
  }

  /**
   * Claims a due idle reminder, re-arms it `idleMinutes` later and queues the
   * reminder in the outbox, in one statement: only one replica wins the
   * conditional update, so a reminder is queued once.
   */
  async claimIdle(runId: string, now: string): Promise<boolean> {
    const next = new Date(Date.parse(now) + this.idleMinutes * 60_000).toISOString();
    const rows = await this.store.query(
      `WITH t AS (
         UPDATE timers SET due_at = $3::timestamptz
         WHERE run_id = $1::text AND kind = 'idle' AND fired_at IS NULL AND due_at <= $2::timestamptz RETURNING run_id),
       o AS (INSERT INTO outbox (run_id, kind, created_at) SELECT run_id, 'reminder', $2::timestamptz FROM t)
       SELECT run_id FROM t`,
      [runId, now, next],
    );
    return rows.length === 1;
  }

  /** Marks a timer fired without a transition (the run closed, or another replica fired it). */
  async fireTimer(runId: string, kind: 'bake' | 'idle', stepId: string, at: string): Promise<void> {
    await this.store.query('UPDATE timers SET fired_at = $4 WHERE run_id = $1 AND kind = $2 AND step_id = $3 AND fired_at IS NULL', [runId, kind, stepId, at]);
  }

  // ---- outbox ------------------------------------------------------------------------------

  /** Runs with undelivered outbox rows, the oldest first. */
  async pendingRuns(limit = 100): Promise<string[]> {
    const rows = await this.store.query<{ run_id: string }>(
      `SELECT run_id FROM outbox WHERE delivered_at IS NULL GROUP BY run_id ORDER BY min(id) LIMIT ${Math.floor(limit)}`,
    );
    return rows.map((r) => r.run_id);
  }

  /**
   * Takes the run's delivery lease until `until`: a conditional update of the run
   * row, so one deliverer at a time (across replicas) sends a run's messages, in
   * order. Undefined while another owner holds an unexpired lease.
   */
  async leaseOutbox(runId: string, holder: Holder, now: string, until: string): Promise<OutboxLease | undefined> {
    // A lease whose holder is gone is free at once; a back-off (no owner) waits for its time.
    const rows = await this.store.query<OutboxLease>(
      `UPDATE runs SET outbox_owner = $2::text, outbox_lease_until = $4::timestamptz
       WHERE id = $1::text AND (outbox_lease_until IS NULL OR outbox_lease_until <= $3::timestamptz OR outbox_owner = $2::text
         OR (outbox_owner IS NOT NULL AND ${goneSql('outbox_owner', '$5::text', '$6::timestamptz')}))
       RETURNING channel, root_ts`,
      [runId, holder.owner, now, until, holder.identity, holder.staleBefore],
    );
    return rows[0];
  }

  /**
   * Gives the lease back; with `retryAt` (a back-off after a failure) nobody takes
   * it before then. True when rows are still undelivered and may be sent now.
   */
  async releaseOutbox(runId: string, owner: string, retryAt?: string): Promise<boolean> {
    const rows = await this.store.query<{ more: boolean }>(
      `UPDATE runs SET outbox_owner = NULL, outbox_lease_until = $3::timestamptz
       WHERE id = $1::text AND outbox_owner = $2::text
       RETURNING EXISTS (SELECT 1 FROM outbox WHERE run_id = $1::text AND delivered_at IS NULL) AS more`,
      [runId, owner, retryAt ?? null],
    );
    return !retryAt && rows[0]?.more === true;
  }

  async pendingOutbox(runId: string): Promise<OutboxRow[]> {
    const rows = await this.store.query<OutboxRow>(
      'SELECT id, run_id, kind, seq, text, attempts FROM outbox WHERE run_id = $1 AND delivered_at IS NULL ORDER BY id',
      [runId],
    );
    return rows.map((r) => ({ ...r, id: String(r.id), attempts: Number(r.attempts) }));
  }

  /**
   * Marks rows delivered (`ts`: the Slack message's ts; null for rows skipped, with
   * `note` saying why). A root post records the run's root_ts, a thread reply its
   * event's posted_ts, in the same statement.
   */
  async markDelivered(ids: readonly string[], at: string, ts: string | null, note: string | null = null): Promise<void> {
    await this.store.query(
      `WITH o AS (
         UPDATE outbox SET delivered_at = $2::timestamptz, slack_ts = $3::text, error = $4::text, attempts = attempts + 1
         WHERE id = ANY($1::bigint[]) AND delivered_at IS NULL RETURNING run_id, kind, seq),
       e AS (
         UPDATE events SET posted_ts = $3::text FROM o
         WHERE $3::text IS NOT NULL AND o.kind = 'reply' AND events.run_id = o.run_id AND events.seq = o.seq),
       r AS (
         UPDATE runs SET root_ts = $3::text FROM o
         WHERE $3::text IS NOT NULL AND o.kind = 'root' AND runs.id = o.run_id AND runs.root_ts IS NULL)
       SELECT 1`,
      [ids, at, ts, note],
    );
  }

  /** Records a failed attempt; with `giveUp` the row is closed and never tried again. */
  async markFailed(id: string, at: string, error: string, giveUp: boolean): Promise<void> {
    await this.store.query(
      `UPDATE outbox SET attempts = attempts + 1, error = $3::text, delivered_at = CASE WHEN $4::boolean THEN $2::timestamptz END WHERE id = $1::bigint`,
      [id, at, error.slice(0, 500), giveUp],
    );
  }

  // ---- inbox and replicas ----------------------------------------------------------------------

  /** Records this process as alive (and keeps it so); the first call also registers it. */
  async heartbeat(owner: string, at: string): Promise<void> {
    await this.store.query(
      `INSERT INTO replicas (owner, heartbeat_at) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`,
      [owner, at],
    );
  }

  /** A clean stop: the process's rows and leases are free for others at once. */
  async leave(owner: string): Promise<void> {
    await this.store.query('DELETE FROM replicas WHERE owner = $1', [owner]);
  }

  /**
   * Writes a delivery before it is acknowledged (one statement); false when it is
   * already there (Slack's retry of a delivery already received).
   */
  async receive(key: string, kind: InboxRow['kind'], payload: string, owner: string, at: string): Promise<boolean> {
    const rows = await this.store.query(
      `INSERT INTO inbox (key, kind, payload, owner, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, kind, payload, owner, at],
    );
    return rows.length === 1;
  }

  /**
   * Takes the unprocessed deliveries of gone holders (and this process's own, which
   * the caller filters by what it is processing now), oldest first.
   */
  async claimInbox(holder: Holder, limit = 100): Promise<InboxRow[]> {
    const rows = await this.store.query<InboxRow>(
      `UPDATE inbox SET owner = $1::text
       WHERE key IN (
         SELECT key FROM inbox
         WHERE processed_at IS NULL AND (owner = $1::text OR ${goneSql('owner', '$2::text', '$3::timestamptz')})
         ORDER BY received_at LIMIT ${Math.floor(limit)} FOR UPDATE SKIP LOCKED)
       RETURNING key, kind, payload, received_at, attempts`,
      [holder.owner, holder.identity, holder.staleBefore],
    );
    return rows
      .map((r) => ({ ...r, received_at: new Date(r.received_at).toISOString(), attempts: Number(r.attempts) }))
      .sort((a, b) => a.received_at.localeCompare(b.received_at));
  }

  /** Marks a delivery processed; with `error`, a failed attempt (closed when `giveUp`). */
  async processed(key: string, at: string, error?: string, giveUp = true): Promise<void> {
    await this.store.query(
      `UPDATE inbox SET attempts = attempts + 1, error = $3::text, processed_at = CASE WHEN $4::boolean THEN $2::timestamptz END WHERE key = $1`,
      [key, at, error?.slice(0, 500) ?? null, giveUp],
    );
  }

  async countUnprocessed(): Promise<number> {
    const rows = await this.store.query<{ n: string | number }>('SELECT count(*) AS n FROM inbox WHERE processed_at IS NULL');
    return Number(rows[0]?.n ?? 0);
  }

  async countUndelivered(): Promise<number> {
    const rows = await this.store.query<{ n: string | number }>('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL');
    return Number(rows[0]?.n ?? 0);
  }
}
