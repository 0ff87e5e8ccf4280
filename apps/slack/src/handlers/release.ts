import type { App, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Connectors } from '../actions/connectors.js';
import type { Background } from '../background.js';
import { isAppCommand, parseReleaseCommand } from '../commands.js';
import type { RunRepository } from '../db/runs.js';
import { failureText, type EvidencePublisher } from '../evidence-upload.js';
import { CHANNEL_RE, requestId, USER_RE } from '../fields.js';
import type { FlowContext, FlowRegistry } from '../flows/index.js';
import type { Inbox } from '../inbox.js';
import { openingEffects, type OutboxDeliverer } from '../outbox.js';
import type { PlanModal } from '../plan-modal.js';
import type { RoleResolver } from '../role-resolver.js';
import { ephemeral, type SlackOut } from '../slack-out.js';
import { clipText, escapeText, inlineCode, joinText, mrkdwn, userMention } from '../slack-text.js';

/** A command that opens a run, as the inbox keeps it. */
export interface CommandDelivery {
  text: string;
  user: string;
  channel: string;
}

/** `/release`: the app's own subcommands answer at once; a flow's opens a run through the inbox. */
export class ReleaseCommandHandler {
  constructor(
    private readonly repo: RunRepository,
    private readonly flows: FlowRegistry,
    private readonly flowContext: FlowContext,
    private readonly connectors: Connectors,
    private readonly slack: SlackOut,
    private readonly roles: RoleResolver,
    private readonly inbox: Inbox,
    private readonly outbox: OutboxDeliverer,
    private readonly evidence: EvidencePublisher,
    private readonly planModal: PlanModal,
    private readonly background: Background,
    private readonly log: Logger,
  ) {}

  register(app: App): void {
    app.command('/release', async ({ command, ack, respond }) => {
      const cmd = parseReleaseCommand(typeof command.text === 'string' ? command.text : '', this.flows);
      const user = command.user_id;
      const channel = command.channel_id;
      if (!USER_RE.test(user) || !CHANNEL_RE.test(channel)) {
        await ack(ephemeral(mrkdwn`This command came without a valid user or channel.`));
        return;
      }
      const key = `cmd:${command.trigger_id}`;
      const fields = { request_id: requestId(key), sub: cmd.sub, user };
      if (!isAppCommand(cmd)) {
        await this.inbox.receiveThenAck('command', key, { text: command.text, user, channel } satisfies CommandDelivery, fields, () => ack(), () =>
          this.background.background('refusal', fields, () => respond(ephemeral(mrkdwn`Ringmaster could not record that command (its database did not answer); nothing changed, try again.`))),
        );
        return;
      }
      switch (cmd.sub) {
        case 'help':
          await ack(ephemeral(this.flows.usage()));
          return;
        case 'invalid':
          this.log.info(fields, 'invalid /release command');
          await ack(ephemeral(mrkdwn`${cmd.message}\n${this.flows.usage()}`));
          return;
        case 'plan':
          await ack();
          this.background.later('plan modal', fields, () => this.planModal.open(command.trigger_id, channel, user));
          return;
        case 'status':
          await ack();
          this.background.later('status', fields, () => this.status(channel, user, respond));
          return;
        case 'export':
          await ack();
          this.background.later('export', fields, () => this.exportRun(cmd.runId, channel, user, respond));
          return;
      }
    });
  }

  /** A flow's command, after its inbox row was written and the ack sent (or on start, for one a dead process acknowledged). */
  async open(d: CommandDelivery, key: string, at: string): Promise<void> {
    const parsed = parseReleaseCommand(d.text, this.flows);
    if (isAppCommand(parsed)) return;
    const flow = this.flows.flowOf(parsed);
    const prepared = flow.prepare ? await flow.prepare(parsed, this.connectors) : { ok: true as const, args: parsed };
    if (!prepared.ok) {
      this.log.info({ request_id: requestId(key), sub: parsed.sub, user: d.user }, 'run not opened');
      this.background.background('refusal', { request_id: requestId(key) }, () => this.slack.ephemeral(d.channel, d.user, prepared.message));
      return;
    }
    const plan = this.flows.plan({ ...prepared.args, sub: flow.command }, this.flowContext);
    const fields = { request_id: requestId(key), mode_selected: plan.mode, kb_traces_used: plan.kb, risk_tier: plan.riskTier, user: d.user };
    const created = await this.repo.createRun(
      key,
      { kind: plan.kind, flow: plan.flow.command, title: plan.title, checklist: plan.checklist, params: plan.params, requestedBy: d.user, channel: d.channel, at },
      openingEffects,
    );
    if (!created.created || !created.run) {
      this.log.info(fields, 'duplicate slash command delivery ignored');
      return;
    }
    this.log.info({ ...fields, run_id: created.run.id, kind: plan.kind }, 'run opened');
    this.outbox.kick(created.run.id);
  }

  /** The open runs of this channel only; a role holder also learns how many are open elsewhere (not which). */
  private async status(channel: string, user: string, respond: RespondFn): Promise<void> {
    const runs = await this.repo.openRuns(channel);
    const elsewhere = (await this.roles.rolesOf(user)).size ? await this.repo.countOpenElsewhere(channel) : 0;
    const more = elsewhere ? mrkdwn`\n_${elsewhere} more open in other channels; run ${inlineCode('/release status')} there._` : mrkdwn``;
    if (runs.length === 0) {
      await respond(ephemeral(mrkdwn`No open checklists in this channel.${more}`));
      return;
    }
    const lines = await Promise.all(
      runs.map(async (r) => {
        const s = await this.repo.state(r.id);
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
  private async exportRun(runId: string, channel: string, user: string, respond: RespondFn): Promise<void> {
    const run = await this.repo.getRun(runId);
    const inItsChannel = run?.channel === channel;
    const byDm = channel.startsWith('D') && (await this.roles.rolesOf(user)).size > 0;
    if (!run || (!inItsChannel && !byDm)) {
      await respond(ephemeral(mrkdwn`No run ${inlineCode(runId)} in this channel. Export a run in its own channel (or, holding a Ringmaster role, in a direct message with me).`));
      return;
    }
    const target = inItsChannel ? { channel: run.channel, ...(run.root_ts ? { thread_ts: run.root_ts } : {}) } : { channel: await this.slack.dmChannel(user) };
    let head: string;
    try {
      head = await this.evidence.upload(runId, mrkdwn`Evidence bundle for ${inlineCode(runId)} (${escapeText(run.status)}).`, target);
    } catch (err) {
      this.log.error({ run_id: runId, err }, 'export failed');
      await respond(ephemeral(clipText(mrkdwn`The evidence bundle for ${inlineCode(runId)} could not be exported: ${escapeText(failureText(err))}.`, 3000)));
      return;
    }
    const where = inItsChannel ? (run.root_ts ? mrkdwn`into its thread` : mrkdwn`into this channel`) : mrkdwn`into our direct messages`;
    await respond(ephemeral(mrkdwn`Exported ${inlineCode(runId)} ${where}; head hash ${inlineCode(head)}. Check it with ${inlineCode(`ringmaster evidence verify ${runId}-evidence.json`)}.`));
  }
}
