import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { App, LogLevel, type BlockAction, type ButtonAction, type RespondFn } from '@slack/bolt';
import type { ChecklistRole } from '@ringmaster/core';
import type { EvidenceBundle, EvidenceEvent } from '@ringmaster/evidence';
import type { Logger } from 'pino';
import { assertBlockKitLimits, eventLine, reminderMessage, runMessage, type Block, type Message, type Modal } from './blocks.js';
import { flowOf, planRun } from './checklists.js';
import { ACTION_ID_PATTERN, readButton, type ClickedButton } from './button.js';
import { parseReleaseCommand, unstorable, USAGE, type ReleaseCommand } from './commands.js';
import type { AppConfig } from './config.js';
import { RunRepository, type Holder, type InboxRow, type NewOutbox, type OutboxLease } from './db/runs.js';
import type { Store } from './db/store.js';
import { boltLogger } from './log.js';
import { planSummary, readProfile, runPlan } from './plan.js';
import { WorkQueue } from './queue.js';
import { hasRole, ROLES, type RoleMap } from './roles.js';
import { evidenceSigner, type EvidenceSigner } from './signing.js';
import { ephemeral, SlackOut, type OutFile } from './slack-out.js';
import { channelMention, clipText, escapeText, inlineCode, joinText, mrkdwn, userMention, type SlackText } from './slack-text.js';
import { decide, deriveState, SYSTEM_ACTOR, type Intent, type RunState } from './state.js';

export { eventLine } from './blocks.js';

export interface SlackAppDeps {
  config: AppConfig;
  store: Store;
  roles: RoleMap;
  log: Logger;
  /** The app's clock for events and timers (tests move it forward); Slack's signature window always uses real time. */
  now?: () => Date;
  /** Poll timers every `config.pollSeconds` (default true); tests call `tick()` instead. */
  pollTimers?: boolean;
  /**
   * Deliver the outbox after each commit, on start and on every tick (default
   * true). Tests turn it off to stand for a process that died right after a commit.
   */
  deliverOutbox?: boolean;
  /** How long a deliverer holds a run's outbox lease (default 120 s of the app clock). */
  outboxLeaseSeconds?: number;
  /**
   * This process's identity (RINGMASTER_REPLICA_ID): a process restarted under the same
   * identity takes over the inbox rows and outbox leases of its earlier life at once.
   * Default: random (each process a new identity; a dead one's work is taken over once
   * its heartbeat is stale). Two live processes must never share one.
   */
  replicaId?: string;
  /** Heartbeat interval (default 5 s); a process silent for four of them is gone. */
  heartbeatSeconds?: number;
  /** Post-ack jobs (transactions) at a time, default 8 (PGlite: 2); outbox deliveries (runs) at a time, default 32. */
  concurrency?: { work?: number; deliveries?: number };
}

/** A command that opens a run, as the inbox keeps it. */
interface CommandDelivery {
  text: string;
  user: string;
  channel: string;
}

/** A click, as the inbox keeps it (from Slack's signed payload). */
interface ActionDelivery extends ClickedButton {
  user: string;
  channel: string;
  messageTs?: string;
  threadTs?: string;
}

export interface RingmasterSlack {
  app: App;
  repo: RunRepository;
  /** HTTP mode: listens on config.port/host and returns the server; Socket Mode: connects. */
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
  /** Resolves when every piece of post-ack work has finished. */
  settled(): Promise<void>;
  /** Fires due timers once (bake times, idle reminders), then delivers the undelivered outbox rows. */
  tick(): Promise<void>;
  /** Delivers every undelivered outbox row (oldest run first). */
  deliverPending(): Promise<void>;
}

const USER_RE = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_RE = /^[CDG][A-Z0-9]{2,}$/;
/** A request within this many milliseconds makes the app "busy": post-ack work yields to acks. */
const BUSY_WINDOW_MS = 10;
/** An outbox row is tried this many times (each time after the Web API client's own retries) before it is given up. */
const MAX_ATTEMPTS = 5;
/** Slack errors worth another attempt later; any other platform error (channel_not_found, ...) will not change. */
const TRANSIENT_SLACK_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** A run's evidence cannot be bundled (its stored chain does not verify): trying again cannot help. */
export class BundleError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`the evidence bundle of ${runId} cannot be built: ${reason}`);
    this.name = 'BundleError';
  }
}

/** A failure that will not change on another attempt: a bundle that cannot be built, or a Slack error such as channel_not_found. */
function isPermanent(err: unknown): boolean {
  if (err instanceof BundleError) return true;
  const e = err as { code?: string; data?: { error?: string } };
  return e.code === 'slack_webapi_platform_error' && !TRANSIENT_SLACK_ERRORS.has(String(e.data?.error));
}

/** The run's signed evidence bundle; a chain that does not verify is a BundleError. */
function bundleOf(runId: string, events: readonly EvidenceEvent[], signer: EvidenceSigner): EvidenceBundle {
  try {
    return signer.bundle(events);
  } catch (err) {
    throw new BundleError(runId, (err as Error).message);
  }
}

/** A failure's reason for the user: a bundle's reason, Slack's error code, or the message. */
function failureText(err: unknown): string {
  if (err instanceof BundleError) return err.reason;
  const e = err as { data?: { error?: string }; message?: string };
  return String(e.data?.error ?? e.message ?? err);
}

function requestId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Spec section 9 fields for a run's log lines. */
function runFields(state: RunState): Record<string, unknown> {
  const flow = flowOf(state.kind);
  return { run_id: state.runId, mode_selected: flow.mode, kb_traces_used: state.checklist.kb, risk_tier: flow.riskTier(state.params) };
}

/** Signs the modal's private_metadata so that a forged channel or user is refused. */
function signMetadata(secret: string, data: { c: string; u: string }): string {
  const body = JSON.stringify(data);
  return JSON.stringify({ ...data, s: createHmac('sha256', secret).update(body).digest('hex') });
}

function readMetadata(secret: string, raw: string, userId: string): { c: string; u: string } | undefined {
  try {
    const parsed = JSON.parse(raw) as { c?: unknown; u?: unknown; s?: unknown };
    if (typeof parsed.c !== 'string' || typeof parsed.u !== 'string' || typeof parsed.s !== 'string') return undefined;
    const expected = createHmac('sha256', secret).update(JSON.stringify({ c: parsed.c, u: parsed.u })).digest();
    const given = Buffer.from(parsed.s, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (parsed.u !== userId || !CHANNEL_RE.test(parsed.c)) return undefined;
    return { c: parsed.c, u: parsed.u };
  } catch {
    return undefined;
  }
}

export function createSlackApp(deps: SlackAppDeps): RingmasterSlack {
  const { config, store, roles, log } = deps;
  const now = deps.now ?? (() => new Date());
  const nowIso = (): string => now().toISOString();
  const repo = new RunRepository(store, config.idleMinutes, now);

  const app = new App({
    signingSecret: config.signingSecret,
    token: config.botToken,
    ...(config.appToken ? { socketMode: true, appToken: config.appToken } : {}),
    logger: boltLogger(log, { logBodies: config.logBodies === true }) as never,
    logLevel: LogLevel.WARN,
    clientOptions: {
      ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
      // 429s wait for Retry-After and try again; other failures back off.
      retryConfig: { retries: 4, factor: 2, minTimeout: 250, maxTimeout: 5_000, randomize: true },
      rejectRateLimitedCalls: false,
    },
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
        },
      },
    ],
  });
  const client = app.client;
  const slack = new SlackOut(client);

  // ---- background work after the ack -------------------------------------------------
  // Handlers acknowledge first; their database work then waits in a bounded queue
  // (so that a burst cannot starve later acks), and Slack side effects go through
  // the outbox, delivered by a second queue.
  // "Busy": an HTTP request arrived in the last few milliseconds. Then post-ack work
  // runs one job at a time per queue (up to a high-water mark of waiting jobs).
  let lastRequest = -Infinity;
  const busy = (): boolean => performance.now() - lastRequest < BUSY_WINDOW_MS;
  const work = new WorkQueue(deps.concurrency?.work ?? (store.kind === 'pglite' ? 2 : 8), { busy });
  const deliveries = new WorkQueue(deps.concurrency?.deliveries ?? 32, { busy });
  const inflight = new Set<Promise<unknown>>();
  function track(p: Promise<unknown>): void {
    const tracked = p.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  }
  /** Post-ack work that uses the database: one of `work`'s slots. */
  function later(what: string, fields: Record<string, unknown>, job: () => Promise<void>): void {
    track(work.run(job).catch((err: unknown) => log.error({ ...fields, err }, `${what} failed`)));
  }
  /** A Web API call that needs no database (ephemeral answers): outside the slots. */
  function background(what: string, fields: Record<string, unknown>, job: () => Promise<unknown>): void {
    track(job().catch((err: unknown) => log.error({ ...fields, err }, `${what} failed`)));
  }

  /** Per-run chain: a run's deliveries and page turns go out one at a time, in order. */
  const queues = new Map<string, Promise<void>>();
  function serial(runId: string, job: () => Promise<void>): Promise<void> {
    const prev = queues.get(runId) ?? Promise.resolve();
    const next = prev.then(job, job);
    const tail = next.catch(() => undefined);
    queues.set(runId, tail);
    void tail.then(() => {
      if (queues.get(runId) === tail) queues.delete(runId);
    });
    return next;
  }

  function checked(message: Message): Message {
    assertBlockKitLimits(message.blocks);
    return message;
  }

  async function refreshRoot(runId: string, page?: number): Promise<void> {
    const [run, state] = await Promise.all([repo.getRun(runId), repo.state(runId)]);
    if (!run?.root_ts || !state) return;
    await slack.update(run.channel, run.root_ts, checked(runMessage(state, page)));
  }

  /** Uploads a run's evidence bundle with `comment` into `target` (a channel, and a thread when given). */
  async function uploadEvidence(runId: string, comment: SlackText, target: { channel: string; thread_ts?: string }): Promise<string> {
    const bundle = bundleOf(runId, await repo.events(runId), evidenceSigner(config.signing));
    const files: OutFile[] = [
      { filename: `${runId}-evidence.json`, title: `Evidence bundle ${runId}`, content: `${JSON.stringify(bundle, null, 2)}\n` },
      { filename: `${runId}-summary.md`, title: `Summary ${runId}`, content: bundle.summary_markdown },
      ...(bundle.postmortem_markdown ? [{ filename: `${runId}-postmortem.md`, title: `Post-mortem draft ${runId}`, content: bundle.postmortem_markdown }] : []),
    ];
    await slack.upload(target.channel, files, comment, target.thread_ts);
    return bundle.head.hash;
  }

  /** The comment of the closing evidence upload. */
  function evidenceComment(state: RunState): SlackText {
    const drill = state.kind === 'drill' ? mrkdwn` Measured RTO against target is in the summary.` : mrkdwn``;
    return mrkdwn`Evidence bundle for ${inlineCode(state.runId)}: event log, summary${state.kind === 'incident' ? mrkdwn`, post-mortem draft` : mrkdwn``}.${drill}`;
  }

  // ---- the outbox: Slack side effects owed by committed changes ---------------------------
  /** What opening a run owes Slack: the root message, then the first thread reply. */
  function openingEffects(event: EvidenceEvent): NewOutbox[] {
    return [{ kind: 'root' }, { kind: 'reply', seq: event.seq }];
  }

  /** What a transition owes Slack: the root update, one thread reply per event, and on close the evidence. */
  function transitionEffects(events: readonly EvidenceEvent[]): NewOutbox[] {
    const out: NewOutbox[] = [{ kind: 'update' }, ...events.map((e): NewOutbox => ({ kind: 'reply', seq: e.seq }))];
    if (events.some((e) => e.type === 'run.closed')) out.push({ kind: 'evidence' });
    return out;
  }

  // This process: "identity/boot". Another process of the same identity is an earlier life of this one.
  const identity = deps.replicaId ?? randomBytes(6).toString('hex');
  const owner = `${identity}/${randomBytes(4).toString('hex')}`;
  const heartbeatMs = (deps.heartbeatSeconds ?? 5) * 1000;
  /** Holders silent for four heartbeats are gone: their inbox rows and outbox leases are free. */
  const holder = (): Holder => ({ owner, identity, staleBefore: new Date(now().getTime() - 4 * heartbeatMs).toISOString() });
  const leaseMs = (deps.outboxLeaseSeconds ?? 120) * 1000;
  const autoDeliver = deps.deliverOutbox !== false;
  /** Runs whose delivery is queued and not started yet: more commits on them need no second one. */
  const queued = new Set<string>();

  /** Delivers a run's undelivered outbox rows soon (after the commit that wrote them). */
  function kick(runId: string): void {
    if (!autoDeliver || queued.has(runId)) return;
    queued.add(runId);
    track(
      serial(runId, () =>
        deliveries.run(async () => {
          queued.delete(runId);
          await deliverRun(runId);
        }),
      ).catch((err: unknown) => log.error({ run_id: runId, err }, 'outbox delivery failed')),
    );
  }

  async function deliverPending(): Promise<void> {
    if (!autoDeliver) return;
    for (const runId of await repo.pendingRuns(500)) kick(runId);
  }

  /**
   * Takes the run's lease, sends its undelivered rows in order, marks each with
   * its Slack ts right after the call, and gives the lease back. A crash between
   * a call and its mark sends that one message again once the lease expires.
   */
  async function deliverRun(runId: string): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const start = now();
      const lease = await repo.leaseOutbox(runId, holder(), start.toISOString(), new Date(start.getTime() + leaseMs).toISOString());
      if (!lease) return; // another replica is delivering this run, or it is backing off
      const retryAt = await deliverRows(runId, lease);
      if (!(await repo.releaseOutbox(runId, owner, retryAt))) return;
    }
  }

  /** Sends one batch; returns when to try again after a transient failure, if one stopped it. */
  async function deliverRows(runId: string, lease: OutboxLease): Promise<string | undefined> {
    const rows = await repo.pendingOutbox(runId);
    let rootTs = lease.root_ts;
    // Read after the rows: it reflects every change that wrote them, so one render of
    // the root per batch is enough. Texts are rendered here, from the events, not stored.
    let current: { events: EvidenceEvent[]; state: RunState } | undefined;
    const read = async (): Promise<{ events: EvidenceEvent[]; state: RunState }> => {
      if (!current) {
        const events = await repo.events(runId);
        if (!events.length) throw new Error(`no events for run ${runId}`);
        current = { events, state: deriveState(events) };
      }
      return current;
    };
    const fresh = async (): Promise<RunState> => (await read()).state;
    let rendered = false;
    for (const [i, row] of rows.entries()) {
      const at = nowIso();
      const fields = { run_id: runId, outbox_id: row.id, outbox_kind: row.kind, attempts: row.attempts + 1 };
      try {
        if (row.kind !== 'root' && !rootTs) {
          await repo.markFailed(row.id, at, 'the run has no root message', true);
          log.error(fields, 'outbox row given up: the run has no root message');
          continue;
        }
        const skip = async (note: string): Promise<void> => repo.markDelivered([row.id], at, null, note);
        switch (row.kind) {
          case 'root': {
            const ts = await slack.post(lease.channel, checked(runMessage(await fresh())));
            if (!ts) throw new Error('chat.postMessage returned no ts');
            rendered = true;
            rootTs = ts;
            await repo.markDelivered([row.id], at, ts);
            break;
          }
          case 'update':
            if (rendered || rows.slice(i + 1).some((r) => r.kind === 'update')) {
              await skip('superseded');
              break;
            }
            await slack.update(lease.channel, rootTs!, checked(runMessage(await fresh())));
            rendered = true;
            await repo.markDelivered([row.id], at, rootTs);
            break;
          case 'reply': {
            const { events, state: s } = await read();
            const event = row.seq === null ? undefined : events[row.seq];
            // Rows written by an older release carry their text; it is escaped again like any text.
            const text = event ? eventLine(event, s) : clipText(escapeText(row.text ?? ''), 3000);
            const ts = await slack.post(lease.channel, { text }, rootTs!);
            await repo.markDelivered([row.id], at, ts ?? null);
            break;
          }
          case 'evidence':
            await uploadEvidence(runId, evidenceComment(await fresh()), { channel: lease.channel, thread_ts: rootTs! });
            await repo.markDelivered([row.id], at, null);
            break;
          case 'reminder': {
            const s = await fresh();
            if (s.closed) {
              await skip('run closed');
              break;
            }
            log.info({ ...fields, ...runFields(s) }, 'idle reminder');
            const ts = await slack.post(lease.channel, checked(reminderMessage(s, config.snoozeMinutes)), rootTs!);
            await repo.markDelivered([row.id], at, ts ?? null);
            break;
          }
        }
      } catch (err) {
        const giveUp = isPermanent(err) || row.attempts + 1 >= MAX_ATTEMPTS;
        await repo.markFailed(row.id, at, (err as Error).message ?? String(err), giveUp);
        if (giveUp) {
          log.error({ ...fields, err }, 'outbox row given up');
          if (row.kind === 'evidence') await tellEvidenceFailed(runId, lease.channel, rootTs!, err);
          if (row.kind === 'root') await tellOrphaned(runId, lease.channel, err);
          continue;
        }
        log.warn({ ...fields, err }, 'outbox delivery failed; it will be retried');
        return new Date(now().getTime() + Math.min(600_000, 5_000 * 2 ** row.attempts)).toISOString();
      }
    }
    return undefined;
  }

  /** The closing bundle could not be uploaded for good: the requester hears it in the thread. */
  async function tellEvidenceFailed(runId: string, channel: string, rootTs: string, err: unknown): Promise<void> {
    const s = await repo.state(runId);
    const who = s ? mrkdwn`${userMention(s.requestedBy)} ` : mrkdwn``;
    const text = mrkdwn`:warning: ${who}The evidence bundle for ${inlineCode(runId)} could not be uploaded: ${escapeText(failureText(err))}. The events are kept; ${inlineCode(`/release export ${runId}`)} tries again.`;
    await slack.post(channel, { text: clipText(text, 3000) }, rootTs).catch((e: unknown) => log.error({ run_id: runId, err: e }, 'could not report the failed evidence upload'));
  }

  /**
   * The run's root message could not be posted for good (the bot is not in a private
   * channel, the channel is gone): the run is orphaned, and its requester hears it by
   * direct message. Nothing of the run is posted anywhere else.
   */
  async function tellOrphaned(runId: string, channel: string, err: unknown): Promise<void> {
    const run = await repo.getRun(runId);
    if (!run) return;
    const text = mrkdwn`:warning: I could not post your run ${inlineCode(runId)} (${escapeText(run.title)}) in ${channelMention(channel)}: ${escapeText(failureText(err))}. Invite me to that channel and open the run again; its evidence can be exported there or here, by a holder of a Ringmaster role.`;
    await slack.dm(run.requested_by, clipText(text, 3000)).catch((e: unknown) => log.error({ run_id: runId, err: e }, 'could not tell the requester about the orphaned run'));
  }

  // ---- roles ---------------------------------------------------------------------------
  const groupCache = new Map<string, { at: number; users: readonly string[] }>();
  async function groupMembers(group: string): Promise<readonly string[]> {
    const hit = groupCache.get(group);
    if (hit && Date.now() - hit.at < 5 * 60_000) return hit.users;
    const res = await client.usergroups.users.list({ usergroup: group });
    const users = res.users ?? [];
    groupCache.set(group, { at: Date.now(), users });
    return users;
  }
  async function rolesOf(user: string): Promise<Set<ChecklistRole>> {
    const held = new Set<ChecklistRole>();
    for (const role of ROLES) if (await hasRole(roles, role, user, groupMembers)) held.add(role);
    return held;
  }

  // ---- /release --------------------------------------------------------------------------
  async function startRun(cmd: Extract<ReleaseCommand, { sub: 'incident' | 'rollback' | 'drill' | 'promote' }>, user: string, channel: string, key: string, at: string): Promise<void> {
    const plan = planRun(cmd, config.defaultRings);
    const fields = { request_id: requestId(key), mode_selected: plan.mode, kb_traces_used: plan.kb, risk_tier: plan.riskTier, user };
    const created = await repo.createRun(
      key,
      { kind: plan.kind, title: plan.title, checklist: plan.checklist, params: plan.params, requestedBy: user, channel, at },
      openingEffects,
    );
    if (!created.created || !created.run) {
      log.info(fields, 'duplicate slash command delivery ignored');
      return;
    }
    log.info({ ...fields, run_id: created.run.id, kind: plan.kind }, 'run opened');
    kick(created.run.id);
  }

  /** The open runs of this channel only; a role holder also learns how many are open elsewhere (not which). */
  async function status(channel: string, user: string, respond: RespondFn): Promise<void> {
    const runs = await repo.openRuns(channel);
    const elsewhere = (await rolesOf(user)).size ? await repo.countOpenElsewhere(channel) : 0;
    const more = elsewhere ? mrkdwn`\n_${elsewhere} more open in other channels; run ${inlineCode('/release status')} there._` : mrkdwn``;
    if (runs.length === 0) {
      await respond(ephemeral(mrkdwn`No open checklists in this channel.${more}`));
      return;
    }
    const lines = await Promise.all(
      runs.map(async (r) => {
        const s = await repo.state(r.id);
        return mrkdwn`• ${inlineCode(r.id)} ${escapeText(r.kind)} · ${escapeText(r.title)} · ${s?.doneCount ?? 0}/${s?.visible.length ?? 0} done · requested by ${userMention(r.requested_by)}`;
      }),
    );
    await respond(ephemeral(clipText(mrkdwn`*Open checklists in this channel*\n${joinText(lines, '\n')}${more}`, 3000)));
  }

  /**
   * Uploads a run's evidence where it belongs: typed in the run's channel, into its
   * thread (or the channel, for a run that never got its root message); typed in a
   * direct message by a role holder, into that direct message. Nowhere else: from
   * another channel, the run is "not found", so its existence is not disclosed either.
   */
  async function exportRun(runId: string, channel: string, user: string, respond: RespondFn): Promise<void> {
    const run = await repo.getRun(runId);
    const inItsChannel = run?.channel === channel;
    const byDm = channel.startsWith('D') && (await rolesOf(user)).size > 0;
    if (!run || (!inItsChannel && !byDm)) {
      await respond(ephemeral(mrkdwn`No run ${inlineCode(runId)} in this channel. Export a run in its own channel (or, holding a Ringmaster role, in a direct message with me).`));
      return;
    }
    const target = inItsChannel ? { channel: run.channel, ...(run.root_ts ? { thread_ts: run.root_ts } : {}) } : { channel: await slack.dmChannel(user) };
    let head: string;
    try {
      head = await uploadEvidence(runId, mrkdwn`Evidence bundle for ${inlineCode(runId)} (${escapeText(run.status)}).`, target);
    } catch (err) {
      log.error({ run_id: runId, err }, 'export failed');
      await respond(ephemeral(clipText(mrkdwn`The evidence bundle for ${inlineCode(runId)} could not be exported: ${escapeText(failureText(err))}.`, 3000)));
      return;
    }
    const where = inItsChannel ? (run.root_ts ? mrkdwn`into its thread` : mrkdwn`into this channel`) : mrkdwn`into our direct messages`;
    await respond(ephemeral(mrkdwn`Exported ${inlineCode(runId)} ${where}; head hash ${inlineCode(head)}. Check it with ${inlineCode(`ringmaster evidence verify ${runId}-evidence.json`)}.`));
  }

  app.command('/release', async ({ command, ack, respond }) => {
    const cmd = parseReleaseCommand(typeof command.text === 'string' ? command.text : '');
    const user = command.user_id;
    const channel = command.channel_id;
    if (!USER_RE.test(user) || !CHANNEL_RE.test(channel)) {
      await ack(ephemeral(mrkdwn`This command came without a valid user or channel.`));
      return;
    }
    const key = `cmd:${command.trigger_id}`;
    const fields = { request_id: requestId(key), sub: cmd.sub, user };
    switch (cmd.sub) {
      case 'help':
        await ack(ephemeral(USAGE));
        return;
      case 'invalid':
        log.info(fields, 'invalid /release command');
        await ack(ephemeral(mrkdwn`${cmd.message}\n${USAGE}`));
        return;
      case 'plan':
        await ack();
        later('plan modal', fields, async () => {
          await slack.openModal(command.trigger_id, planModal(signMetadata(config.signingSecret, { c: channel, u: user })));
        });
        return;
      case 'status':
        await ack();
        later('status', fields, () => status(channel, user, respond));
        return;
      case 'export':
        await ack();
        later('export', fields, () => exportRun(cmd.runId, channel, user, respond));
        return;
      default:
        await receiveThenAck('command', key, { text: command.text, user, channel }, fields, () => ack(), () =>
          background('refusal', fields, () => respond(ephemeral(mrkdwn`Ringmaster could not record that command (its database did not answer); nothing changed, try again.`))),
        );
    }
  });

  // ---- buttons -------------------------------------------------------------------------------
  app.action(ACTION_ID_PATTERN, async ({ ack, body, action }) => {
    if (body.type !== 'block_actions' || action.type !== 'button') {
      await ack();
      return;
    }
    const b = body as BlockAction;
    const a = action as ButtonAction;
    const user = b.user?.id;
    const channel = b.channel?.id;
    const key = `act:${a.action_ts}:${a.action_id}:${user}`;
    const fields: Record<string, unknown> = { request_id: requestId(key), user, action_id: a.action_id };
    if (typeof user !== 'string' || !USER_RE.test(user) || typeof channel !== 'string' || !CHANNEL_RE.test(channel)) {
      await ack();
      log.warn(fields, 'action without a valid user or channel refused');
      return;
    }
    const button = readButton(a.value, a.action_id);
    if (!button) {
      await ack();
      log.warn(fields, 'malformed action refused');
      background('refusal', fields, () => slack.ephemeral(channel, user, mrkdwn`That button is not one Ringmaster recognizes; nothing changed.`));
      return;
    }
    const message = b.message as { ts?: string; thread_ts?: string } | undefined;
    const delivery: ActionDelivery = {
      user,
      channel,
      ...button,
      ...(message?.ts ? { messageTs: message.ts } : {}),
      ...(message?.thread_ts ? { threadTs: String(message.thread_ts) } : {}),
    };
    await receiveThenAck('action', key, delivery, fields, ack, () =>
      background('refusal', fields, () => slack.ephemeral(channel, user, mrkdwn`Ringmaster could not record that click (its database did not answer); nothing changed, click again.`)),
    );
  });

  /** A click, after its inbox row was written and the ack sent (or on start, for one a dead process acknowledged). */
  async function handleAction(d: ActionDelivery, key: string, requestedAt: string): Promise<void> {
    const { user, channel, runId, step, op, option } = d;
    const fields: Record<string, unknown> = { request_id: requestId(key), user, run_id: runId, step };
    if (op === 'page') {
      const run = await repo.getRun(runId);
      const page = Number(option);
      if (!run || !Number.isInteger(page) || page < 0 || page > 1000 || d.messageTs !== run.root_ts || channel !== run.channel) return;
      track(serial(runId, () => refreshRoot(runId, page)).catch((err: unknown) => log.error({ ...fields, err }, 'page failed')));
      return;
    }
    const intent = (at: string): Intent =>
      op === 'snooze'
        ? { op: 'snooze', until: new Date(Date.parse(at) + config.snoozeMinutes * 60_000).toISOString() }
        : op === 'choose'
          ? { op: 'choose', step, option }
          : { op: op as 'complete' | 'approve' | 'start_wait', step };
    const actor = { id: user, roles: await rolesOf(user) };
    const origin = { channel, ...(d.messageTs ? { messageTs: d.messageTs } : {}), ...(d.threadTs ? { threadTs: d.threadTs } : {}) };
    const outcome = await repo.act(runId, key, { decide: (state, at) => decide(state, intent(at), actor, at), effects: transitionEffects, origin, requestedAt });
    switch (outcome.kind) {
      case 'duplicate':
        log.info(fields, 'duplicate action delivery ignored');
        return;
      case 'not_found':
        log.warn(fields, 'action on an unknown run refused');
        background('refusal', fields, () => slack.ephemeral(channel, user, mrkdwn`There is no run ${inlineCode(runId)}; nothing changed.`));
        return;
      case 'refused': {
        const level = outcome.code === 'already_done' || outcome.code === 'waiting' ? 'info' : 'warn';
        log[level]({ ...fields, ...runFields(outcome.state), code: outcome.code }, 'action refused');
        background('refusal', fields, () => slack.ephemeral(channel, user, mrkdwn`${outcome.message} Nothing changed.`));
        return;
      }
      case 'applied':
        log.info({ ...fields, ...runFields(outcome.state), events: outcome.events.map((e) => e.type) }, 'transition');
        kick(runId);
    }
  }

  // ---- the inbox: deliveries written before the ack, processed after it ---------------------------
  /** Inbox rows this process is processing now (or has queued). */
  const processing = new Set<string>();

  /**
   * Writes the delivery to the inbox (one insert), then acknowledges; then processes
   * it. A repeat of a delivery already received is acknowledged and dropped. When the
   * insert fails the delivery is acknowledged (Slack would show an error) and `failed` says so.
   */
  async function receiveThenAck(kind: InboxRow['kind'], key: string, delivery: CommandDelivery | ActionDelivery, fields: Record<string, unknown>, ack: () => Promise<void>, failed: () => void): Promise<void> {
    const at = nowIso();
    const payload = JSON.stringify(delivery);
    let fresh: boolean;
    try {
      fresh = await repo.receive(key, kind, payload, owner, at);
    } catch (err) {
      await ack();
      log.error({ ...fields, err }, 'delivery not recorded');
      failed();
      return;
    }
    await ack();
    if (!fresh) {
      log.info(fields, 'repeated delivery ignored');
      return;
    }
    processDelivery({ key, kind, payload, received_at: at, attempts: 0 });
  }

  function processDelivery(row: InboxRow): void {
    if (processing.has(row.key)) return;
    processing.add(row.key);
    const fields = { request_id: requestId(row.key), delivery: row.kind };
    later('delivery', fields, async () => {
      try {
        if (row.kind === 'command') {
          const d = JSON.parse(row.payload) as CommandDelivery;
          const cmd = parseReleaseCommand(d.text);
          if (cmd.sub === 'incident' || cmd.sub === 'rollback' || cmd.sub === 'drill' || cmd.sub === 'promote') await startRun(cmd, d.user, d.channel, row.key, row.received_at);
        } else await handleAction(JSON.parse(row.payload) as ActionDelivery, row.key, row.received_at);
        await repo.processed(row.key, nowIso());
      } catch (err) {
        // Left for the next sweep (this process's tick, or another replica once this one is gone).
        const giveUp = row.attempts + 1 >= MAX_ATTEMPTS;
        await repo.processed(row.key, nowIso(), (err as Error).message ?? String(err), giveUp).catch(() => undefined);
        throw err;
      } finally {
        processing.delete(row.key);
      }
    });
  }

  /** Processes the inbox rows nobody is processing: this process's own left-overs and those of processes that are gone. */
  async function sweepInbox(): Promise<void> {
    for (const row of await repo.claimInbox(holder())) processDelivery(row);
  }

  // ---- /release plan modal -----------------------------------------------------------------------
  app.view('rm_plan', async ({ ack, body, view }) => {
    const user = body.user.id;
    const meta = readMetadata(config.signingSecret, view.private_metadata ?? '', user);
    const fields = { request_id: requestId(`view:${view.id}`), user, mode_selected: 'plan' };
    if (!meta) {
      log.warn(fields, 'plan modal with forged or foreign metadata refused');
      await ack({ response_action: 'errors', errors: { profile: 'This form was not opened by you; run /release plan again.' } });
      return;
    }
    const text = (view.state.values['profile']?.['profile']?.value ?? '').toString();
    const bad = unstorable(text);
    const profile = bad ? { ok: false as const, message: `The profile holds ${bad}; remove it and submit again.` } : readProfile(text);
    if (!profile.ok) {
      await ack({ response_action: 'errors', errors: { profile: clipText(escapeText(profile.message), 150) } });
      return;
    }
    await ack();
    later('plan', fields, async () => {
      try {
        const result = runPlan(profile.profile);
        log.info({ ...fields, request_id: result.requestId, risk_tier: result.output.decision_log.risk_tier, kb_traces_used: result.output.kb_references, modes: result.output.decision_log.modes.map((m) => m.id) }, 'plan');
        const rootTs = await slack.post(meta.c, { text: clipText(mrkdwn`${userMention(user)} ${planSummary(result)}`, 3000) });
        const files: OutFile[] = [
          { filename: 'blueprint.json', title: 'Blueprint', content: `${JSON.stringify(result.output, null, 2)}\n` },
          ...result.files.map((f) => ({ filename: f.path, title: f.path, content: f.content.length ? f.content : '\n' })),
        ];
        await slack.upload(meta.c, files, undefined, rootTs);
      } catch (err) {
        log.warn({ ...fields, err }, 'plan failed');
        await slack.ephemeral(meta.c, user, clipText(mrkdwn`The plan failed: ${escapeText((err as Error).message)}`, 3000));
      }
    });
  });

  // ---- timers -----------------------------------------------------------------------------------
  async function tick(): Promise<void> {
    // Each firing takes its own time (under its run's lock, in repo.act).
    for (const t of await repo.dueTimers(nowIso())) {
      const fields = { request_id: requestId(`timer:${t.kind}:${t.run_id}:${t.step_id}`), run_id: t.run_id, timer: t.kind };
      try {
        if (t.kind === 'bake') {
          const outcome = await repo.act(t.run_id, `timer:bake:${t.run_id}:${t.step_id}`, {
            decide: (state, at) => decide(state, { op: 'elapse', step: t.step_id }, { id: SYSTEM_ACTOR, roles: new Set() }, at),
            effects: transitionEffects,
          });
          if (outcome.kind === 'applied') {
            log.info({ ...fields, ...runFields(outcome.state) }, 'bake time over');
            kick(t.run_id);
          } else await repo.fireTimer(t.run_id, 'bake', t.step_id, nowIso());
        } else if (await repo.claimIdle(t.run_id, nowIso())) kick(t.run_id);
      } catch (err) {
        log.error({ ...fields, err }, 'timer failed');
      }
    }
    await sweepInbox();
    await deliverPending();
  }

  let poller: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let server: Server | undefined;
  return {
    app,
    repo,
    async start() {
      if (deps.pollTimers !== false) {
        poller = setInterval(() => later('timers', {}, tick), config.pollSeconds * 1000);
        poller.unref();
      }
      await repo.heartbeat(owner, nowIso());
      heartbeat = setInterval(() => void repo.heartbeat(owner, nowIso()).catch((err: unknown) => log.warn({ err }, 'heartbeat failed')), heartbeatMs);
      heartbeat.unref();
      // What an earlier process acknowledged but did not process, or committed but did not deliver.
      later('inbox', {}, sweepInbox);
      later('outbox', {}, deliverPending);
      if (config.appToken) {
        await app.start();
        return undefined;
      }
      server = (await app.start({ port: config.port, host: config.host } as never)) as unknown as Server;
      server.on('request', () => {
        lastRequest = performance.now();
      });
      return server;
    },
    async stop() {
      if (poller) clearInterval(poller);
      if (heartbeat) clearInterval(heartbeat);
      await app.stop();
      while (inflight.size || queues.size) await Promise.allSettled([...inflight, ...queues.values()]);
      // A clean stop: what is left (nothing, normally) is free for the others at once.
      await repo.leave(owner).catch((err: unknown) => log.warn({ err }, 'could not leave the replica table'));
    },
    async settled() {
      while (inflight.size || queues.size) {
        await Promise.allSettled([...inflight, ...queues.values()]);
      }
    },
    tick,
    deliverPending,
  };
}

function planModal(privateMetadata: string): Modal {
  const blocks: Block[] = [
    {
      type: 'section',
      block_id: 'intro',
      text: { type: 'mrkdwn', text: mrkdwn`Paste a Ringmaster input profile (JSON or YAML). The blueprint comes back in the channel as a summary, with every artifact as a file.` },
    },
    {
      type: 'input',
      block_id: 'profile',
      label: { type: 'plain_text', text: mrkdwn`Profile` },
      element: {
        type: 'plain_text_input',
        action_id: 'profile',
        multiline: true,
        max_length: 3000,
        placeholder: { type: 'plain_text', text: mrkdwn`{ "goal": "CI/CD blueprint", "risk_tier": "high" }` },
      },
    },
  ];
  assertBlockKitLimits(blocks, 'modal');
  return {
    type: 'modal',
    callback_id: 'rm_plan',
    title: { type: 'plain_text', text: mrkdwn`Ringmaster plan` },
    submit: { type: 'plain_text', text: mrkdwn`Plan` },
    close: { type: 'plain_text', text: mrkdwn`Cancel` },
    private_metadata: privateMetadata,
    blocks,
  };
}
