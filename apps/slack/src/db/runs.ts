import { randomBytes } from 'node:crypto';
import type { Checklist } from '@ringmaster/core';
import { GENESIS_HASH, sealEvent, type EventBody, type EvidenceEvent, type RunKind } from '@ringmaster/evidence';
import { closingEvent, deriveState, type Decision, type RunState } from '../state.js';
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
  | { kind: 'refused'; code: string; message: string; state: RunState }
  | { kind: 'applied'; events: EvidenceEvent[]; state: RunState; run: RunRow };

export interface NewRun {
  kind: RunKind;
  title: string;
  checklist: Checklist;
  params: Record<string, unknown>;
  requestedBy: string;
  channel: string;
  at: string;
}

export interface DueTimer {
  run_id: string;
  kind: 'bake' | 'idle';
  step_id: string;
}

function newRunId(): string {
  return `rm-${randomBytes(4).toString('hex')}`;
}

/** Runs, their hash-chained events, delivery dedupe and timers, over any Store. */
export class RunRepository {
  constructor(
    readonly store: Store,
    private readonly idleMinutes: number,
  ) {}

  /** Records a delivery once; false when it was already handled (a retry or a double click). */
  private async claim(tx: Sql, key: string, runId: string | null, outcome: string, at: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO processed_deliveries (key, run_id, outcome, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, runId, outcome, at],
    );
    return rows.length === 1;
  }

  /** Opens a run (idempotent on the delivery key): the first event carries the checklist. */
  async createRun(deliveryKey: string, input: NewRun): Promise<{ created: boolean; run?: RunRow; events?: EvidenceEvent[] }> {
    return this.store.transaction(async (tx) => {
      const id = newRunId();
      if (!(await this.claim(tx, deliveryKey, id, 'opened', input.at))) return { created: false };
      const event = sealEvent(GENESIS_HASH, {
        seq: 0,
        run_id: id,
        type: 'run.opened',
        actor: input.requestedBy,
        at: input.at,
        data: { kind: input.kind, title: input.title, checklist: input.checklist, params: input.params, channel: input.channel },
      });
      await tx.query(
        `INSERT INTO runs (id, kind, title, channel, requested_by, checklist, params, head_hash, event_count, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)`,
        [id, input.kind, input.title, input.channel, input.requestedBy, JSON.stringify(input.checklist), JSON.stringify(input.params), event.hash, input.at],
      );
      await this.insertEvents(tx, [event]);
      const state = deriveState([event]);
      for (const s of state.steps) {
        await tx.query('INSERT INTO steps (run_id, step_id, status) VALUES ($1, $2, $3)', [id, s.step.id, s.visible ? s.status : 'hidden']);
      }
      await this.armIdle(tx, id, input.at);
      const run = (await tx.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id]))[0]!;
      return { created: true, run, events: [event] };
    });
  }

  async setRootTs(runId: string, ts: string): Promise<void> {
    await this.store.query('UPDATE runs SET root_ts = $2 WHERE id = $1 AND root_ts IS NULL', [runId, ts]);
  }

  async markPosted(runId: string, seq: number, ts: string): Promise<void> {
    await this.store.query('UPDATE events SET posted_ts = $3 WHERE run_id = $1 AND seq = $2', [runId, seq, ts]);
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

  async openRuns(channel?: string): Promise<RunRow[]> {
    return channel
      ? this.store.query<RunRow>(`SELECT * FROM runs WHERE status = 'open' ORDER BY (channel = $1) DESC, created_at LIMIT 50`, [channel])
      : this.store.query<RunRow>(`SELECT * FROM runs WHERE status = 'open' ORDER BY created_at LIMIT 50`);
  }

  async countEvents(): Promise<number> {
    const rows = await this.store.query<{ n: string | number }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * One state transition, exactly once: the delivery is claimed, the run row is
   * locked (SELECT ... FOR UPDATE), the decision is made on the current events,
   * and the new events are sealed onto the chain, all in one transaction. Fifty
   * concurrent clicks serialize here; the first wins, the rest see it done.
   */
  async act(runId: string, deliveryKey: string, at: string, decide: (state: RunState) => Decision): Promise<ActOutcome> {
    return this.store.transaction(async (tx) => {
      if (!(await this.claim(tx, deliveryKey, null, 'pending', at))) return { kind: 'duplicate' };
      const run = (await tx.query<RunRow>('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId]))[0];
      if (!run) {
        await tx.query(`UPDATE processed_deliveries SET outcome = 'not_found' WHERE key = $1`, [deliveryKey]);
        return { kind: 'not_found' };
      }
      const events = await this.events(runId, tx);
      const state = deriveState(events);
      const decision = decide(state);
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
      await this.insertEvents(tx, sealed);
      await tx.query(
        `UPDATE runs SET version = version + 1, head_hash = $2, event_count = $3, status = $4, updated_at = $5 WHERE id = $1`,
        [runId, prev, events.length + sealed.length, after.closed ? 'closed' : 'open', at],
      );
      await tx.query(`UPDATE processed_deliveries SET run_id = $2, outcome = 'applied' WHERE key = $1`, [deliveryKey, runId]);
      for (const s of after.steps) {
        await tx.query(`UPDATE steps SET status = $3, done_by = $4, done_at = $5, choice = $6 WHERE run_id = $1 AND step_id = $2`, [
          runId,
          s.step.id,
          s.visible ? s.status : 'hidden',
          s.by ?? null,
          s.status === 'done' ? (s.at ?? null) : null,
          s.choice ?? null,
        ]);
      }
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
      const updated = (await tx.query<RunRow>('SELECT * FROM runs WHERE id = $1', [runId]))[0]!;
      return { kind: 'applied', events: sealed, state: after, run: updated };
    });
  }

  private async insertEvents(tx: Sql, events: readonly EvidenceEvent[]): Promise<void> {
    for (const e of events) {
      await tx.query(`INSERT INTO events (run_id, seq, type, actor, step_id, at, hash, event) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        e.run_id,
        e.seq,
        e.type,
        e.actor,
        e.step ?? null,
        e.at,
        e.hash,
        JSON.stringify(e),
      ]);
    }
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
    return this.store.query<DueTimer>(
      `SELECT run_id, kind, step_id FROM timers WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT ${Math.floor(limit)}`,
      [now],
    );
  }

  /**
   * Claims a due idle reminder and re-arms it `idleMinutes` later; only one
   * replica wins the conditional update, so a reminder is sent once.
   */
  async claimIdle(runId: string, now: string): Promise<boolean> {
    const next = new Date(Date.parse(now) + this.idleMinutes * 60_000).toISOString();
    const rows = await this.store.query(
      `UPDATE timers SET due_at = $3 WHERE run_id = $1 AND kind = 'idle' AND fired_at IS NULL AND due_at <= $2 RETURNING run_id`,
      [runId, now, next],
    );
    return rows.length === 1;
  }

  /** Marks a timer fired without a transition (the run closed, or another replica fired it). */
  async fireTimer(runId: string, kind: 'bake' | 'idle', stepId: string, at: string): Promise<void> {
    await this.store.query('UPDATE timers SET fired_at = $4 WHERE run_id = $1 AND kind = $2 AND step_id = $3 AND fired_at IS NULL', [runId, kind, stepId, at]);
  }
}
