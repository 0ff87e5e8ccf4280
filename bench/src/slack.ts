import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, type Figure, type Skipped } from './stats.js';

export interface SlackBenchResult {
  figures: Figure[];
  skipped: Skipped[];
  details: unknown;
}

// Must match slack-server.ts (kept here so that this module does not load the app).
const SECRET = 'bench-signing-secret-0123456789abcdef';
const PGBIN = '/usr/lib/postgresql/15/bin';
const CHANNEL = 'C0BENCH01';
/** Requests per second of the paced (open-loop) phase. */
const PACED_RATE = 100;

interface Message {
  type: string;
  [key: string]: unknown;
}

function start(script: string, env: Record<string, string>, execArgv: string[] = []): Promise<{ child: ChildProcess; ready: Message }> {
  const child = fork(script, [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${script} exited ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('message', (m: Message) => {
      child.off('exit', onExit);
      if (m.type === 'ready') resolve({ child, ready: m });
      else reject(new Error(`${script}: ${JSON.stringify(m)}`));
    });
  });
}

function ask(child: ChildProcess, request: Message, answer: string): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Message) => {
      if (m.type === answer) {
        child.off('message', onMessage);
        resolve(m);
      } else if (m.type === 'error') {
        child.off('message', onMessage);
        reject(new Error(String(m['message'])));
      }
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

function signed(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

function commandBody(fakeUrl: string, i: number, text?: string): string {
  const trigger = `T${i}x${randomBytes(4).toString('hex')}`;
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: CHANNEL,
    channel_name: 'releases',
    user_id: 'UREQ',
    user_name: 'requester',
    command: '/release',
    text: text ?? `incident payments-${i % 50} sev${1 + (i % 3)} checkout errors under load`,
    api_app_id: 'A0001',
    response_url: `${fakeUrl}/respond/${trigger}`,
    trigger_id: trigger,
  }).toString();
}

interface Button {
  action_id: string;
  value: string;
}

function clickBody(fakeUrl: string, button: Button, actionTs: string, rootTs: string): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'UACT', username: 'actor', team_id: 'T0001' },
    api_app_id: 'A0001',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: CHANNEL, name: 'releases' },
    container: { type: 'message', message_ts: rootTs, channel_id: CHANNEL, is_ephemeral: false },
    message: { type: 'message', ts: rootTs, text: 'run' },
    trigger_id: `T${randomBytes(6).toString('hex')}`,
    response_url: `${fakeUrl}/respond/a`,
    actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', value: button.value, text: { type: 'plain_text', text: 'x' }, action_ts: actionTs }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Sends prepared bodies (each signed when it goes out), `connections` at a time; returns autocannon's result. */
async function load(url: string, bodies: { body: string; retry?: boolean }[], connections: number, overallRate?: number) {
  const { default: autocannon } = await import('autocannon');
  let next = 0;
  const instance = autocannon({
    url,
    connections,
    amount: bodies.length,
    ...(overallRate ? { overallRate } : {}),
    timeout: 30,
    method: 'POST',
    requests: [
      {
        setupRequest(req) {
          const item = bodies[next % bodies.length]!;
          next += 1;
          const headers = signed(item.body);
          if (item.retry) Object.assign(headers, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
          return { ...req, method: 'POST', path: '/slack/events', headers, body: item.body };
        },
      },
    ],
  });
  // Latencies without each connection's first request: those include opening the 200
  // connections at once (load generator and kernel), which dominates the p99 here.
  const seen = new Set<unknown>();
  const steady: number[] = [];
  // autocannon's instance is an EventEmitter as well as a promise (its types only say the latter).
  (instance as unknown as NodeJS.EventEmitter).on('response', (client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (seen.has(client)) steady.push(responseTime);
    else seen.add(client);
  });
  const result = await instance;
  steady.sort((a, b) => a - b);
  const at = (q: number) => (steady.length ? steady[Math.min(steady.length - 1, Math.floor(q * steady.length))]! : 0);
  return Object.assign(result, { steady: { n: steady.length, p50: at(0.5), p99: at(0.99), max: steady[steady.length - 1] ?? 0 } });
}

/** A throwaway PostgreSQL 15 (Debian's package), as STACK.md describes; root runs it as `postgres`. */
function startPostgres(): { url: (db: string) => string; createDb: (db: string) => void; stop: () => void } {
  const port = 55442;
  const dir = mkdtempSync(join(tmpdir(), 'rm-bench-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const root = process.getuid?.() === 0;
  const run = (cmd: string) => (root ? execFileSync('su', ['postgres', '-c', cmd], { stdio: 'pipe' }) : execFileSync('sh', ['-c', cmd], { stdio: 'pipe' }));
  execFileSync('install', ['-d', ...(root ? ['-o', 'postgres', '-g', 'postgres'] : []), '-m', '700', data, sock]);
  if (root) execFileSync('chmod', ['755', dir]);
  run(`${PGBIN}/initdb -D ${data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null`);
  run(`${PGBIN}/pg_ctl -D ${data} -l ${sock}/pg.log -w -o '-p ${port} -c listen_addresses=127.0.0.1 -k ${sock} -c max_connections=200' start >/dev/null`);
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    createDb: (db) => run(`${PGBIN}/psql -h 127.0.0.1 -p ${port} -U postgres -q -c 'CREATE DATABASE ${db}'`),
    stop: () => {
      try {
        run(`${PGBIN}/pg_ctl -D ${data} -m fast -w stop >/dev/null`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

interface Scenario {
  store: 'pglite' | 'postgres';
  connections: number;
}

/**
 * Slack app under load: for each store and connection count, a fresh app process and database;
 * `commands` signed `/release incident` commands, then one signed click on the first open step
 * of every run opened, plus 10% of those clicks delivered again as Slack retries. Afterwards the
 * database must hold one run per command and exactly one event per distinct click.
 */
export async function benchSlack(root: string, opts: { quick: boolean }): Promise<SlackBenchResult> {
  const figures: Figure[] = [];
  const skipped: Skipped[] = [];
  const details: Record<string, unknown> = {};
  const here = fileURLToPath(new URL('.', import.meta.url));
  const serverScript = join(here, 'slack-server.js');
  const fakeScript = join(here, 'slack-fake.js');
  if (!existsSync(join(root, 'apps/slack/src/app.ts')) || !existsSync(serverScript)) {
    return { figures, skipped: [{ benchmark: 'slack', reason: 'apps/slack is not there (or bench/dist/slack-server.js was not built)' }], details };
  }
  const commands = Number(process.env['BENCH_SLACK_COMMANDS'] ?? (opts.quick ? 400 : 2000));
  const pacedCount = Math.max(100, Math.floor(commands / 4));
  const scenarios: Scenario[] = [];
  // BENCH_SLACK_ONLY=postgres:200,pglite:50 picks scenarios.
  const only = process.env['BENCH_SLACK_ONLY']?.split(',');
  for (const store of ['pglite', 'postgres'] as const) for (const connections of [50, 200]) if (!only || only.includes(`${store}:${connections}`)) scenarios.push({ store, connections });

  let pg: ReturnType<typeof startPostgres> | undefined;
  if (existsSync(`${PGBIN}/initdb`)) {
    try {
      pg = startPostgres();
    } catch (error) {
      skipped.push({ benchmark: 'slack', reason: `PostgreSQL did not start: ${(error as Error).message.split('\n')[0]}` });
    }
  } else skipped.push({ benchmark: 'slack', reason: `no PostgreSQL at ${PGBIN} (apt-get install -y postgresql): PostgreSQL variant not measured` });

  const fake = await start(fakeScript, {});
  const fakeUrl = String(fake.ready['url']);
  try {
    for (const s of scenarios) {
      if (s.store === 'postgres' && !pg) continue;
      const name = `${s.store}, ${s.connections} connections`;
      const env: Record<string, string> = { SLACK_API_URL: fakeUrl };
      if (s.store === 'postgres' && pg) {
        const db = `bench_${s.connections}_${Date.now()}`;
        pg.createDb(db);
        env['DATABASE_URL'] = pg.url(db);
      }
      await ask(fake.child, { type: 'reset' }, 'reset');
      // BENCH_SLACK_PROFILE=<dir>: a V8 CPU profile of each app process.
      const profile = process.env['BENCH_SLACK_PROFILE'];
      const app = await start(serverScript, env, profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
      const url = String(app.ready['url']);
      try {
        // Warm-up: Bolt's first request calls auth.test; JIT.
        const warmup = 20;
        await load(url, Array.from({ length: warmup }, (_, i) => ({ body: commandBody(fakeUrl, -1 - i) })), 5);
        await ask(app.child, { type: 'settle' }, 'settled');
        await ask(fake.child, { type: 'reset' }, 'reset');

        // The floor: `/release help` is answered in the ack itself, with no database and no
        // post-ack work, so its latency is Bolt, HTTP and the machine alone.
        const floor = await load(url, Array.from({ length: commands }, (_, i) => ({ body: commandBody(fakeUrl, -100 - i, 'help') })), s.connections);

        const cmd = await load(url, Array.from({ length: commands }, (_, i) => ({ body: commandBody(fakeUrl, i) })), s.connections);
        const settleStart = Date.now();
        await ask(app.child, { type: 'settle' }, 'settled');
        const cmdSettleMs = Date.now() - settleStart;
        // The same connections, paced: Slack delivers commands as people type them, not in a closed loop.
        const paced = await load(url, Array.from({ length: pacedCount }, (_, i) => ({ body: commandBody(fakeUrl, commands + i) })), s.connections, PACED_RATE);
        await ask(app.child, { type: 'settle' }, 'settled');

        const { buttons, roots } = (await ask(fake.child, { type: 'buttons' }, 'buttons')) as unknown as { buttons: Record<string, Button[]>; roots: Record<string, string> };
        const clicks: { run: string; step: string; button: Button; ts: string; root: string }[] = [];
        // action_ts is unique per click in Slack; the app keys deliveries by it.
        const base = Math.floor(Date.now() / 1000);
        for (const [run, list] of Object.entries(buttons)) {
          const button = list.find((b) => /^rm\.(complete|choose|start_wait|approve)\./.test(b.action_id) && b.value.split('|')[2] !== 'page');
          if (!button) continue;
          const [, step = ''] = button.value.split('|');
          const root = roots[run];
          if (root) clicks.push({ run, step, button, ts: `${base}.${String(clicks.length).padStart(6, '0')}`, root });
        }
        const bodies: { body: string; retry?: boolean }[] = clicks.map((c) => ({ body: clickBody(fakeUrl, c.button, c.ts, c.root) }));
        // Slack's retries of one in ten clicks: the same action_ts, X-Slack-Retry-Num set.
        clicks.forEach((c, i) => {
          if (i % 10 === 0) bodies.push({ body: clickBody(fakeUrl, c.button, c.ts, c.root), retry: true });
        });
        const click = await load(url, bodies, s.connections);
        const { result } = (await ask(app.child, { type: 'verify', clicks: clicks.map((c) => ({ run: c.run, step: c.step })) }, 'verified')) as unknown as { result: Record<string, number | string[]> };

        const commandErrors = cmd.errors + cmd.timeouts + cmd.non2xx + paced.errors + paced.timeouts + paced.non2xx + floor.errors + floor.timeouts + floor.non2xx;
        const clickErrors = click.errors + click.timeouts + click.non2xx;
        const target = (v: number, text: string) => ({ stat: 'median' as const, op: '<' as const, value: v, text });
        const zero = { stat: 'median' as const, op: '==' as const, value: 0, text: '0' };
        figures.push(figure('slack', `${name}: ack-only floor (/release help) p50`, 'ms', [floor.latency.p50]));
        figures.push(figure('slack', `${name}: ack-only floor (/release help) p99`, 'ms', [floor.latency.p99]));
        figures.push(figure('slack', `${name}: ack-only floor (/release help) p99, without each connection's first request`, 'ms', [floor.steady.p99]));
        figures.push(figure('slack', `${name}: slash command ack p50`, 'ms', [cmd.latency.p50]));
        figures.push(figure('slack', `${name}: slash command ack p99`, 'ms', [cmd.latency.p99], s.connections === 200 ? target(100, 'p99 < 100 ms at 200') : undefined));
        figures.push(figure('slack', `${name}: slash command ack p99, without each connection's first request`, 'ms', [cmd.steady.p99]));
        figures.push(figure('slack', `${name}: slash command ack p50, paced at ${PACED_RATE}/s`, 'ms', [paced.latency.p50]));
        figures.push(figure('slack', `${name}: slash command ack p99, paced at ${PACED_RATE}/s`, 'ms', [paced.latency.p99]));
        figures.push(figure('slack', `${name}: button click ack p50`, 'ms', [click.latency.p50]));
        figures.push(figure('slack', `${name}: button click ack p99`, 'ms', [click.latency.p99], s.connections === 200 ? target(100, 'p99 < 100 ms at 200') : undefined));
        figures.push(figure('slack', `${name}: button click ack p99, without each connection's first request`, 'ms', [click.steady.p99]));
        figures.push(figure('slack', `${name}: slash commands acknowledged per second`, 'req/s', [cmd.requests.average]));
        figures.push(figure('slack', `${name}: clicks acknowledged per second`, 'req/s', [click.requests.average]));
        figures.push(figure('slack', `${name}: errors (transport, timeouts, non-2xx)`, 'count', [commandErrors + clickErrors], zero));
        const lostRuns = commands + pacedCount + warmup - Number(result['runs']);
        figures.push(figure('slack', `${name}: commands without exactly one run`, 'count', [Math.abs(lostRuns)], zero));
        figures.push(figure('slack', `${name}: clicks lost or duplicated in the event log`, 'count', [Number(result['lost']) + Number(result['duplicated']) + Number(result['unexpected'])], zero));
        figures.push(figure('slack', `${name}: error log lines after the ack`, 'count', [Number(result['errorLines'])], zero));
        details[name] = {
          ack_floor: { sent: commands, latency: floor.latency, steady: floor.steady, requests_per_s: floor.requests.average },
          paced_commands: { sent: pacedCount, rate_per_s: PACED_RATE, latency: paced.latency, steady: paced.steady, errors: paced.errors, timeouts: paced.timeouts, non2xx: paced.non2xx },
          commands: { sent: commands, latency: cmd.latency, steady: cmd.steady, requests_per_s: cmd.requests.average, errors: cmd.errors, timeouts: cmd.timeouts, non2xx: cmd.non2xx, post_ack_settle_ms: cmdSettleMs },
          clicks: { distinct: clicks.length, retries: bodies.length - clicks.length, latency: click.latency, steady: click.steady, requests_per_s: click.requests.average, errors: click.errors, timeouts: click.timeouts, non2xx: click.non2xx },
          database: result,
          store_open_ms: app.ready['openMs'],
        };
      } finally {
        await stop(app.child);
      }
    }
    details['fake_slack_calls'] = ((await ask(fake.child, { type: 'stats' }, 'stats')) as unknown as { calls: unknown }).calls;
    details['fake_slack_delay_ms'] = '30-80 per call';
  } finally {
    await stop(fake.child);
    pg?.stop();
  }
  return { figures, skipped, details };
}
