import type { Store } from './store.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: never edit a shipped migration, add the next version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, steps, events, deliveries, timers',
    sql: `
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        title         TEXT NOT NULL,
        channel       TEXT NOT NULL,
        root_ts       TEXT,
        requested_by  TEXT NOT NULL,
        checklist     JSONB NOT NULL,
        params        JSONB NOT NULL,
        status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        version       INTEGER NOT NULL DEFAULT 0,
        head_hash     TEXT NOT NULL,
        event_count   INTEGER NOT NULL,
        created_at    TIMESTAMPTZ NOT NULL,
        updated_at    TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX runs_open ON runs (status, channel);

      -- Projection of the events, for status queries; the events are the truth.
      CREATE TABLE steps (
        run_id   TEXT NOT NULL REFERENCES runs (id),
        step_id  TEXT NOT NULL,
        status   TEXT NOT NULL,
        done_by  TEXT,
        done_at  TIMESTAMPTZ,
        choice   TEXT,
        PRIMARY KEY (run_id, step_id)
      );

      -- Append-only, hash-chained log; "event" holds the exact sealed JSON.
      CREATE TABLE events (
        run_id     TEXT NOT NULL REFERENCES runs (id),
        seq        INTEGER NOT NULL,
        type       TEXT NOT NULL,
        actor      TEXT NOT NULL,
        step_id    TEXT,
        at         TIMESTAMPTZ NOT NULL,
        hash       TEXT NOT NULL,
        event      TEXT NOT NULL,
        posted_ts  TEXT,
        PRIMARY KEY (run_id, seq)
      );
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Only posted_ts (the Slack thread reply's ts) may be filled in later.
        IF TG_OP = 'DELETE' OR (NEW.run_id, NEW.seq, NEW.type, NEW.actor, NEW.step_id, NEW.at, NEW.hash, NEW.event)
           IS DISTINCT FROM (OLD.run_id, OLD.seq, OLD.type, OLD.actor, OLD.step_id, OLD.at, OLD.hash, OLD.event) THEN
          RAISE EXCEPTION 'events are append-only';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_append_only();

      -- One row per Slack delivery handled: retries and double clicks find it.
      CREATE TABLE processed_deliveries (
        key          TEXT PRIMARY KEY,
        run_id       TEXT,
        outcome      TEXT NOT NULL,
        received_at  TIMESTAMPTZ NOT NULL
      );

      -- Bake timers and idle reminders; polled, so a restart keeps them.
      CREATE TABLE timers (
        run_id    TEXT NOT NULL REFERENCES runs (id),
        kind      TEXT NOT NULL CHECK (kind IN ('bake', 'idle')),
        step_id   TEXT NOT NULL DEFAULT '',
        due_at    TIMESTAMPTZ NOT NULL,
        fired_at  TIMESTAMPTZ,
        PRIMARY KEY (run_id, kind, step_id)
      );
      CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;
    `,
  },
  {
    version: 2,
    name: 'outbox for Slack side effects',
    sql: `
      -- Slack messages a committed state change owes (root post, root update, thread
      -- reply, evidence upload, reminder), written in the same transaction as the change
      -- and delivered after the commit, in id order per run.
      CREATE TABLE outbox (
        id            BIGSERIAL PRIMARY KEY,
        run_id        TEXT NOT NULL REFERENCES runs (id),
        kind          TEXT NOT NULL CHECK (kind IN ('root', 'update', 'reply', 'evidence', 'reminder')),
        seq           INTEGER,
        text          TEXT,
        created_at    TIMESTAMPTZ NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        delivered_at  TIMESTAMPTZ,
        slack_ts      TEXT,
        error         TEXT
      );
      CREATE INDEX outbox_pending ON outbox (run_id, id) WHERE delivered_at IS NULL;

      -- One deliverer per run at a time (a lease taken with a conditional update), so
      -- that several replicas keep each run's messages in order and send each once.
      ALTER TABLE runs ADD COLUMN outbox_owner TEXT;
      ALTER TABLE runs ADD COLUMN outbox_lease_until TIMESTAMPTZ;
    `,
  },
  {
    version: 3,
    name: 'durable inbox, replica heartbeats',
    sql: `
      -- Every state-changing Slack delivery (a command that opens a run, a click), written
      -- before the ack and processed after it; unprocessed rows are processed on start and
      -- by any replica whose owner is gone. The key is the delivery key of processed_deliveries.
      CREATE TABLE inbox (
        key           TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('command', 'action')),
        payload       TEXT NOT NULL,
        owner         TEXT NOT NULL,
        received_at   TIMESTAMPTZ NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        processed_at  TIMESTAMPTZ,
        error         TEXT
      );
      CREATE INDEX inbox_pending ON inbox (received_at) WHERE processed_at IS NULL;

      -- Live processes ("identity/boot"), so that the inbox rows and outbox leases of one
      -- that is gone (no heartbeat, or restarted under the same identity) are taken over at once.
      CREATE TABLE replicas (
        owner         TEXT PRIMARY KEY,
        heartbeat_at  TIMESTAMPTZ NOT NULL
      );
    `,
  },
];

/**
 * Applies the migrations not yet recorded in schema_migrations, all in one
 * transaction under an advisory lock, so replicas starting together apply each once.
 */
export async function migrate(store: Store, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return store.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(727274)`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      for (const statement of splitSql(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** Splits on `;` at line ends outside `$$` bodies (extended protocol takes one statement at a time). */
function splitSql(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of sql.split('\n')) {
    current += `${line}\n`;
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inBody = !inBody;
    if (!inBody && /;\s*$/.test(line)) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
