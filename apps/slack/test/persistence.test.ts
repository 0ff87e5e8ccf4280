import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle, type EvidenceBundle } from '@ringmaster/evidence';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, MIGRATIONS } from '../src/db/migrations.js';
import { openStore, type Store, type StoreOptions } from '../src/db/store.js';
import { FakeSlack } from './fake-slack.js';
import { driveToEnd, sign, startHarness, type Harness } from './harness.js';

const pgUrl = inject('postgresUrl');
const pgSkip = inject('postgresSkip');

interface Backend {
  name: string;
  skip: string;
  /** Options that reopen the same database. */
  options(): Promise<StoreOptions>;
  cleanup(): Promise<void>;
}

const backends: Backend[] = [
  (() => {
    let dir = '';
    return {
      name: 'PGlite (data directory)',
      skip: '',
      async options() {
        dir ||= mkdtempSync(join(tmpdir(), 'rm-pglite-'));
        return { dataDir: join(dir, 'data') };
      },
      async cleanup() {
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  })(),
  (() => {
    const db = `rm_persist_${process.pid}`;
    let created = false;
    return {
      name: 'PostgreSQL 15 server',
      skip: pgSkip,
      async options() {
        if (!created) {
          const admin = await openStore({ databaseUrl: pgUrl, dataDir: '' });
          await admin.query(`DROP DATABASE IF EXISTS ${db}`);
          await admin.query(`CREATE DATABASE ${db}`);
          await admin.close();
          created = true;
        }
        return { databaseUrl: pgUrl.replace(/\/postgres$/, `/${db}`), dataDir: '' };
      },
      async cleanup() {
        if (!created) return;
        const admin = await openStore({ databaseUrl: pgUrl, dataDir: '' });
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await admin.close();
      },
    };
  })(),
];

for (const backend of backends) {
  describe.skipIf(Boolean(backend.skip))(`persistence on ${backend.name}`, () => {
    let store: Store;
    let h: Harness;
    const fake = new FakeSlack();
    const clock = { value: 0 };

    beforeAll(async () => {
      await fake.start();
      store = await openStore(await backend.options());
      h = await startHarness({ store, fake, clockOffsetMs: clock });
    }, 60_000);

    afterAll(async () => {
      await h?.close();
      await store?.close();
      await fake.stop();
      await backend.cleanup();
      expect(fake.blockProblems).toEqual([]);
    });

    it('runs versioned migrations once, in a transaction, and keeps events append-only', async () => {
      expect(await migrate(store)).toEqual([]);
      const rows = await store.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      const runId = (await h.command('incident ledger sev3', 'UIC')).runId!;
      await expect(store.query(`UPDATE events SET actor = 'UMALLORY' WHERE run_id = $1`, [runId])).rejects.toThrow(/append-only/);
      await expect(store.query(`DELETE FROM events WHERE run_id = $1`, [runId])).rejects.toThrow(/append-only/);
    });

    it('a replayed X-Slack-Retry-Num delivery and a double click create nothing twice', async () => {
      const first = await h.command('incident payments sev2', 'UIC');
      const runId = first.runId!;
      const roots = fake.of('chat.postMessage').filter((c) => !c.args['thread_ts']).length;
      // Slack retries the same slash command delivery.
      const replay = new URLSearchParams({
        team_id: 'T0001',
        channel_id: 'C0RELEASE',
        user_id: 'UIC',
        command: '/release',
        text: 'incident payments sev2',
        api_app_id: 'A0001',
        response_url: `${fake.url}/respond/${first.triggerId}`,
        trigger_id: first.triggerId,
      }).toString();
      const retried = await h.post(replay, { ...sign(replay), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
      expect(retried.status).toBe(200);
      expect(await store.query('SELECT id FROM runs WHERE id <> $1 AND title = $2', [runId, 'Incident response: payments (sev2)'])).toHaveLength(0);
      expect(fake.of('chat.postMessage').filter((c) => !c.args['thread_ts']).length).toBe(roots);

      const events = (await h.rm.repo.events(runId)).length;
      const posts = fake.calls.length;
      await h.click(runId, 'acknowledge', 'UIC', { actionTs: '1700000001.000001' });
      const afterFirst = fake.calls.length;
      for (const retry of [1, 2, 3]) await h.click(runId, 'acknowledge', 'UIC', { op: 'complete', actionId: 'rm.complete.0', actionTs: '1700000001.000001', retry });
      expect(fake.calls.length).toBe(afterFirst);
      // A double click is a second delivery: refused as already done, nothing appended.
      await h.click(runId, 'acknowledge', 'UIC', { op: 'complete', actionTs: '1700000001.000002' });
      expect((await h.rm.repo.events(runId)).length).toBe(events + 1);
      expect(fake.threadOf(fake.rootOf(runId)!.ts).filter((c) => String(c.args['text']).includes('completed *Acknowledge')).length).toBe(1);
      expect(afterFirst).toBeGreaterThan(posts);
    });

    it('fifty concurrent clicks on one step yield exactly one transition', async () => {
      const runId = (await h.command('incident search sev1', 'UIC')).runId!;
      const before = (await h.rm.repo.events(runId)).length;
      const ephemerals = fake.of('chat.postEphemeral').length;
      const results = await Promise.all(Array.from({ length: 50 }, () => h.click(runId, 'acknowledge', 'UIC', { op: 'complete' })));
      expect(results.every((r) => r.status === 200)).toBe(true);
      await h.rm.settled();
      const events = await h.rm.repo.events(runId);
      expect(events.length).toBe(before + 1);
      expect(events.filter((e) => e.type === 'step.completed')).toHaveLength(1);
      expect(fake.threadOf(fake.rootOf(runId)!.ts).filter((c) => String(c.args['text']).includes('completed'))).toHaveLength(1);
      expect(fake.of('chat.postEphemeral').length - ephemerals).toBe(49);
      const run = await h.rm.repo.getRun(runId);
      expect(run?.version).toBe(1);
    });

    it('two clicks on different steps at once, the first slow to resolve its roles: times never run backwards, the closing bundle is uploaded', async () => {
      // A fresh app: its user-group cache is empty, so each click looks the group up.
      await h.close();
      h = await startHarness({ store, fake, clockOffsetMs: clock });
      const runId = (await h.command('incident concurrent sev2', 'UIC')).runId!;
      fake.delayOnce('usergroups.users.list', 800);
      const first = h.click(runId, 'acknowledge', 'UIC');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = h.click(runId, 'evaluate', 'UIC', { option: 'code' });
      await Promise.all([first, second]);
      const events = await h.rm.repo.events(runId);
      // The second click was committed first; its event still comes first in time.
      expect(events.slice(1).map((e) => e.step)).toEqual(['evaluate', 'acknowledge']);
      const times = (list: typeof events): number[] => list.map((e) => Date.parse(e.at));
      expect(times(events)).toEqual([...times(events)].sort((a, b) => a - b));
      const end = await driveToEnd(h, runId);
      expect(end.closed).toBe(true);
      const all = await h.rm.repo.events(runId);
      expect(times(all)).toEqual([...times(all)].sort((a, b) => a - b));
      const files = fake.filesIn(fake.rootOf(runId)!.ts);
      const bundle = JSON.parse(files.find((f) => f.title.startsWith('Evidence bundle'))!.content) as EvidenceBundle;
      expect(verifyBundle(bundle)).toMatchObject({ ok: true, count: all.length });
    });

    it('a restart in the middle of a run loses nothing: state, bake timer and chain continue from the database', async () => {
      const runId = (await h.command('incident checkout sev1', 'UIC')).runId!;
      await h.click(runId, 'acknowledge', 'UIC');
      await h.click(runId, 'evaluate', 'UIC', { option: 'config-flag' });
      await h.click(runId, 'toggle-flag', 'UOPS');
      await h.click(runId, 'stabilize', 'UOPS');
      const before = await h.rm.repo.events(runId);

      // Stop the app and close the database, then start again on the same data.
      await h.close();
      await store.close();
      store = await openStore(await backend.options());
      h = await startHarness({ store, fake, clockOffsetMs: clock });

      const state = await h.state(runId);
      expect(state.steps.find((s) => s.step.id === 'stabilize')?.status).toBe('waiting');
      expect(await h.rm.repo.events(runId)).toEqual(before);
      // The bake timer was in the database: it fires after the restart.
      h.advance(15);
      await h.rm.tick();
      await h.rm.settled();
      expect((await h.state(runId)).steps.find((s) => s.step.id === 'stabilize')?.status).toBe('done');
      const end = await driveToEnd(h, runId);
      expect(end.closed).toBe(true);
      const events = await h.rm.repo.events(runId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
      const files = fake.filesIn(fake.rootOf(runId)!.ts);
      const bundle = JSON.parse(files.find((f) => f.title.startsWith('Evidence bundle'))!.content) as EvidenceBundle;
      expect(verifyBundle(bundle)).toMatchObject({ ok: true, count: events.length });
      expect(fake.threadOf(fake.rootOf(runId)!.ts)).toHaveLength(events.length);
    });

    it('a crash between the commit and Slack: after a restart the reply and the root update arrive exactly once', async () => {
      const runId = (await h.command('incident ledger sev2', 'UIC')).runId!;
      const root = fake.rootOf(runId)!;
      const chat = (): number => fake.calls.filter((c) => c.method.startsWith('chat.')).length;
      // A process that commits the click and dies before it talks to Slack.
      await h.close();
      h = await startHarness({ store, fake, clockOffsetMs: clock, app: { deliverOutbox: false } });
      const before = chat();
      await h.click(runId, 'acknowledge', 'UIC', { actionTs: '1700000002.000001' });
      expect(chat()).toBe(before);
      expect((await h.rm.repo.events(runId)).at(-1)?.type).toBe('step.completed');
      expect(await h.rm.repo.countUndelivered()).toBe(2); // the root update and the thread reply
      await h.close();
      await store.close();

      // Restart on the same database: the outbox is delivered on start.
      store = await openStore(await backend.options());
      h = await startHarness({ store, fake, clockOffsetMs: clock });
      await h.rm.settled();
      const replies = (): number => fake.threadOf(root.ts).filter((c) => String(c.args['text']).includes('completed *Acknowledge')).length;
      const updates = (): number => fake.of('chat.update').filter((c) => c.args['ts'] === root.ts).length;
      expect(replies()).toBe(1);
      expect(updates()).toBe(1);
      expect(JSON.stringify(fake.rootOf(runId)!.blocks)).toMatch(/\b1\/\d+ steps done/);
      expect(await h.rm.repo.countUndelivered()).toBe(0);
      const seq = (await h.rm.repo.events(runId)).length - 1;
      expect((await store.query<{ posted_ts: string | null }>('SELECT posted_ts FROM events WHERE run_id = $1 AND seq = $2', [runId, seq]))[0]?.posted_ts).toBeTruthy();
      // Later ticks and another start send nothing again.
      const after = chat();
      await h.rm.tick();
      await h.rm.deliverPending();
      await h.rm.settled();
      expect(chat()).toBe(after);
      expect(replies()).toBe(1);
    });

    /** As if a process died right after chat.postMessage answered: the reply's row is not marked, and `owner` still holds the run's lease. */
    async function crashAfterSlackCall(label: string, owner: string): Promise<{ runId: string; replies: () => number }> {
      const runId = (await h.command(`incident ledger-${label} sev3`, 'UIC')).runId!;
      const root = fake.rootOf(runId)!;
      await h.click(runId, 'acknowledge', 'UIC');
      const replies = (): number => fake.threadOf(root.ts).filter((c) => String(c.args['text']).includes('completed *Acknowledge')).length;
      expect(replies()).toBe(1);
      const appNow = Date.now() + clock.value;
      await store.query(`UPDATE outbox SET delivered_at = NULL, slack_ts = NULL WHERE run_id = $1 AND kind = 'reply' AND seq = 1`, [runId]);
      await store.query(`UPDATE runs SET outbox_owner = $2, outbox_lease_until = $3 WHERE id = $1`, [runId, owner, new Date(appNow + 120_000).toISOString()]);
      // Its last heartbeat was a second ago: by the clock, it could still be alive.
      await store.query(`INSERT INTO replicas (owner, heartbeat_at) VALUES ($1, $2) ON CONFLICT (owner) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`, [owner, new Date(appNow - 1000).toISOString()]);
      await h.close();
      await store.close();
      store = await openStore(await backend.options());
      return { runId, replies };
    }

    it('a lease held by a live replica is respected; once its heartbeat is stale it is taken over, with at most one duplicate', async () => {
      const { runId, replies } = await crashAfterSlackCall('other', 'replica-b/boot1');
      h = await startHarness({ store, fake, clockOffsetMs: clock, app: { replicaId: 'replica-a' } });
      await h.rm.settled();
      expect(replies()).toBe(1); // replica-b may be alive: its lease holds
      h.advance(1); // no heartbeat for a minute: replica-b is gone
      await h.rm.tick();
      await h.rm.settled();
      expect(replies()).toBe(2); // the one documented duplicate
      await h.rm.tick();
      await h.rm.settled();
      expect(replies()).toBe(2);
      expect(await store.query(`SELECT 1 FROM outbox WHERE run_id = $1 AND delivered_at IS NULL`, [runId])).toEqual([]);
    });

    it('a process restarted under the same identity takes over its pending rows at once', async () => {
      await h.close();
      h = await startHarness({ store, fake, clockOffsetMs: clock, app: { replicaId: 'replica-c' } });
      const { runId, replies } = await crashAfterSlackCall('same', 'replica-c/boot1');
      // Restarted seconds later, heartbeat still fresh: no waiting for the two-minute lease.
      h = await startHarness({ store, fake, clockOffsetMs: clock, app: { replicaId: 'replica-c' } });
      await h.rm.settled();
      expect(replies()).toBe(2);
      expect(await store.query(`SELECT 1 FROM outbox WHERE run_id = $1 AND delivered_at IS NULL`, [runId])).toEqual([]);
    });

    it('two replicas delivering the same outbox at once send each message once, in order', async () => {
      await h.close();
      // Commits only: several runs and clicks whose messages are all still owed.
      h = await startHarness({ store, fake, clockOffsetMs: clock, app: { deliverOutbox: false } });
      const runIds: string[] = [];
      for (const n of [1, 2, 3, 4]) runIds.push((await h.command(`incident replica-${n} sev3`, 'UIC')).runId!);
      await h.close();
      // Two replicas on the same database start together and both deliver.
      const [a, b] = [await startHarness({ store, fake, clockOffsetMs: clock }), await startHarness({ store, fake, clockOffsetMs: clock })];
      await Promise.all([a.rm.deliverPending(), b.rm.deliverPending(), a.rm.deliverPending()]);
      await Promise.all([a.rm.settled(), b.rm.settled()]);
      for (const runId of runIds) {
        const roots = fake.of('chat.postMessage').filter((c) => !c.args['thread_ts'] && JSON.stringify(c.args['blocks'] ?? '').includes(runId));
        expect(roots).toHaveLength(1);
        const thread = fake.threadOf(fake.rootOf(runId)!.ts);
        expect(thread.map((c) => String(c.args['text']))).toEqual([expect.stringContaining(`opened run \`${runId}\``)]);
      }
      expect(await a.rm.repo.countUndelivered()).toBe(0);
      await b.close();
      h = a;
    });
  });
}

describe('PostgreSQL availability', () => {
  it.runIf(Boolean(pgSkip))('reports the skipped PostgreSQL variant', () => {
    process.stderr.write(`[ringmaster-slack] PostgreSQL persistence tests skipped: ${pgSkip}\n`);
  });
  it.runIf(!pgSkip)('has a PostgreSQL server for the persistence tests', () => {
    expect(pgUrl).toMatch(/^postgres:\/\//);
  });
});
