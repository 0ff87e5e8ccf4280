import type { webApi } from '@slack/bolt';
import type { Message, Modal } from './blocks.js';
import { type SlackText } from './slack-text.js';

/** A file the bot uploads (evidence bundles, blueprint artifacts): contents are files, never parsed as markup. */
export interface OutFile {
  filename: string;
  title: string;
  content: string;
}

/** An ephemeral answer to a slash command (`ack` / `respond`). */
export function ephemeral(text: SlackText): { response_type: 'ephemeral'; text: SlackText } {
  return { response_type: 'ephemeral', text };
}

/**
 * Everything the app sends to Slack's Web API goes through here, and every text or
 * block it takes is `SlackText`: user text reaches Slack only escaped.
 */
export class SlackOut {
  constructor(private readonly client: webApi.WebClient) {}

  /** Posts a message (in a thread with `threadTs`); returns its ts. */
  async post(channel: string, message: Message | { text: SlackText }, threadTs?: string): Promise<string | undefined> {
    const res = await this.client.chat.postMessage({ channel, ...(threadTs ? { thread_ts: threadTs } : {}), ...message, unfurl_links: false, unfurl_media: false });
    return res.ts;
  }

  async update(channel: string, ts: string, message: Message): Promise<void> {
    await this.client.chat.update({ channel, ts, ...message });
  }

  async ephemeral(channel: string, user: string, text: SlackText): Promise<void> {
    await this.client.chat.postEphemeral({ channel, user, text });
  }

  /** The bot's direct-message channel with a user. */
  async dmChannel(user: string): Promise<string> {
    const res = await this.client.conversations.open({ users: user });
    const id = res.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    return id;
  }

  async dm(user: string, text: SlackText): Promise<void> {
    await this.post(await this.dmChannel(user), { text });
  }

  /** Uploads files (at most 10 a call) with an optional comment, into a thread with `threadTs`. */
  async upload(channel: string, files: readonly OutFile[], comment?: SlackText, threadTs?: string): Promise<void> {
    for (let i = 0; i < files.length; i += 10) {
      await this.client.files.uploadV2({
        channel_id: channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...(comment && i === 0 ? { initial_comment: comment } : {}),
        file_uploads: files.slice(i, i + 10).map((f) => ({ content: f.content, filename: f.filename, title: f.title })),
      });
    }
  }

  async openModal(triggerId: string, view: Modal): Promise<void> {
    await this.client.views.open({ trigger_id: triggerId, view });
  }
}
