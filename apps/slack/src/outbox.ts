import type { EvidenceEvent } from '@ringmaster/evidence';
import type { Logger } from 'pino';
import type { Background } from './background.js';
import { assertBlockKitLimits, eventLine, reminderMessage, runMessage, type Message } from './blocks.js';
import type { NewOutbox, OutboxLease, RunRepository } from './db/runs.js';
import { failureText, isPermanent, type EvidencePublisher } from './evidence-upload.js';
import { runFields } from './fields.js';
import { closingComment, type FlowRegistry } from './flows/index.js';
import type { Replica } from './replica.js';
import type { SlackOut } from './slack-out.js';
import { channelMention, clipText, escapeText, inlineCode, mrkdwn, userMention } from './slack-text.js';
import { deriveState, type RunState } from './state.js';

/** An outbox row is tried this many times (each time after the Web API client's own retries) before it is given up. */
const MAX_ATTEMPTS = 5;

/** What opening a run owes Slack: the root message, then the first thread reply. */
export function openingEffects(event: EvidenceEvent): NewOutbox[] {
  return [{ kind: 'root' }, { kind: 'reply', seq: event.seq }];
}

/** What a transition owes Slack: the root update, one thread reply per event, and on close the evidence. */
export function transitionEffects(events: readonly EvidenceEvent[]): NewOutbox[] {
  const out: NewOutbox[] = [{ kind: 'update' }, ...events.map((e): NewOutbox => ({ kind: 'reply', seq: e.seq }))];
  if (events.some((e) => e.type === 'run.closed')) out.push({ kind: 'evidence' });
  return out;
}

function checked(message: Message): Message {
  assertBlockKitLimits(message.blocks);
  return message;
}

export interface OutboxOptions {
  /** Deliver after each commit, on start and on every tick (false: a process that died right after its commits). */
  autoDeliver: boolean;
  /** How long a deliverer holds a run's outbox lease, in milliseconds of the app clock. */
  leaseMs: number;
  snoozeMinutes: number;
}

/**
 * The outbox: Slack side effects owed by committed changes, delivered per run, in
 * order, by one deliverer at a time across replicas (a lease on the run row).
 */
export class OutboxDeliverer {
  /** Runs whose delivery is queued and not started yet: more commits on them need no second one. */
  private readonly queued = new Set<string>();

  constructor(
    private readonly repo: RunRepository,
    private readonly slack: SlackOut,
    private readonly evidence: EvidencePublisher,
    private readonly flows: FlowRegistry,
    private readonly background: Background,
    private readonly replica: Replica,
    private readonly clock: () => Date,
    private readonly log: Logger,
    private readonly options: OutboxOptions,
  ) {}

  /** Delivers a run's undelivered outbox rows soon (after the commit that wrote them). */
  kick(runId: string): void {
    if (!this.options.autoDeliver || this.queued.has(runId)) return;
    this.queued.add(runId);
    this.background.track(
      this.background
        .serial(runId, () =>
          this.background.deliveries.run(async () => {
            this.queued.delete(runId);
            await this.deliverRun(runId);
          }),
        )
        .catch((err: unknown) => this.log.error({ run_id: runId, err }, 'outbox delivery failed')),
    );
  }

  /** Delivers every undelivered outbox row (oldest run first). */
  async deliverPending(): Promise<void> {
    if (!this.options.autoDeliver) return;
    for (const runId of await this.repo.pendingRuns(500)) this.kick(runId);
  }

  /** Re-renders a run's root message (at `page`), in the run's delivery order. */
  refreshRoot(runId: string, page: number, fields: Record<string, unknown>): void {
    this.background.track(
      this.background
        .serial(runId, async () => {
          const [run, state] = await Promise.all([this.repo.getRun(runId), this.repo.state(runId)]);
          if (!run?.root_ts || !state) return;
          await this.slack.update(run.channel, run.root_ts, checked(runMessage(state, page)));
        })
        .catch((err: unknown) => this.log.error({ ...fields, err }, 'page failed')),
    );
  }

  /**
   * Takes the run's lease, sends its undelivered rows in order, marks each with
   * its Slack ts right after the call, and gives the lease back. A crash between
   * a call and its mark sends that one message again once the lease is free.
   */
  private async deliverRun(runId: string): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const start = this.clock();
      const lease = await this.repo.leaseOutbox(runId, this.replica.holder(), start.toISOString(), new Date(start.getTime() + this.options.leaseMs).toISOString());
      if (!lease) return; // another replica is delivering this run, or it is backing off
      const retryAt = await this.deliverRows(runId, lease);
      if (!(await this.repo.releaseOutbox(runId, this.replica.owner, retryAt))) return;
    }
  }

  /** Sends one batch; returns when to try again after a transient failure, if one stopped it. */
  private async deliverRows(runId: string, lease: OutboxLease): Promise<string | undefined> {
    const { repo, slack, log } = this;
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
      const at = this.clock().toISOString();
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
          case 'evidence': {
            const s = await fresh();
            await this.evidence.upload(runId, closingComment(this.flows.forRun(s), runId), { channel: lease.channel, thread_ts: rootTs! });
            await repo.markDelivered([row.id], at, null);
            break;
          }
          case 'reminder': {
            const s = await fresh();
            if (s.closed) {
              await skip('run closed');
              break;
            }
            log.info({ ...fields, ...runFields(s, this.flows) }, 'idle reminder');
            const ts = await slack.post(lease.channel, checked(reminderMessage(s, this.options.snoozeMinutes)), rootTs!);
            await repo.markDelivered([row.id], at, ts ?? null);
            break;
          }
        }
      } catch (err) {
        const giveUp = isPermanent(err) || row.attempts + 1 >= MAX_ATTEMPTS;
        await repo.markFailed(row.id, at, (err as Error).message ?? String(err), giveUp);
        if (giveUp) {
          log.error({ ...fields, err }, 'outbox row given up');
          if (row.kind === 'evidence') await this.tellEvidenceFailed(runId, lease.channel, rootTs!, err);
          if (row.kind === 'root') await this.tellOrphaned(runId, lease.channel, err);
          continue;
        }
        log.warn({ ...fields, err }, 'outbox delivery failed; it will be retried');
        return new Date(this.clock().getTime() + Math.min(600_000, 5_000 * 2 ** row.attempts)).toISOString();
      }
    }
    return undefined;
  }

  /** The closing bundle could not be uploaded for good: the requester hears it in the thread. */
  private async tellEvidenceFailed(runId: string, channel: string, rootTs: string, err: unknown): Promise<void> {
    const s = await this.repo.state(runId);
    const who = s ? mrkdwn`${userMention(s.requestedBy)} ` : mrkdwn``;
    const text = mrkdwn`:warning: ${who}The evidence bundle for ${inlineCode(runId)} could not be uploaded: ${escapeText(failureText(err))}. The events are kept; ${inlineCode(`/release export ${runId}`)} tries again.`;
    await this.slack.post(channel, { text: clipText(text, 3000) }, rootTs).catch((e: unknown) => this.log.error({ run_id: runId, err: e }, 'could not report the failed evidence upload'));
  }

  /**
   * The run's root message could not be posted for good (the bot is not in a private
   * channel, the channel is gone): the run is orphaned, and its requester hears it by
   * direct message. Nothing of the run is posted anywhere else.
   */
  private async tellOrphaned(runId: string, channel: string, err: unknown): Promise<void> {
    const run = await this.repo.getRun(runId);
    if (!run) return;
    const text = mrkdwn`:warning: I could not post your run ${inlineCode(runId)} (${escapeText(run.title)}) in ${channelMention(channel)}: ${escapeText(failureText(err))}. Invite me to that channel and open the run again; its evidence can be exported there or here, by a holder of a Ringmaster role.`;
    await this.slack.dm(run.requested_by, clipText(text, 3000)).catch((e: unknown) => this.log.error({ run_id: runId, err: e }, 'could not tell the requester about the orphaned run'));
  }
}
