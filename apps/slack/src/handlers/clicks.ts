import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Background } from '../background.js';
import { ACTION_ID_PATTERN, readButton, type ClickedButton } from '../button.js';
import type { ActionData } from '@ringmaster/evidence';
import type { Connectors } from '../actions/connectors.js';
import { performGitOps, stepAction, withOutcome } from '../actions/step-actions.js';
import { checkOrigin, type Origin, type RunRepository } from '../db/runs.js';
import { CHANNEL_RE, requestId, runFields, USER_RE } from '../fields.js';
import type { FlowRegistry } from '../flows/index.js';
import type { Inbox } from '../inbox.js';
import { transitionEffects, type OutboxDeliverer } from '../outbox.js';
import type { RoleResolver } from '../role-resolver.js';
import type { SlackOut } from '../slack-out.js';
import { inlineCode, mrkdwn } from '../slack-text.js';
import { decide, type Actor, type Intent } from '../state.js';

/** A click, as the inbox keeps it (from Slack's signed payload). */
export interface ActionDelivery extends ClickedButton {
  user: string;
  channel: string;
  messageTs?: string;
  threadTs?: string;
}

/** The checklist buttons: written to the inbox before the ack, applied to the run after it. */
export class ClickHandler {
  constructor(
    private readonly repo: RunRepository,
    private readonly flows: FlowRegistry,
    private readonly slack: SlackOut,
    private readonly roles: RoleResolver,
    private readonly inbox: Inbox,
    private readonly outbox: OutboxDeliverer,
    private readonly background: Background,
    private readonly log: Logger,
    private readonly snoozeMinutes: number,
    private readonly connectors: Connectors,
  ) {}

  register(app: App): void {
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
        this.log.warn(fields, 'action without a valid user or channel refused');
        return;
      }
      const button = readButton(a.value, a.action_id);
      if (!button) {
        await ack();
        this.log.warn(fields, 'malformed action refused');
        this.background.background('refusal', fields, () => this.slack.ephemeral(channel, user, mrkdwn`That button is not one Ringmaster recognizes; nothing changed.`));
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
      await this.inbox.receiveThenAck('action', key, delivery, fields, ack, () =>
        this.background.background('refusal', fields, () => this.slack.ephemeral(channel, user, mrkdwn`Ringmaster could not record that click (its database did not answer); nothing changed, click again.`)),
      );
    });
  }

  /** A click, after its inbox row was written and the ack sent (or on start, for one a dead process acknowledged). */
  async handle(d: ActionDelivery, key: string, requestedAt: string): Promise<void> {
    const { user, channel, runId, step, op, option } = d;
    const fields: Record<string, unknown> = { request_id: requestId(key), user, run_id: runId, step };
    if (op === 'page') {
      const run = await this.repo.getRun(runId);
      const page = Number(option);
      if (!run || !Number.isInteger(page) || page < 0 || page > 1000 || d.messageTs !== run.root_ts || channel !== run.channel) return;
      this.outbox.refreshRoot(runId, page, fields);
      return;
    }
    const intent = (at: string): Intent =>
      op === 'snooze'
        ? { op: 'snooze', until: new Date(Date.parse(at) + this.snoozeMinutes * 60_000).toISOString() }
        : op === 'choose'
          ? { op: 'choose', step, option }
          : { op: op as 'complete' | 'approve' | 'start_wait', step };
    const actor = { id: user, roles: await this.roles.rolesOf(user) };
    const origin = { channel, ...(d.messageTs ? { messageTs: d.messageTs } : {}), ...(d.threadTs ? { threadTs: d.threadTs } : {}) };
    const performed = op === 'complete' ? await this.performStepAction(runId, step, origin, (at) => intent(at), actor) : undefined;
    const outcome = await this.repo.act(runId, key, {
      decide: (state, at) => {
        const decision = decide(state, intent(at), actor, at);
        return performed ? withOutcome(decision, performed, user, step, at) : decision;
      },
      effects: transitionEffects,
      origin,
      requestedAt,
    });
    switch (outcome.kind) {
      case 'duplicate':
        this.log.info(fields, 'duplicate action delivery ignored');
        return;
      case 'not_found':
        this.log.warn(fields, 'action on an unknown run refused');
        this.background.background('refusal', fields, () => this.slack.ephemeral(channel, user, mrkdwn`There is no run ${inlineCode(runId)}; nothing changed.`));
        return;
      case 'refused': {
        const level = outcome.code === 'already_done' || outcome.code === 'waiting' ? 'info' : 'warn';
        this.log[level]({ ...fields, ...runFields(outcome.state, this.flows), code: outcome.code }, 'action refused');
        this.background.background('refusal', fields, () => this.slack.ephemeral(channel, user, mrkdwn`${outcome.message} Nothing changed.`));
        return;
      }
      case 'applied':
        this.log.info({ ...fields, ...runFields(outcome.state, this.flows), events: outcome.events.map((e) => e.type), ...(performed ? { action: performed.at(-1)!.action, outcome: performed.at(-1)!.outcome } : {}) }, 'transition');
        this.outbox.kick(runId);
    }
  }

  /**
   * A step that acts (a promotion or rollback commit) acts only when the click may
   * complete it: from the run's message, by a holder of its role, after its gates
   * (the approvals the checklist requires). The action runs before the transition
   * (outside the run's lock: git takes seconds); the connector is idempotent by run
   * and step, so a click processed twice (a retry, a restart) finds its own commit.
   */
  private async performStepAction(runId: string, step: string, origin: Origin, intent: (at: string) => Intent, actor: Actor): Promise<ActionData[] | undefined> {
    const [run, state] = await Promise.all([this.repo.getRun(runId), this.repo.state(runId)]);
    const action = state ? stepAction(state, step) : undefined;
    if (!run || !state || !action || action.action === 'canary-health') return undefined;
    const at = this.repo.nowIso();
    const allowed = checkOrigin(run, origin) ?? decide(state, intent(at), actor, at);
    if (!allowed.ok) return undefined;
    const outcomes = await performGitOps(action, state, step, this.connectors);
    const data = outcomes.at(-1)!;
    this.log[data.outcome === 'failed' || data.outcome === 'refused' ? 'warn' : 'info']({ run_id: runId, step, action: data.action, outcome: data.outcome, commit: data.commit, reason: data.reason }, 'step action');
    return outcomes;
  }
}
