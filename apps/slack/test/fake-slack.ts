import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBlockKitLimits } from '../src/blocks.js';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  /** The response's ts for calls that create messages. */
  ts?: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The file part of a multipart upload (the Web API client posts multipart/form-data), or the raw body. */
function fileContent(raw: string, contentType: string): string {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return raw;
  for (const part of raw.split(`--${b}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1 || !/filename=/.test(part.slice(0, split))) continue;
    return part.slice(split + 4).replace(/\r\n$/, '');
  }
  return raw;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'files', 'file_uploads']);

/**
 * A local stand-in for the Slack Web API: answers auth.test, records every call,
 * checks every Block Kit payload against the limits, and can answer 429 once.
 */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly uploads = new Map<string, string>();
  readonly responses: { url: string; body: Record<string, unknown> }[] = [];
  readonly blockProblems: string[] = [];
  groups: Record<string, string[]> = {};
  /** Channels the bot cannot post to (a private channel it was not invited to): calls answer this error. */
  failingChannels: Record<string, string> = {};
  private rateLimits = new Map<string, number>();
  private delays = new Map<string, number>();
  private counter = 0;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The next `method` call answers 429 with Retry-After. */
  rateLimitOnce(method: string, retryAfterSeconds: number): void {
    this.rateLimits.set(method, retryAfterSeconds);
  }

  /** The next `method` call answers after `ms` milliseconds (a slow Slack, e.g. a group look-up). */
  delayOnce(method: string, ms: number): void {
    this.delays.set(method, ms);
  }

  private nextTs(): string {
    this.counter += 1;
    return `1700000000.${String(this.counter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const raw = (await readBody(req)).toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path.startsWith('/upload/')) {
      this.uploads.set(path.slice('/upload/'.length), fileContent(raw, String(req.headers['content-type'] ?? '')));
      return { status: 200, body: 'OK' };
    }
    let args: Record<string, unknown> = {};
    if ((req.headers['content-type'] ?? '').includes('json')) args = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    else for (const [k, v] of new URLSearchParams(raw)) args[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
    if (path.startsWith('/respond/')) {
      this.responses.push({ url: path, body: args });
      return { status: 200, body: { ok: true } };
    }
    const method = path.replace(/^\/api\//, '');
    const delay = this.delays.get(method);
    if (delay !== undefined) {
      this.delays.delete(method);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const limited = this.rateLimits.get(method);
    if (limited !== undefined) {
      this.rateLimits.delete(method);
      this.calls.push({ method: `${method}#429`, args });
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(limited) } };
    }
    const call: ApiCall = { method, args };
    this.calls.push(call);
    if (args['blocks'] !== undefined) {
      for (const p of checkBlockKitLimits(args['blocks'])) this.blockProblems.push(`${method}: ${p}`);
    }
    if (method === 'views.open') {
      const view = args['view'] as { blocks?: unknown };
      for (const p of checkBlockKitLimits(view.blocks, 'modal')) this.blockProblems.push(`${method}: ${p}`);
    }
    const failing = this.failingChannels[String(args['channel'] ?? args['channel_id'] ?? '')];
    if (failing && method !== 'auth.test') return { status: 200, body: { ok: false, error: failing } };
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'ringmaster', team_id: 'T0001', user_id: 'UBOT0001', bot_id: 'BBOT0001' } };
      case 'chat.postMessage': {
        call.ts = this.nextTs();
        return { status: 200, body: { ok: true, channel: args['channel'], ts: call.ts, message: { text: args['text'] } } };
      }
      case 'chat.update':
        return { status: 200, body: { ok: true, channel: args['channel'], ts: args['ts'] } };
      case 'chat.postEphemeral':
        return { status: 200, body: { ok: true, message_ts: this.nextTs() } };
      case 'views.open':
        return { status: 200, body: { ok: true, view: { id: 'V0001' } } };
      case 'conversations.open':
        return { status: 200, body: { ok: true, channel: { id: `D${String(args['users']).slice(1)}` } } };
      case 'usergroups.users.list':
        return { status: 200, body: { ok: true, users: this.groups[String(args['usergroup'])] ?? [] } };
      case 'files.getUploadURLExternal': {
        const id = `F${String(++this.counter).padStart(6, '0')}`;
        return { status: 200, body: { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id } };
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args['files'] === 'string' ? JSON.parse(args['files']) : args['files']) as { id: string; title?: string }[];
        return { status: 200, body: { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) } };
      }
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }

  of(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * The root message of a run as last rendered (posted, then updated in place). After a crash
   * inside the outbox's one-duplicate window the root is posted twice; the run keeps (and
   * updates) the later post, so that is the one a user clicks; the stale copy's buttons are
   * refused as belonging to another message.
   */
  rootOf(runId: string): { ts: string; blocks: Record<string, unknown>[]; channel: string } | undefined {
    const root = this.of('chat.postMessage').findLast((c) => !c.args['thread_ts'] && JSON.stringify(c.args['blocks'] ?? '').includes(`\`${runId}\``));
    if (!root?.ts) return undefined;
    const updates = this.of('chat.update').filter((c) => c.args['ts'] === root.ts);
    const last = updates[updates.length - 1] ?? root;
    return { ts: root.ts, blocks: last.args['blocks'] as Record<string, unknown>[], channel: String(root.args['channel']) };
  }

  threadOf(ts: string): ApiCall[] {
    return this.of('chat.postMessage').filter((c) => c.args['thread_ts'] === ts);
  }

  /** Files uploaded with files.completeUploadExternal into a thread, by title, with their content. */
  filesIn(threadTs: string): { title: string; content: string }[] {
    const out: { title: string; content: string }[] = [];
    for (const c of this.of('files.completeUploadExternal')) {
      if (c.args['thread_ts'] !== threadTs) continue;
      const files = (typeof c.args['files'] === 'string' ? JSON.parse(c.args['files']) : c.args['files']) as { id: string; title: string }[];
      for (const f of files) out.push({ title: f.title, content: this.uploads.get(f.id) ?? '' });
    }
    return out;
  }
}
