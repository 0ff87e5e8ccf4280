/**
 * The Slack app under load, as its own process: PGlite (in memory) or PostgreSQL
 * (DATABASE_URL), HTTP mode on a loopback port, the Web API pointed at the fake.
 * IPC with the benchmark: `ready` {url}; `settle` -> waits for all post-ack work;
 * `verify` {clicks} -> counts in the database.
 */
import type { AddressInfo } from 'node:net';
import { createSlackApp } from '../../apps/slack/src/app.js';
import type { AppConfig } from '../../apps/slack/src/config.js';
import { migrate } from '../../apps/slack/src/db/migrations.js';
import { openStore } from '../../apps/slack/src/db/store.js';
import { createLogger } from '../../apps/slack/src/log.js';
import { parseRoles } from '../../apps/slack/src/roles.js';

export const BENCH_SECRET = 'bench-signing-secret-0123456789abcdef';
/** UREQ opens runs; UACT clicks (it holds every role, and never requested a run, so it may approve). */
export const ROLES_YAML = 'release_captain: [UACT, UREQ]\nincident_commander: [UACT, UREQ]\napprover: [UACT]\n';

const problems: string[] = [];
let errorLines = 0;
const log = createLogger({
  level: 'warn',
  destination: {
    write(line: string) {
      const level = (JSON.parse(line) as { level?: number }).level ?? 0;
      if (level >= 50) {
        errorLines += 1;
        if (problems.length < 10) problems.push(line.slice(0, 400));
      }
    },
  },
});

const t0 = Date.now();
const store = await openStore({ dataDir: 'memory://', ...(process.env['DATABASE_URL'] ? { databaseUrl: process.env['DATABASE_URL'] } : {}) });
await migrate(store);
const openMs = Date.now() - t0;
const config: AppConfig = {
  signingSecret: BENCH_SECRET,
  botToken: 'xoxb-bench-token',
  port: 0,
  host: '127.0.0.1',
  slackApiUrl: `${process.env['SLACK_API_URL'] ?? ''}/api/`,
  dataDir: 'memory://',
  rolesFile: 'roles.yml',
  idleMinutes: 30,
  snoozeMinutes: 60,
  pollSeconds: 3600,
  defaultRings: ['internal', 'ga'],
  redactTerms: [],
  logLevel: 'warn',
};
const rm = createSlackApp({ config, store, roles: parseRoles(ROLES_YAML), log, pollTimers: false });
const server = await rm.start();
server?.setMaxListeners?.(0);
const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/slack/events`;
process.send?.({ type: 'ready', url, store: store.kind, openMs });

interface Click {
  run: string;
  step: string;
}

async function verify(clicks: Click[]): Promise<Record<string, unknown>> {
  const one = async (sql: string) => Number((await store.query<{ n: string | number }>(sql))[0]?.n ?? 0);
  const runs = await one('SELECT count(*) AS n FROM runs');
  const opened = await one("SELECT count(*) AS n FROM events WHERE type = 'run.opened'");
  const cmdDeliveries = await one("SELECT count(*) AS n FROM processed_deliveries WHERE key LIKE 'cmd:%'");
  const actDeliveries = await one("SELECT count(*) AS n FROM processed_deliveries WHERE key LIKE 'act:%'");
  // The events a click can cause (run.opened / run.closed / timers come from elsewhere).
  const rows = await store.query<{ run_id: string; step_id: string | null; n: string | number }>(
    "SELECT run_id, step_id, count(*) AS n FROM events WHERE type IN ('step.completed', 'step.approved', 'choice.made', 'wait.started') GROUP BY run_id, step_id",
  );
  const byKey = new Map(rows.map((r) => [`${r.run_id}|${r.step_id ?? ''}`, Number(r.n)]));
  let lost = 0;
  let duplicated = 0;
  const clicked = new Set(clicks.map((c) => `${c.run}|${c.step}`));
  for (const key of clicked) {
    const n = byKey.get(key) ?? 0;
    if (n === 0) lost += 1;
    if (n > 1) duplicated += n - 1;
  }
  let unexpected = 0;
  for (const [key, n] of byKey) if (!clicked.has(key)) unexpected += n;
  const unposted = await one('SELECT count(*) AS n FROM events WHERE posted_ts IS NULL');
  const missingRoots = await one('SELECT count(*) AS n FROM runs WHERE root_ts IS NULL');
  // The outbox: rows still owed, and rows given up (skipped rows carry a note, not an error).
  const undelivered = await one('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL');
  const outboxGivenUp = await one("SELECT count(*) AS n FROM outbox WHERE error IS NOT NULL AND error NOT IN ('superseded', 'run closed')");
  const outcomes = Object.fromEntries((await store.query<{ outcome: string; n: string | number }>("SELECT outcome, count(*) AS n FROM processed_deliveries WHERE key LIKE 'act:%' GROUP BY outcome")).map((r) => [r.outcome, Number(r.n)]));
  const lostKeys = [...clicked].filter((k) => !byKey.has(k)).slice(0, 5);
  return { outcomes, lostKeys, runs, opened, cmdDeliveries, actDeliveries, clickEvents: rows.reduce((s, r) => s + Number(r.n), 0), distinctClicks: clicked.size, lost, duplicated, unexpected, unposted, missingRoots, undelivered, outboxGivenUp, errorLines, problems };
}

process.on('message', (m: { type: string; clicks?: Click[] }) => {
  void (async () => {
    if (m.type === 'settle') {
      await rm.settled();
      process.send?.({ type: 'settled', memoryMb: Math.round(process.memoryUsage().rss / 2 ** 20) });
    } else if (m.type === 'verify') {
      await rm.settled();
      process.send?.({ type: 'verified', result: await verify(m.clicks ?? []) });
    } else if (m.type === 'stop') {
      await rm.stop().catch(() => undefined);
      await store.close().catch(() => undefined);
      process.exit(0);
    }
  })().catch((err: unknown) => process.send?.({ type: 'error', message: String(err) }));
});
process.on('disconnect', () => process.exit(0));
