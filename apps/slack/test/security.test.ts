import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/db/store.js';
import { createLogger, boltLogger } from '../src/log.js';
import { CHANNEL, driveToEnd, startHarness, type Harness } from './harness.js';

let h: Harness;
let store: Store;
/** Every ack body the app answered with (the fake only sees Web API calls and response_url posts). */
const acks: string[] = [];

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  h = await startHarness({ store });
});

afterAll(async () => {
  await h?.close();
  await store?.close();
  await h?.fake.stop();
});

async function command(text: string, user: string, channel = CHANNEL): Promise<{ runId?: string; body: string }> {
  const res = await h.command(text, user, { channel });
  acks.push(res.body);
  return res;
}

function lastResponse(): string {
  return String(h.fake.responses.at(-1)?.body['text']);
}

/** Slack markup a user could try to smuggle through the bot: pings, disguised links, and the three control characters. */
const PAYLOADS = ['<!channel>', '<!here>', '<!everyone>', '<@U0EVIL1>', '<!subteam^S0EVIL|@oncall>', '<https://evil.example|click>', 'R&D', 'a<b', 'c>d'];

/** Everything the bot sent: Web API arguments, response_url answers, acks; and the Markdown files it uploaded. */
function botOutput(): { messages: string[]; files: string[] } {
  const messages = [
    ...h.fake.calls.filter((c) => c.method !== 'auth.test' && c.method !== 'usergroups.users.list').map((c) => JSON.stringify(c.args)),
    ...h.fake.responses.map((r) => JSON.stringify(r.body)),
    ...acks,
  ];
  const files: string[] = [];
  for (const content of h.fake.uploads.values()) {
    try {
      JSON.parse(content); // JSON files are data (the evidence bundle, the blueprint), not markup
    } catch {
      files.push(content);
    }
  }
  return { messages, files };
}

describe('user text never becomes Slack markup', () => {
  it('injection table: every free-text field of every command, crafted button values and the plan modal', async () => {
    const words = PAYLOADS.join(' ');
    // Incident summary (free text): the run, its thread, its root message, its evidence files.
    const incident = (await command(`incident payments sev2 ${words}`, 'UIC')).runId!;
    expect(incident).toBeDefined();
    await h.click(incident, PAYLOADS[0]!, 'UIC', { op: 'complete' }); // a crafted step id
    await h.click(incident, 'evaluate', 'UIC', { op: 'choose', option: PAYLOADS[5]! }); // a crafted option
    await driveToEnd(h, incident);
    expect(h.fake.filesIn(h.fake.rootOf(incident)!.ts).map((f) => f.title)).toContain(`Summary ${incident}`);
    // One-word fields: echoed in error messages, or refused.
    for (const p of PAYLOADS.filter((x) => !x.includes(' '))) {
      await command(`rollback payments ${p}`, 'UCAPTAIN');
      await command(`${p} now`, 'UIC');
      await command(`drill ${p} high`, 'UIC');
      await command(`promote payments 1.0.0 ${p}`, 'UCAPTAIN');
      await command(`incident ${p} sev1`, 'UIC');
      await command(`export ${p}`, 'UIC');
    }
    // The plan modal: unknown keys, ci_platform and data.primary_store reach the warnings and questions.
    await command('plan', 'UCAPTAIN');
    const view = h.fake.of('views.open').at(-1)!.args['view'] as { private_metadata: string };
    const profile: Record<string, unknown> = { goal: `CI/CD blueprint ${words}`, risk_tier: 'high', ci_platform: words, data: { primary_store: words } };
    for (const p of PAYLOADS) profile[p] = p;
    for (const value of [JSON.stringify(profile), `{ "goal": ${JSON.stringify(words)}, nope`]) {
      const payload = {
        type: 'view_submission',
        team: { id: 'T0001', domain: 'example' },
        user: { id: 'UCAPTAIN', username: 'u', team_id: 'T0001' },
        api_app_id: 'A0001',
        trigger_id: 'T1',
        view: { id: 'V0001', type: 'modal', callback_id: 'rm_plan', private_metadata: view.private_metadata, state: { values: { profile: { profile: { type: 'plain_text_input', value } } } }, hash: 'h', team_id: 'T0001', app_id: 'A0001', bot_id: 'B1', blocks: [], title: { type: 'plain_text', text: 'x' } },
      };
      const res = await h.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
      acks.push(await res.text());
    }
    const summaryPosts = h.fake.of('chat.postMessage').filter((c) => String(c.args['text']).includes('Blueprint ready') || String(c.args['text']).includes('plan failed'));
    const planEphemerals = h.fake.of('chat.postEphemeral').filter((c) => String(c.args['text']).includes('plan failed'));
    expect(summaryPosts.length + planEphemerals.length).toBeGreaterThan(0);

    const { messages, files } = botOutput();
    // The payloads did reach the bot's output, escaped (entities in Slack text, backslashes in Markdown).
    expect(messages.some((o) => o.includes('&lt;!channel&gt;'))).toBe(true);
    expect(messages.some((o) => o.includes('R&amp;D'))).toBe(true);
    expect(files.some((o) => o.includes('\\<!channel\\>'))).toBe(true);
    for (const p of PAYLOADS) {
      // `&` is no markup in Markdown; everything else is, in both.
      const leaks = [...messages, ...(p.includes('&') ? [] : files)].filter((o) => o.includes(p));
      expect(leaks.map((o) => o.slice(Math.max(0, o.indexOf(p) - 80), o.indexOf(p) + 80)), p).toEqual([]);
    }
  });
});

describe('a run stays in its channel', () => {
  const OTHER = 'C0OTHER';

  it('status lists only the runs of the channel it is typed in; a role holder learns a count of the others', async () => {
    const runId = (await command('incident ledger sev3', 'UIC')).runId!;
    await command('status', 'UOPS', OTHER);
    expect(lastResponse()).toContain('No open checklists in this channel.');
    expect(lastResponse()).not.toContain(runId);
    expect(lastResponse()).not.toContain('other channels');
    await command('status', 'UIC', OTHER);
    expect(lastResponse()).not.toContain(runId);
    expect(lastResponse()).toMatch(/\d+ more open in other channels/);
    await command('status', 'UOPS', CHANNEL);
    expect(lastResponse()).toContain(runId);
  });

  it('export works in the run channel, or by direct message to a role holder, never into another channel', async () => {
    const runId = (await command('incident billing sev3', 'UIC')).runId!;
    const uploads = (): string[] => h.fake.of('files.completeUploadExternal').map((c) => String(c.args['channel_id']));
    const before = uploads().length;
    for (const [user, channel] of [['UIC', OTHER], ['UOPS', OTHER], ['UOPS', 'D0UOPS']] as const) {
      await command(`export ${runId}`, user, channel);
      expect(lastResponse()).toMatch(/^No run `rm-[0-9a-f]{8}` in this channel/);
    }
    expect(uploads().length).toBe(before);
    await command(`export ${runId}`, 'UIC', 'D0UIC');
    expect(lastResponse()).toContain('into our direct messages');
    expect(uploads().at(-1)).toBe('DIC');
    await command(`export ${runId}`, 'UOPS', CHANNEL);
    expect(lastResponse()).toContain('into its thread');
    expect(h.fake.of('files.completeUploadExternal').at(-1)?.args['thread_ts']).toBe(h.fake.rootOf(runId)!.ts);
  });

  it("a click is bound to its run's channel and root message", async () => {
    const runId = (await command('incident orders sev2', 'UIC')).runId!;
    const events = await h.rm.repo.countEvents();
    await h.click(runId, 'acknowledge', 'UIC', { channel: OTHER });
    await h.click(runId, 'acknowledge', 'UIC', { messageTs: '1699999999.000001' });
    await h.click(runId, 'acknowledge', 'UIC', { op: 'page', option: '0', channel: OTHER });
    expect(await h.rm.repo.countEvents()).toBe(events);
    const refusals = h.fake.of('chat.postEphemeral').filter((c) => c.args['user'] === 'UIC').slice(-2);
    for (const r of refusals) expect(String(r.args['text'])).toMatch(/does not belong to this run's channel and message.*Nothing changed/);
    await h.click(runId, 'acknowledge', 'UIC');
    expect(await h.rm.repo.countEvents()).toBe(events + 1);
  });

  it('a run whose root message could not be posted: its requester is told by direct message, and it is exported nowhere else', async () => {
    const PRIVATE = 'C0PRIVATE';
    h.fake.failingChannels[PRIVATE] = 'not_in_channel';
    const runId = (await command('incident secret-svc sev1 database down', 'UIC', PRIVATE)).runId!;
    expect(runId).toBeDefined();
    const dm = h.fake.of('chat.postMessage').filter((c) => c.args['channel'] === 'DIC').at(-1);
    expect(String(dm?.args['text'])).toMatch(new RegExp(`could not post your run \`${runId}\`.*<#${PRIVATE}>: not_in_channel`));
    const uploads = (): number => h.fake.of('files.completeUploadExternal').filter((c) => c.args['channel_id'] !== PRIVATE).length;
    const before = uploads();
    await command(`export ${runId}`, 'UIC', OTHER);
    expect(lastResponse()).toMatch(/^No run/);
    await command(`export ${runId}`, 'UIC', PRIVATE);
    expect(lastResponse()).toContain('could not be exported: not_in_channel');
    expect(uploads()).toBe(before);
    // Nothing about the run went to any channel but its own (which refused) and the requester's DM.
    const elsewhere = h.fake.calls.filter((c) => {
      const channel = c.args['channel'] ?? c.args['channel_id'];
      return channel !== undefined && JSON.stringify(c.args).includes(runId) && ![PRIVATE, 'DIC'].includes(String(channel));
    });
    expect(elsewhere).toEqual([]);
    await command(`export ${runId}`, 'UIC', 'D0UIC');
    expect(h.fake.of('files.completeUploadExternal').at(-1)?.args['channel_id']).toBe('DIC');
    delete h.fake.failingChannels[PRIVATE];
  });
});

describe('input PostgreSQL cannot store, and logs', () => {
  it('a NUL or an unpaired surrogate is refused with a message, and nothing is stored', async () => {
    const runs = (await store.query('SELECT id FROM runs')).length;
    const logged = h.logs.length;
    const res = await command('incident payments sev1 checkout\u0000down', 'UIC');
    expect(JSON.parse(res.body).text).toMatch(/holds a NUL character at position 32, which cannot be stored/);
    expect(res.runId).toBeUndefined();
    // Button values arrive as JSON, which can carry a NUL or an unpaired surrogate (form fields cannot).
    const runId = (await command('incident nul sev3', 'UIC')).runId!;
    for (const step of ['acknowledge\u0000', 'acknowledge\ud800']) {
      const refusals = h.fake.of('chat.postEphemeral').length;
      await h.click(runId, step, 'UIC', { op: 'complete' });
      expect(h.fake.of('chat.postEphemeral').length).toBe(refusals + 1);
      expect(String(h.fake.of('chat.postEphemeral').at(-1)?.args['text'])).toContain('not one Ringmaster recognizes');
    }
    expect((await store.query('SELECT id FROM runs')).length).toBe(runs + 1);
    // Refused before the database: no error line (PostgreSQL's "invalid byte sequence" or a failed job).
    expect(h.logs.slice(logged).filter((l) => l.includes('"level":50'))).toEqual([]);
  });

  it('debug logs carry no message bodies unless RINGMASTER_LOG_BODIES is set', () => {
    for (const logBodies of [false, true]) {
      const lines: string[] = [];
      const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
      const bolt = boltLogger(log, { logBodies });
      bolt.debug('http request body:', { channel: 'C1', text: 'the secret incident summary', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'body in a block' } }] });
      bolt.debug('http request body: {"channel":"C1","text":"the secret incident summary"}');
      bolt.debug('incoming request: token=x&payload=%7B%22the+secret+incident+summary%22%7D&team_id=T1');
      const all = lines.join('\n');
      if (logBodies) expect(all).toContain('the secret incident summary');
      else {
        expect(all).not.toContain('secret');
        expect(all).not.toContain('body in a block');
        expect(all).toContain('[BODY]');
        expect(all).toContain('C1');
      }
    }
  });
});
