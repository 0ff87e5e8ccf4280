import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ChecklistRole, ChecklistStep } from '@ringmaster/core';
import { createSlackApp, type RingmasterSlack, type SlackAppDeps } from '../src/app.js';
import type { AppConfig } from '../src/config.js';
import { migrate } from '../src/db/migrations.js';
import { openStore, type Store } from '../src/db/store.js';
import { createLogger } from '../src/log.js';
import { parseRoles } from '../src/roles.js';
import { requiredRole, type RunState, type StepState } from '../src/state.js';
import { FakeSlack } from './fake-slack.js';

export const SECRET = 'test-signing-secret-0123456789';
export const CHANNEL = 'C0RELEASE';

/** Who holds what in the tests. UCAPTAIN is also an approver, to prove segregation of duties. */
export const ROLES_YAML = `
release_captain: [UCAPTAIN, UCAPTAIN2]
incident_commander: [UIC]
approver: [UAPPROVER, UCAPTAIN, S0APPROVERS]
`;

export function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp), 'content-type': 'application/x-www-form-urlencoded' };
}

export interface Harness {
  fake: FakeSlack;
  rm: RingmasterSlack;
  store: Store;
  url: string;
  logs: string[];
  /** Moves the app clock forward (timers); Slack signatures still use real time. */
  advance(minutes: number): void;
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  command(text: string, user: string, opts?: { channel?: string; triggerId?: string }): Promise<{ status: number; body: string; triggerId: string; runId?: string }>;
  /** A signed click; `channel` / `messageTs` / `threadTs` stand for a click from elsewhere than the run's root message. */
  click(runId: string, stepId: string, user: string, opts?: ClickOptions): Promise<{ status: number; body: string }>;
  state(runId: string): Promise<RunState>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  store: Store;
  fake?: FakeSlack;
  clockOffsetMs?: { value: number };
  /** Extra app options (e.g. deliverOutbox: false, a process that dies right after its commits). */
  app?: Partial<Pick<SlackAppDeps, 'deliverOutbox' | 'outboxLeaseSeconds' | 'concurrency' | 'replicaId' | 'heartbeatSeconds' | 'flows' | 'connectors'>>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const fake = options.fake ?? (await new FakeSlack().start());
  fake.groups['S0APPROVERS'] = ['UAPPROVER2'];
  const store = options.store;
  await migrate(store);
  const offset = options.clockOffsetMs ?? { value: 0 };
  const logs: string[] = [];
  const log = createLogger({ level: 'info', redactTerms: ['acme-tenant'], destination: { write: (s: string) => void logs.push(s) } });
  const config: AppConfig = {
    signingSecret: SECRET,
    botToken: 'xoxb-test-token',
    port: 0,
    host: '127.0.0.1',
    slackApiUrl: `${fake.url}/api/`,
    dataDir: 'memory://',
    rolesFile: 'roles.yml',
    idleMinutes: 30,
    snoozeMinutes: 60,
    pollSeconds: 3600,
    defaultRings: ['internal', 'ga'],
    redactTerms: ['acme-tenant'],
    logLevel: 'info',
  };
  const rm = createSlackApp({ config, store, roles: parseRoles(ROLES_YAML), log, now: () => new Date(Date.now() + offset.value), pollTimers: false, ...options.app });
  const server = await rm.start();
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/slack/events`;

  const post = async (body: string, headers: Record<string, string> = sign(body)): Promise<Response> => {
    const res = await fetch(url, { method: 'POST', body, headers });
    await new Promise((r) => setImmediate(r));
    await rm.settled();
    return res;
  };

  const h: Harness = {
    fake,
    rm,
    store,
    url,
    logs,
    advance(minutes) {
      offset.value += minutes * 60_000;
    },
    post,
    async command(text, user, opts = {}) {
      const triggerId = opts.triggerId ?? `T${randomBytes(6).toString('hex')}`;
      const before = new Set((await store.query<{ id: string }>('SELECT id FROM runs')).map((r) => r.id));
      const res = await post(commandBody(fake, text, user, { ...opts, triggerId }));
      const after = (await store.query<{ id: string }>('SELECT id FROM runs')).map((r) => r.id).filter((id) => !before.has(id));
      return { status: res.status, body: await res.text(), triggerId, ...(after[0] ? { runId: after[0] } : {}) };
    },
    async click(runId, stepId, user, opts = {}) {
      const body = clickBody(fake, runId, stepId, user, opts);
      const headers = sign(body);
      if (opts.retry !== undefined) Object.assign(headers, { 'x-slack-retry-num': String(opts.retry), 'x-slack-retry-reason': 'http_timeout' });
      const res = await post(body, headers);
      return { status: res.status, body: await res.text() };
    },
    async state(runId) {
      const s = await rm.repo.state(runId);
      if (!s) throw new Error(`no run ${runId}`);
      return s;
    },
    async close() {
      await rm.stop();
    },
  };
  return h;
}

/** A slash command's form body, as Slack posts it. */
export function commandBody(fake: FakeSlack, text: string, user: string, opts: { channel?: string; triggerId?: string } = {}): string {
  const triggerId = opts.triggerId ?? `T${randomBytes(6).toString('hex')}`;
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: opts.channel ?? CHANNEL,
    channel_name: 'releases',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/release',
    text,
    api_app_id: 'A0001',
    response_url: `${fake.url}/respond/${triggerId}`,
    trigger_id: triggerId,
  }).toString();
}

export interface ClickOptions {
  option?: string;
  op?: string;
  actionId?: string;
  actionTs?: string;
  retry?: number;
  channel?: string;
  messageTs?: string;
  threadTs?: string;
}

/** A click's form body: the button of `stepId` in the run's root message as last rendered (or a crafted one with `op`). */
export function clickBody(fake: FakeSlack, runId: string, stepId: string, user: string, opts: ClickOptions = {}): string {
  const root = fake.rootOf(runId) ?? (opts.op !== undefined ? { ts: '1700000000.000000', channel: CHANNEL, blocks: [] } : undefined);
  if (!root) throw new Error(`no root message for ${runId}`);
  const buttons = root.blocks.flatMap((b) => (b['type'] === 'actions' ? (b['elements'] as Record<string, unknown>[]) : []));
  const prefix = `${runId}|${stepId}|`;
  const button =
    opts.op !== undefined
      ? { action_id: opts.actionId ?? `rm.${opts.op}.99`, value: `${runId}|${stepId}|${opts.op}|${opts.option ?? ''}` }
      : buttons.find((b) => String(b['value']).startsWith(prefix) && (opts.option === undefined || String(b['value']).endsWith(`|${opts.option}`)));
  if (!button) throw new Error(`no button for ${stepId} in the root message of ${runId}`);
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: opts.channel ?? root.channel, name: 'releases' },
    container: { type: 'message', message_ts: opts.messageTs ?? root.ts, channel_id: opts.channel ?? root.channel, is_ephemeral: false },
    message: { type: 'message', ts: opts.messageTs ?? root.ts, text: 'run', ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}) },
    trigger_id: `T${randomBytes(6).toString('hex')}`,
    response_url: `${fake.url}/respond/a`,
    actions: [
      {
        type: 'button',
        action_id: button['action_id'],
        block_id: 'b',
        value: button['value'],
        text: { type: 'plain_text', text: 'x' },
        action_ts: opts.actionTs ?? `${Date.now() / 1000}${randomBytes(2).toString('hex')}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Users for each role, for drivers; approvals use someone other than the requester. */
export const HOLDERS: Record<ChecklistRole, string[]> = {
  release_captain: ['UCAPTAIN', 'UCAPTAIN2'],
  incident_commander: ['UIC'],
  approver: ['UAPPROVER', 'UAPPROVER2'],
};

/** Someone who may do the step: a holder of its role, and for approvals not the requester. */
export function userFor(s: StepState, state: RunState): string {
  return userForStep(s.step, state.requestedBy);
}

export function userForStep(step: ChecklistStep, requestedBy: string): string {
  const role = requiredRole(step);
  return role ? (step.kind === 'approval' ? HOLDERS[role].find((u) => u !== requestedBy)! : HOLDERS[role][0]!) : 'UOPS';
}

/**
 * Drives a run to its end through the rendered buttons: ticks tasks, takes the
 * given (or first) option of each choice, starts each bake and lets it elapse.
 */
export async function driveToEnd(h: Harness, runId: string, opts: { choices?: Record<string, string>; minutesPerStep?: number; maxSteps?: number } = {}): Promise<RunState> {
  for (let i = 0; i < (opts.maxSteps ?? 200); i++) {
    const state = await h.state(runId);
    if (state.closed) return state;
    const next = state.visible.find((s) => s.status === 'open' || s.status === 'waiting');
    if (!next) throw new Error(`run ${runId} is stuck: ${state.visible.map((s) => `${s.step.id}:${s.status}`).join(', ')}`);
    if (next.status === 'waiting') {
      h.advance(next.step.waitMinutes ?? 0);
      await h.rm.tick();
      await h.rm.settled();
      continue;
    }
    if (opts.minutesPerStep) h.advance(opts.minutesPerStep);
    const user = userFor(next, state);
    const option = next.step.kind === 'choice' ? (opts.choices?.[next.step.id] ?? next.step.options?.[0]?.id) : undefined;
    const res = await h.click(runId, next.step.id, user, option ? { option } : {});
    if (res.status !== 200) throw new Error(`click on ${next.step.id} answered ${res.status}`);
  }
  throw new Error(`run ${runId} did not finish`);
}

/** For a test file: a harness on its own in-memory database, opened once; `stop()` closes the app, the database and the fake. */
export async function startInMemoryHarness(): Promise<Harness & { stop(): Promise<void> }> {
  const store = await openStore({ dataDir: 'memory://' });
  const h = await startHarness({ store });
  return {
    ...h,
    async stop() {
      await h.close();
      await store.close();
      await h.fake.stop();
    },
  };
}
