import { verifyBundle, type EvidenceBundle } from '@ringmaster/evidence';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/db/store.js';
import { exportBundle } from '../src/export.js';
import { CHANNEL, driveToEnd, sign, startHarness, type Harness } from './harness.js';

let h: Harness;
let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  h = await startHarness({ store });
});

afterAll(async () => {
  await h?.close();
  await store?.close();
  await h?.fake.stop();
});

afterEach(() => {
  // Every Block Kit payload the app sent in the test stayed within Slack's limits.
  expect(h.fake.blockProblems).toEqual([]);
});

async function eventCount(): Promise<number> {
  return h.rm.repo.countEvents();
}

function bundleOf(rootTs: string): { bundle: EvidenceBundle; titles: string[] } {
  const files = h.fake.filesIn(rootTs);
  const json = files.find((f) => f.title.startsWith('Evidence bundle'));
  if (!json) throw new Error('no evidence bundle uploaded');
  return { bundle: JSON.parse(json.content) as EvidenceBundle, titles: files.map((f) => f.title) };
}

function ephemeralsFor(user: string): string[] {
  return h.fake.of('chat.postEphemeral').filter((c) => c.args['user'] === user).map((c) => String(c.args['text']));
}

describe('the four flows, from /release to the evidence bundle', () => {
  it('incident: acknowledge, choose the code path, roll back, bake, communicate, post-mortem with MTTA/MTTR', async () => {
    const started = await h.command('incident payments sev1 checkout errors', 'UIC');
    expect(started.status).toBe(200);
    const runId = started.runId!;
    const root = h.fake.rootOf(runId)!;
    expect(JSON.stringify(root.blocks)).toContain('Incident response: payments (sev1)');
    // Branch steps stay hidden until the evaluation picks a path.
    expect(JSON.stringify(root.blocks)).not.toContain('Roll back the release');

    h.advance(3);
    await h.click(runId, 'acknowledge', 'UIC');
    await h.click(runId, 'evaluate', 'UIC', { option: 'code' });
    const afterChoice = JSON.stringify(h.fake.rootOf(runId)!.blocks);
    expect(afterChoice).toContain('Roll back the release');
    expect(afterChoice).not.toContain('Turn the feature flag off');
    expect(afterChoice).not.toContain('Escalate to the infrastructure');

    const end = await driveToEnd(h, runId, { minutesPerStep: 2 });
    expect(end.closed).toBe(true);
    expect(end.visible.map((s) => s.step.id)).toEqual(['acknowledge', 'evaluate', 'rollback-code', 'stabilize', 'communicate', 'post-mortem']);

    // The thread is the record: one reply per event, in order.
    const events = await h.rm.repo.events(runId);
    const thread = h.fake.threadOf(root.ts).map((c) => String(c.args['text']));
    expect(thread).toHaveLength(events.length);
    expect(thread[1]).toMatch(/<@UIC> completed \*Acknowledge the alert and take command\* · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(<!date\^\d+\^/);
    expect(thread[thread.length - 1]).toContain('closed');

    const { bundle, titles } = bundleOf(root.ts);
    expect(titles).toEqual([`Evidence bundle ${runId}`, `Summary ${runId}`, `Post-mortem draft ${runId}`]);
    expect(verifyBundle(bundle)).toMatchObject({ ok: true, count: events.length, run: runId });
    // The command-line export reads the same run from the database and gives the same bundle.
    expect(JSON.parse((await exportBundle(store, runId))!)).toEqual(bundle);
    expect(await exportBundle(store, 'no-such-run')).toBeUndefined();
    expect(bundle.metrics?.mtta_seconds).toBeGreaterThanOrEqual(180);
    expect(bundle.metrics?.mttr_seconds).toBeGreaterThan(bundle.metrics!.mtta_seconds!);
    expect(bundle.postmortem_markdown).toContain('## Timeline');
    expect(bundle.postmortem_markdown).toContain('**Code (a release)**');
    // The final root message shows the run closed, with no buttons left.
    const final = h.fake.rootOf(runId)!.blocks;
    expect(final.some((b) => b['type'] === 'actions')).toBe(false);
    expect(JSON.stringify(final)).toContain('6/6 steps done');
  });

  it('rollback: role-checked approval with segregation of duties; refusals change nothing', async () => {
    const runId = (await h.command('rollback payments sha256:4f1c2d', 'UCAPTAIN')).runId!;
    await h.click(runId, 'identify-digest', 'UCAPTAIN');
    await h.click(runId, 'verify-signature', 'UCAPTAIN');
    const before = await eventCount();

    // No approver role: refused, explained, logged.
    await h.click(runId, 'approve', 'UOPS');
    expect(ephemeralsFor('UOPS').at(-1)).toMatch(/needs the approver role.*Nothing changed/);
    expect(h.logs.some((l) => l.includes('"code":"role"') && l.includes('action refused'))).toBe(true);
    // The requester holds the approver role but cannot approve their own rollback.
    await h.click(runId, 'approve', 'UCAPTAIN');
    expect(ephemeralsFor('UCAPTAIN').at(-1)).toMatch(/Segregation of duties/);
    expect(await eventCount()).toBe(before);
    expect((await h.state(runId)).steps.find((s) => s.step.id === 'approve')?.status).toBe('open');

    await h.click(runId, 'approve', 'UAPPROVER');
    const end = await driveToEnd(h, runId);
    expect(end.steps.find((s) => s.step.id === 'approve')?.by).toBe('UAPPROVER');
    const { bundle } = bundleOf(h.fake.rootOf(runId)!.ts);
    expect(verifyBundle(bundle).ok).toBe(true);
    expect(bundle.run.kind).toBe('rollback');
    expect(bundle.postmortem_markdown).toBeUndefined();
  });

  it('drill: measured RTO against the tier target, pass', async () => {
    const runId = (await h.command('drill region-failure high', 'UIC')).runId!;
    const end = await driveToEnd(h, runId, { minutesPerStep: 8 });
    expect(end.closed).toBe(true);
    const { bundle } = bundleOf(h.fake.rootOf(runId)!.ts);
    expect(verifyBundle(bundle).ok).toBe(true);
    expect(bundle.drill).toMatchObject({ rto_target_minutes: 60, rpo_target_minutes: 15, pass: true });
    expect(bundle.drill!.measured_rto_minutes).toBeGreaterThanOrEqual(40);
    expect(bundle.drill!.measured_rto_minutes).toBeLessThan(41);
    expect(bundle.summary_markdown).toMatch(/RTO target: 60 min, measured: 40(\.\d+)? min -> PASS/);
  });

  it('drill: a slow recovery fails its RTO', async () => {
    const runId = (await h.command('drill db-corruption low', 'UIC')).runId!;
    const end = await driveToEnd(h, runId, { minutesPerStep: 300 });
    expect(end.closed).toBe(true);
    const { bundle } = bundleOf(h.fake.rootOf(runId)!.ts);
    expect(bundle.drill).toMatchObject({ rto_target_minutes: 1440, pass: false });
  });

  it('promote: ring by ring with bake times; the requester cannot approve their own promotion', async () => {
    const runId = (await h.command('promote payments 1.42.0 internal,ga', 'UCAPTAIN')).runId!;
    const state = await h.state(runId);
    expect(state.visible.map((s) => s.step.id)).toContain('ring-internal-approve');
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    await h.click(runId, 'ring-internal-markers', 'UCAPTAIN');
    await h.click(runId, 'ring-internal-canary-health', 'UCAPTAIN');
    await h.click(runId, 'ring-internal-bake', 'UCAPTAIN');
    // Baking: the approval is locked until the bake time is over.
    expect((await h.state(runId)).steps.find((s) => s.step.id === 'ring-internal-approve')?.status).toBe('locked');
    h.advance(30);
    await h.rm.tick();
    await h.rm.settled();
    expect(h.fake.threadOf(h.fake.rootOf(runId)!.ts).some((c) => String(c.args['text']).includes('Bake time over'))).toBe(true);
    const before = await eventCount();
    await h.click(runId, 'ring-internal-approve', 'UCAPTAIN');
    expect(ephemeralsFor('UCAPTAIN').at(-1)).toMatch(/Segregation of duties: you requested this promotion/);
    expect(await eventCount()).toBe(before);
    // An approver through a user group.
    await h.click(runId, 'ring-internal-approve', 'UAPPROVER2');
    expect((await h.state(runId)).steps.find((s) => s.step.id === 'ring-internal-approve')?.by).toBe('UAPPROVER2');
    const end = await driveToEnd(h, runId);
    expect(end.closed).toBe(true);
    const { bundle } = bundleOf(h.fake.rootOf(runId)!.ts);
    expect(verifyBundle(bundle)).toMatchObject({ ok: true, run: runId });
    expect(bundle.summary_markdown).toContain('Release captain checklist: payments 1.42.0');
  });

  it('long checklists paginate within Block Kit limits and the page buttons work', async () => {
    const rings = Array.from({ length: 12 }, (_, i) => `r${i + 1}`).join(',');
    const runId = (await h.command(`promote big 2.0.0 ${rings}`, 'UCAPTAIN')).runId!;
    const root = h.fake.rootOf(runId)!;
    expect(root.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(root.blocks)).toContain('page 1 of');
    const next = root.blocks.find((b) => b['block_id'] === 'nav') as { elements: { value: string }[] };
    const [, , , page] = next.elements[0]!.value.split('|');
    await h.click(runId, '', 'UOPS', { op: 'page', option: page });
    expect(JSON.stringify(h.fake.rootOf(runId)!.blocks)).toContain('page 2 of');
  });

  it('/release status lists open runs, export uploads a verifiable bundle, help and bad input answer with usage', async () => {
    const runId = (await h.command('incident search sev3', 'UIC')).runId!;
    await h.command('status', 'UIC');
    expect(String(h.fake.responses.at(-1)?.body['text'])).toContain(runId);
    await h.command(`export ${runId}`, 'UIC');
    expect(String(h.fake.responses.at(-1)?.body['text'])).toContain('Exported');
    const { bundle } = bundleOf(h.fake.rootOf(runId)!.ts);
    expect(verifyBundle(bundle).ok).toBe(true);
    expect(bundle.run.closed_at).toBeNull();

    for (const text of ['help', '', 'frobnicate now', 'promote payments', 'export nope', 'incident']) {
      const res = await h.command(text, 'UIC');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/release') });
      expect(res.runId).toBeUndefined();
    }
    await h.command('export rm-00000000', 'UIC');
    expect(String(h.fake.responses.at(-1)?.body['text'])).toContain('No run');
  });
});

describe("Slack's rules", () => {
  it('a bad signature and a stale timestamp get 401 and change nothing', async () => {
    const calls = h.fake.calls.length;
    const events = await eventCount();
    const body = new URLSearchParams({ command: '/release', text: 'incident payments sev1', user_id: 'UIC', channel_id: CHANNEL, trigger_id: 'Tbad', team_id: 'T0001', response_url: `${h.fake.url}/respond/x` }).toString();
    expect((await h.post(body, sign(body, undefined, 'wrong-secret'))).status).toBe(401);
    expect((await h.post(body, sign(body, Math.floor(Date.now() / 1000) - 6 * 60))).status).toBe(401);
    expect((await h.post(body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    expect(h.fake.calls.length).toBe(calls);
    expect(await eventCount()).toBe(events);
  });

  it('acks within 3 seconds; slow work happens after the ack', async () => {
    const t0 = Date.now();
    const res = await h.command('incident latency sev2', 'UIC');
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('malformed buttons, unknown runs and steps, forged values are refused cleanly', async () => {
    const runId = (await h.command('incident orders sev2', 'UIC')).runId!;
    const events = await eventCount();
    const updates = h.fake.of('chat.update').length;
    await h.click(runId, 'no-such-step', 'UIC', { op: 'complete' });
    await h.click('rm-deadbeef', 'acknowledge', 'UIC', { op: 'complete' });
    await h.click(runId, 'acknowledge', 'UIC', { op: 'approve' }); // wrong op for a task
    await h.click(runId, 'toggle-flag', 'UIC', { op: 'complete' }); // hidden branch step
    await h.click(runId, 'evaluate', 'UIC', { op: 'choose', option: 'nonsense' });
    await h.click(`${runId}|UAPPROVER`, 'acknowledge', 'UIC', { op: 'complete' }); // extra field smuggled in the value
    expect(await eventCount()).toBe(events);
    expect(h.fake.of('chat.update').length).toBe(updates);
    const texts = ephemeralsFor('UIC').slice(-6);
    expect(texts).toHaveLength(6);
    for (const t of texts) expect(t).toMatch(/nothing changed/i);
    // A payload that is not JSON at all.
    const body = 'payload=%7Bnot-json';
    expect((await h.post(body)).status).toBeGreaterThanOrEqual(400);
    // An oversized command.
    const big = await h.command(`incident x sev1 ${'a'.repeat(5000)}`, 'UIC');
    expect(JSON.parse(big.body).text).toContain('too long');
    expect(await eventCount()).toBe(events);
  });

  it('a chain that cannot be bundled: export and the closing upload tell the user; the upload is not retried', async () => {
    const runId = (await h.command('incident forged sev3', 'UIC')).runId!;
    const [opened] = await h.rm.repo.events(runId);
    // An event written behind the app's back (the table refuses UPDATE and DELETE, not INSERT).
    const forged = { seq: 1, run_id: runId, type: 'step.completed', actor: 'UMALLORY', at: opened!.at, step: 'acknowledge', prev_hash: opened!.hash, hash: 'f'.repeat(64) };
    await store.query('INSERT INTO events (run_id, seq, type, actor, step_id, at, hash, event) VALUES ($1, 1, $2, $3, $4, $5, $6, $7)', [runId, forged.type, forged.actor, forged.step, forged.at, forged.hash, JSON.stringify(forged)]);
    await h.command(`export ${runId}`, 'UIC');
    expect(String(h.fake.responses.at(-1)?.body['text'])).toMatch(new RegExp(`evidence bundle for \`${runId}\` could not be exported: cannot bundle a broken chain`));
    const end = await driveToEnd(h, runId);
    expect(end.closed).toBe(true);
    const root = h.fake.rootOf(runId)!;
    expect(h.fake.filesIn(root.ts)).toEqual([]);
    expect(h.fake.threadOf(root.ts).at(-1)?.args['text']).toMatch(/^:warning: <@UIC> The evidence bundle for `rm-[0-9a-f]{8}` could not be uploaded: cannot bundle a broken chain/);
    // Permanent: given up after one attempt, not retried.
    const rows = await store.query<{ attempts: number; delivered_at: string | null }>(`SELECT attempts, delivered_at FROM outbox WHERE run_id = $1 AND kind = 'evidence'`, [runId]);
    expect(rows).toEqual([{ attempts: 1, delivered_at: expect.anything() }]);
  });

  it('429 from the Web API: the update waits for Retry-After and lands', async () => {
    const runId = (await h.command('incident billing sev3', 'UIC')).runId!;
    h.fake.rateLimitOnce('chat.update', 1);
    await h.click(runId, 'acknowledge', 'UIC');
    expect(h.fake.calls.some((c) => c.method === 'chat.update#429')).toBe(true);
    expect(JSON.stringify(h.fake.rootOf(runId)!.blocks)).toContain('1/5 steps done');
  });

  it('an idle run gets a reminder that can be snoozed', async () => {
    const runId = (await h.command('incident cart sev2', 'UIC')).runId!;
    const ts = h.fake.rootOf(runId)!.ts;
    const reminders = (): number => h.fake.threadOf(ts).filter((c) => String(c.args['text']).includes('no action since')).length;
    h.advance(31);
    await h.rm.tick();
    await h.rm.settled();
    expect(reminders()).toBe(1);
    await h.rm.tick();
    expect(reminders()).toBe(1);
    // Snooze from the reminder's button.
    const reminder = h.fake.threadOf(ts).find((c) => String(c.args['text']).includes('no action since'))!;
    const snooze = (reminder.args['blocks'] as { type: string; elements?: { value: string }[] }[]).find((b) => b.type === 'actions')!.elements![0]!;
    expect(snooze.value).toBe(`${runId}||snooze|`);
    // Snoozing needs a role of the run; the button is on the reminder, a reply in the run's thread.
    const events = await eventCount();
    await h.click(runId, '', 'UOPS', { op: 'snooze', messageTs: reminder.ts!, threadTs: ts });
    expect(ephemeralsFor('UOPS').at(-1)).toMatch(/needs one of its roles \(incident commander\).*Nothing changed/);
    expect(await eventCount()).toBe(events);
    await h.click(runId, '', 'UIC', { op: 'snooze', messageTs: reminder.ts!, threadTs: ts });
    expect(await eventCount()).toBe(events + 1);
    h.advance(31);
    await h.rm.tick();
    await h.rm.settled();
    expect(reminders()).toBe(1);
    h.advance(30);
    await h.rm.tick();
    await h.rm.settled();
    expect(reminders()).toBe(2);
  });

  it('/release plan opens a modal; a forged private_metadata is refused; a profile comes back as a summary and files', async () => {
    const res = await h.command('plan', 'UCAPTAIN');
    expect(res.status).toBe(200);
    const open = h.fake.of('views.open').at(-1)!;
    const view = open.args['view'] as { private_metadata: string; callback_id: string };
    expect(view.callback_id).toBe('rm_plan');
    const submit = (user: string, metadata: string, value: string): Promise<Response> => {
      const payload = {
        type: 'view_submission',
        team: { id: 'T0001', domain: 'example' },
        user: { id: user, username: 'u', team_id: 'T0001' },
        api_app_id: 'A0001',
        trigger_id: 'T1',
        view: { id: 'V0001', type: 'modal', callback_id: 'rm_plan', private_metadata: metadata, state: { values: { profile: { profile: { type: 'plain_text_input', value } } } }, hash: 'h', team_id: 'T0001', app_id: 'A0001', bot_id: 'B1', blocks: [], title: { type: 'plain_text', text: 'x' } },
      };
      return h.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    };
    const profile = JSON.stringify({ goal: 'Disaster Recovery', risk_tier: 'high' });
    const posts = h.fake.of('chat.postMessage').length;
    // Someone else replaying the form, or a metadata edited to another user or channel.
    const forgedUser = JSON.stringify({ ...(JSON.parse(view.private_metadata) as object), u: 'UOPS' });
    for (const [user, meta] of [['UOPS', view.private_metadata], ['UOPS', forgedUser], ['UCAPTAIN', JSON.stringify({ c: 'C0OTHER', u: 'UCAPTAIN', s: '00' })]] as const) {
      const r = await submit(user, meta, profile);
      expect(await r.json()).toMatchObject({ response_action: 'errors' });
    }
    const bad = await submit('UCAPTAIN', view.private_metadata, '{ not: [valid');
    expect(await bad.json()).toMatchObject({ response_action: 'errors' });
    expect(h.fake.of('chat.postMessage').length).toBe(posts);

    const ok = await submit('UCAPTAIN', view.private_metadata, profile);
    expect(ok.status).toBe(200);
    const summary = h.fake.of('chat.postMessage').at(-1)!;
    expect(String(summary.args['text'])).toContain('Blueprint ready');
    const files = h.fake.filesIn(summary.ts!);
    expect(files.map((f) => f.title)).toContain('Blueprint');
    expect(JSON.parse(files.find((f) => f.title === 'Blueprint')!.content)).toHaveProperty('dr_plan');
  });

  it('logs carry the section 9 fields and never a token, e-mail, internal host name or tenant name', async () => {
    await h.command('incident acme-tenant-api sev1 db01.prod.internal down, ping ops@example.com xoxb-123-456', 'UIC');
    const all = h.logs.join('\n');
    expect(all).toContain('"mode_selected":"incident"');
    expect(all).toContain('"kb_traces_used":[');
    expect(all).toContain('"risk_tier":"high"');
    expect(all).toContain('"request_id":"');
    for (const secret of ['xoxb-', 'ops@example.com', 'db01.prod.internal', 'acme-tenant', SECRET_PREFIX]) expect(all).not.toContain(secret);
  });
});

const SECRET_PREFIX = 'test-signing-secret';
