/**
 * The one boundary between text and Slack markup. Slack parses `<...>` in message
 * text and blocks as mentions (`<@U..>`, `<!channel>`, `<!subteam^..>`) and links
 * (`<url|label>`); `&`, `<` and `>` must be written as entities to show as text.
 *
 * `SlackText` is a branded string: the only ways to make one are `escapeText` (user
 * text, escaped), the `mrkdwn` template (the bot's own literal markup around values
 * that are already `SlackText`) and the helpers below that build mentions, links and
 * date tokens from validated ids. The posting functions (`slack-out.ts`) accept only
 * `SlackText`, so unescaped user text does not type-check there.
 */
declare const slackTextBrand: unique symbol;
export type SlackText = string & { readonly [slackTextBrand]: true };

/** Escapes the three characters Slack treats as markup: user text shows as typed and never pings or links. */
export function escapeText(text: string): SlackText {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') as SlackText;
}

/**
 * The bot's own markup: the literal parts of the template are trusted (they are in
 * this code base); every interpolated value must already be `SlackText` or a number.
 */
export function mrkdwn(strings: TemplateStringsArray, ...values: readonly (SlackText | number)[]): SlackText {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += String(v) + (strings[i + 1] ?? '');
  });
  return out as SlackText;
}

/** Joins escaped parts with a literal separator. */
export function joinText(parts: readonly SlackText[], separator: string): SlackText {
  return parts.join(separator) as SlackText;
}

/** Cuts to `max` characters (marking the cut) without leaving half an entity or half a `<...>` token. */
export function clipText(text: SlackText, max: number): SlackText {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf('<');
  if (open !== -1 && !cut.slice(open).includes('>')) cut = cut.slice(0, open);
  return `${cut}…` as SlackText;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CDG][A-Z0-9]{2,}$/;

/** `<@U...>` for a user id the app read from a signed payload or its own database; anything else is shown escaped. */
export function userMention(id: string): SlackText {
  return USER_ID.test(id) ? (`<@${id}>` as SlackText) : escapeText(id);
}

/** `<#C...>` for a channel id. */
export function channelMention(id: string): SlackText {
  return CHANNEL_ID.test(id) ? (`<#${id}>` as SlackText) : escapeText(id);
}

/** Inline code: backticks cannot be escaped in Slack, so they are dropped from the value. */
export function inlineCode(text: string): SlackText {
  return `\`${escapeText(text.replace(/`/g, "'"))}\`` as SlackText;
}

/** Bold: the value's own `*` would end it, so they become `∗`. */
export function bold(text: string): SlackText {
  return `*${escapeText(text.replace(/\*/g, '∗'))}*` as SlackText;
}

/** `2026-11-24 10:03:12 UTC` plus Slack's date token, which shows the reader's local time. */
export function when(iso: string): SlackText {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeText(iso);
  const normal = new Date(ms).toISOString();
  const utc = `${normal.slice(0, 19).replace('T', ' ')} UTC`;
  return `${utc} (<!date^${Math.floor(ms / 1000)}^{date_short} {time}|${utc}> your time)` as SlackText;
}

/** `<url|label>` for an https URL the app built (a commit or review link); anything else is the label alone, escaped. */
export function link(url: string, label: string): SlackText {
  return /^https:\/\/[^\s<>|]+$/.test(url) ? (`<${url}|${escapeText(label.replace(/[|>]/g, ' '))}>` as SlackText) : escapeText(label);
}
