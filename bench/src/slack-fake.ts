/**
 * A stand-in for the Slack Web API for the load benchmark, run as its own process so that
 * neither the app nor the load generator pays for it. Every call waits a realistic 30-80 ms
 * before answering. It remembers the latest buttons of each run's root message, so that the
 * benchmark can click real buttons. Talks to its parent over IPC: `ready` {url}; on request,
 * `buttons` and `stats`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

const DELAY = { min: Number(process.env['FAKE_SLACK_MIN_MS'] ?? 30), max: Number(process.env['FAKE_SLACK_MAX_MS'] ?? 80) };
const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'files', 'file_uploads']);

export interface Button {
  action_id: string;
  value: string;
}

const calls = new Map<string, number>();
/** run id -> buttons of its root message, as last posted or updated. */
const buttons = new Map<string, Button[]>();
/** root message ts -> run id. */
const rootOf = new Map<string, string>();
let counter = 0;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function buttonsIn(blocks: unknown): Button[] {
  if (!Array.isArray(blocks)) return [];
  const out: Button[] = [];
  for (const block of blocks as Record<string, unknown>[]) {
    const elements = block['type'] === 'actions' ? (block['elements'] as Record<string, unknown>[]) : block['accessory'] ? [block['accessory'] as Record<string, unknown>] : [];
    for (const e of elements) if (e['type'] === 'button' && typeof e['value'] === 'string') out.push({ action_id: String(e['action_id']), value: e['value'] });
  }
  return out;
}

function remember(ts: string, blocks: unknown): void {
  const list = buttonsIn(blocks);
  const run = list[0]?.value.split('|')[0] ?? rootOf.get(ts);
  if (!run) return;
  rootOf.set(ts, run);
  buttons.set(run, list);
}

function answer(method: string, args: Record<string, unknown>, url: string): unknown {
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'ringmaster', team_id: 'T0001', user_id: 'UBOT0001', bot_id: 'BBOT0001' };
    case 'chat.postMessage': {
      counter += 1;
      const ts = `1700000000.${String(counter).padStart(6, '0')}`;
      if (args['thread_ts'] === undefined) remember(ts, args['blocks']);
      return { ok: true, channel: args['channel'], ts, message: { text: args['text'] } };
    }
    case 'chat.update':
      remember(String(args['ts']), args['blocks']);
      return { ok: true, channel: args['channel'], ts: args['ts'] };
    case 'chat.postEphemeral':
      return { ok: true, message_ts: '1700000000.000001' };
    case 'usergroups.users.list':
      return { ok: true, users: [] };
    case 'files.getUploadURLExternal':
      counter += 1;
      return { ok: true, upload_url: `${url}/upload/F${counter}`, file_id: `F${counter}` };
    case 'files.completeUploadExternal':
      return { ok: true, files: [] };
    default:
      return { ok: true };
  }
}

const server = createServer((req, res) => {
  void readBody(req).then((raw) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    let method = path.replace(/^\/api\//, '');
    let args: Record<string, unknown> = {};
    try {
      if (String(req.headers['content-type'] ?? '').includes('json')) args = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      else for (const [k, v] of new URLSearchParams(raw)) args[k] = JSON_FIELDS.has(k) ? (JSON.parse(v) as unknown) : v;
    } catch {
      args = {};
    }
    if (path.startsWith('/upload/')) method = 'upload';
    if (path.startsWith('/respond/')) method = 'response_url';
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const body = answer(method, args, baseUrl);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, DELAY.min + Math.random() * (DELAY.max - DELAY.min));
  });
});

let baseUrl = '';
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.send?.({ type: 'ready', url: baseUrl });
});

process.on('message', (m: { type: string }) => {
  // The app binds a click to its run's root message: the bench clicks from there.
  if (m.type === 'buttons') process.send?.({ type: 'buttons', buttons: Object.fromEntries(buttons), roots: Object.fromEntries([...rootOf].map(([ts, run]) => [run, ts])) });
  else if (m.type === 'stats') process.send?.({ type: 'stats', calls: Object.fromEntries(calls) });
  else if (m.type === 'reset') {
    buttons.clear();
    rootOf.clear();
    process.send?.({ type: 'reset' });
  } else if (m.type === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
