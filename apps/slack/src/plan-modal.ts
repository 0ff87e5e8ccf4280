import { createHmac, timingSafeEqual } from 'node:crypto';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Background } from './background.js';
import { assertBlockKitLimits, type Block, type Modal } from './blocks.js';
import { unstorable } from './commands.js';
import { CHANNEL_RE, requestId } from './fields.js';
import { planSummary, readProfile, runPlan } from './plan.js';
import type { OutFile, SlackOut } from './slack-out.js';
import { clipText, escapeText, mrkdwn, userMention } from './slack-text.js';

/** `/release plan`: a modal for a profile; the blueprint comes back in the channel with its artifacts as files. */
export class PlanModal {
  constructor(
    private readonly signingSecret: string,
    private readonly slack: SlackOut,
    private readonly background: Background,
    private readonly log: Logger,
  ) {}

  /** Opens the modal for `user` in `channel` (both signed into its metadata). */
  open(triggerId: string, channel: string, user: string): Promise<void> {
    return this.slack.openModal(triggerId, planModal(this.signMetadata({ c: channel, u: user })));
  }

  register(app: App): void {
    app.view('rm_plan', async ({ ack, body, view }) => {
      const user = body.user.id;
      const meta = this.readMetadata(view.private_metadata ?? '', user);
      const fields = { request_id: requestId(`view:${view.id}`), user, mode_selected: 'plan' };
      if (!meta) {
        this.log.warn(fields, 'plan modal with forged or foreign metadata refused');
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
      this.background.later('plan', fields, async () => {
        try {
          const result = runPlan(profile.profile);
          this.log.info({ ...fields, request_id: result.requestId, risk_tier: result.output.decision_log.risk_tier, kb_traces_used: result.output.kb_references, modes: result.output.decision_log.modes.map((m) => m.id) }, 'plan');
          const rootTs = await this.slack.post(meta.c, { text: clipText(mrkdwn`${userMention(user)} ${planSummary(result)}`, 3000) });
          const files: OutFile[] = [
            { filename: 'blueprint.json', title: 'Blueprint', content: `${JSON.stringify(result.output, null, 2)}\n` },
            ...result.files.map((f) => ({ filename: f.path, title: f.path, content: f.content.length ? f.content : '\n' })),
          ];
          await this.slack.upload(meta.c, files, undefined, rootTs);
        } catch (err) {
          this.log.warn({ ...fields, err }, 'plan failed');
          await this.slack.ephemeral(meta.c, user, clipText(mrkdwn`The plan failed: ${escapeText((err as Error).message)}`, 3000));
        }
      });
    });
  }

  /** Signs the modal's private_metadata so that a forged channel or user is refused. */
  private signMetadata(data: { c: string; u: string }): string {
    const body = JSON.stringify(data);
    return JSON.stringify({ ...data, s: createHmac('sha256', this.signingSecret).update(body).digest('hex') });
  }

  private readMetadata(raw: string, userId: string): { c: string; u: string } | undefined {
    try {
      const parsed = JSON.parse(raw) as { c?: unknown; u?: unknown; s?: unknown };
      if (typeof parsed.c !== 'string' || typeof parsed.u !== 'string' || typeof parsed.s !== 'string') return undefined;
      const expected = createHmac('sha256', this.signingSecret).update(JSON.stringify({ c: parsed.c, u: parsed.u })).digest();
      const given = Buffer.from(parsed.s, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      if (parsed.u !== userId || !CHANNEL_RE.test(parsed.c)) return undefined;
      return { c: parsed.c, u: parsed.u };
    } catch {
      return undefined;
    }
  }
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
