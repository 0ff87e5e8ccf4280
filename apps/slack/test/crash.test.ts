import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build helper without types
import { workspaceSources } from '../../../scripts/esbuild-workspace.mjs';
import { migrate } from '../src/db/migrations.js';
import { RunRepository } from '../src/db/runs.js';
import { openStore, type Store } from '../src/db/store.js';
import { deriveState } from '../src/state.js';
import { FakeSlack } from './fake-slack.js';
import { freePort } from './global-setup.js';
import { clickBody, commandBody, ROLES_YAML, SECRET, sign, userFor } from './harness.js';

const pgUrl = inject('postgresUrl');
const pgSkip = inject('postgresSkip');
const here = dirname(fileURLToPath(import.meta.url));
// Under node_modules so that the bundle finds pg and PGlite the way the app does.
const outDir = join(here, '..', 'node_modules', '.cache', 'ringmaster-crash-test');
const KILLS = 20;
const FLOWS = ['incident kill-svc sev2 checkout down', 'rollback kill-svc sha256:4f1c2d', 'drill kill-region high', 'promote kill-svc 1.0.0 internal,ga'];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(Boolean(pgSkip))('SIGKILL after the ack, on PostgreSQL', () => {
  const fake = new FakeSlack();
  const db = `rm_crash_${process.pid}`;
  let dbUrl = '';
  let store: Store;
  let repo: RunRepository;
  let child: ChildProcess | undefined;
  let url = '';

  async function startApp(): Promise<void> {
    const port = await freePort();
    child = spawn(process.execPath, [join(outDir, 'main.js')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: 'xoxb-crash-test',
        PORT: String(port),
        HOST: '127.0.0.1',
        SLACK_API_URL: `${fake.url}/api/`,
        DATABASE_URL: dbUrl,
        RINGMASTER_ROLES: join(outDir, 'roles.yml'),
        RINGMASTER_REPLICA_ID: 'crash-test',
        RINGMASTER_POLL_SECONDS: '1',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    url = `http://127.0.0.1:${port}`;
    await until('the app to listen', async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined));
  }

  function kill(): Promise<void> {
    return new Promise((resolve) => {
      if (!child || child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async function send(body: string): Promise<number> {
    return (await fetch(`${url}/slack/events`, { method: 'POST', body, headers: sign(body) })).status;
  }

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'roles.yml'), ROLES_YAML);
    await build({
      entryPoints: [join(here, '..', 'src', 'main.ts')],
      outfile: join(outDir, 'main.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      external: ['@electric-sql/pglite', 'pg', 'pg-native'],
      banner: { js: "import { createRequire as __rmCreateRequire } from 'node:module'; const require = __rmCreateRequire(import.meta.url);" },
      plugins: [workspaceSources],
      logLevel: 'warning',
    });
    await fake.start();
    fake.groups['S0APPROVERS'] = ['UAPPROVER2'];
    const admin = await openStore({ databaseUrl: pgUrl, dataDir: '' });
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.close();
    dbUrl = pgUrl.replace(/\/postgres$/, `/${db}`);
    store = await openStore({ databaseUrl: dbUrl, dataDir: '' });
    await migrate(store);
    repo = new RunRepository(store, 30);
  }, 120_000);

  afterAll(async () => {
    await kill();
    await store?.close();
    await fake.stop();
    const admin = await openStore({ databaseUrl: pgUrl, dataDir: '' });
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.close();
  });

  it(
    `${KILLS} kills at random points after acks over the four flows: every acknowledged command and click is committed exactly once, no thread reply lost`,
    async () => {
      await startApp();
      const ackedCommands: string[] = [];
      const ackedClicks: { key: string; runId: string; step: string }[] = [];
      /** The open run of each flow, once its command is committed. */
      const runOf = new Map<number, string>();
      for (let i = 0; i < KILLS; i++) {
        const flow = i % FLOWS.length;
        const runId = runOf.get(flow);
        const run = runId ? await repo.getRun(runId) : undefined;
        const state = runId ? await repo.state(runId) : undefined;
        const next = state?.visible.find((s) => s.status === 'open');
        if (!run?.root_ts || !state || state.closed || !next || !fake.rootOf(run.id)) {
          // A new run of this flow; killed right after its ack.
          const trigger = `Tcrash${i}`;
          expect(await send(commandBody(fake, FLOWS[flow]!, 'UCAPTAIN', { triggerId: trigger }))).toBe(200);
          ackedCommands.push(`cmd:${trigger}`);
        } else {
          const user = userFor(next, state);
          const option = next.step.kind === 'choice' ? next.step.options?.[0]?.id : undefined;
          const actionTs = `${Math.floor(Date.now() / 1000)}.${String(i).padStart(6, '0')}`;
          const body = clickBody(fake, run.id, next.step.id, user, { actionTs, ...(option ? { option } : {}) });
          const actionId = String((JSON.parse(new URLSearchParams(body).get('payload')!) as { actions: { action_id: string }[] }).actions[0]!.action_id);
          expect(await send(body)).toBe(200);
          ackedClicks.push({ key: `act:${actionTs}:${actionId}:${user}`, runId: run.id, step: next.step.id });
        }
        // Killed at a random point after the ack: before, during or after its processing.
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 250)));
        await kill();
        await startApp();
        // The restarted process (same replica identity) processes what the dead one acknowledged.
        const last = ackedClicks.at(-1);
        if (ackedCommands.at(-1) === `cmd:Tcrash${i}`) {
          const created = await until('the command to be committed', async () => (await store.query<{ run_id: string }>(`SELECT run_id FROM processed_deliveries WHERE key = $1`, [`cmd:Tcrash${i}`]))[0]?.run_id);
          runOf.set(flow, created);
          await until('the root message', async () => ((await repo.getRun(created))?.root_ts ? true : undefined));
        } else if (last) {
          await until('the click to be committed', async () => ((await store.query(`SELECT 1 FROM processed_deliveries WHERE key = $1 AND outcome <> 'pending'`, [last.key])).length ? true : undefined));
        }
      }
      await until('the inbox and outbox to drain', async () => ((await repo.countUnprocessed()) === 0 && (await repo.countUndelivered()) === 0 ? true : undefined));

      // Every acknowledged command opened exactly one run.
      for (const key of ackedCommands) expect(await store.query(`SELECT 1 FROM processed_deliveries WHERE key = $1 AND outcome = 'opened'`, [key]), key).toHaveLength(1);
      expect(await store.query(`SELECT 1 FROM runs`)).toHaveLength(ackedCommands.length);
      // Every acknowledged click made exactly one event.
      expect(ackedClicks.length).toBeGreaterThanOrEqual(KILLS / 2);
      for (const c of ackedClicks) {
        expect(await store.query(`SELECT outcome FROM processed_deliveries WHERE key = $1`, [c.key]), c.key).toEqual([{ outcome: 'applied' }]);
        const events = await repo.events(c.runId);
        expect(events.filter((e) => e.step === c.step && e.type !== 'wait.elapsed'), `${c.runId} ${c.step}`).toHaveLength(1);
      }
      // No thread reply lost; a crash may repeat one (the documented window), never more.
      for (const { id, root_ts } of await store.query<{ id: string; root_ts: string }>('SELECT id, root_ts FROM runs')) {
        const events = await repo.events(id);
        const state = deriveState(events);
        expect(state.runId).toBe(id);
        const thread = fake.threadOf(root_ts).map((c) => String(c.args['text']));
        for (const e of events) {
          const marker = e.type === 'run.opened' ? `opened run \`${id}\`` : e.step ? `*${state.checklist.steps.find((s) => s.id === e.step)!.title}*` : e.type;
          const n = thread.filter((t) => t.includes(marker)).length;
          expect(n, `${id} #${e.seq} ${e.type}`).toBeGreaterThanOrEqual(1);
        }
        expect(thread.length).toBeLessThanOrEqual(events.length + KILLS);
      }
    },
    600_000,
  );
});
