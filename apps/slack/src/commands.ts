import { APP_SUBCOMMANDS, builtinFlows, type FlowCommand, type FlowRegistry } from './flows/index.js';
import { escapeText, inlineCode, mrkdwn, type SlackText } from './slack-text.js';

/** The app's own `/release` subcommands. */
export type AppCommand = { sub: 'plan' } | { sub: 'status' } | { sub: 'export'; runId: string } | { sub: 'help' } | { sub: 'invalid'; message: SlackText };

/** `/release` subcommands, parsed and validated before anything happens: the app's own, or a flow's (its subcommand and arguments). */
export type ReleaseCommand = AppCommand | FlowCommand;

const RUN_RE = /^rm-[0-9a-f]{8}$/;
const MAX_TEXT = 1000;

const BUILTIN = builtinFlows();

/** Whether a parsed command is one of the app's own (otherwise it is a flow's and opens a run). */
export function isAppCommand(cmd: ReleaseCommand): cmd is AppCommand {
  return APP_SUBCOMMANDS.has(cmd.sub);
}

function invalid(message: SlackText): ReleaseCommand {
  return { sub: 'invalid', message };
}

/** Slack delivers a command's text with `&`, `<` and `>` as entities: back to what was typed (it is escaped again on the way out). */
function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Where text holds a character PostgreSQL cannot store (NUL) or that would not survive
 * UTF-8 unchanged (an unpaired surrogate), described for the user; undefined when clean.
 */
export function unstorable(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- finding NUL is the point
  const m = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (!m) return undefined;
  return `${m[0] === '\u0000' ? 'a NUL character' : 'an unpaired UTF-16 surrogate'} at position ${m.index + 1}`;
}

/** Parses `/release` text: the app's own subcommands here, a flow's arguments by its definition in `flows`. */
export function parseReleaseCommand(raw: string, flows: FlowRegistry = BUILTIN): ReleaseCommand {
  const text = decodeEntities(raw);
  if (text.length > MAX_TEXT) return invalid(escapeText(`That command is too long (${text.length} characters, at most ${MAX_TEXT}).`));
  const bad = unstorable(text);
  if (bad) return invalid(escapeText(`That command holds ${bad}, which cannot be stored; remove it and try again.`));
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [word, ...args] = words;
  const sub = word?.toLowerCase();
  switch (sub) {
    case undefined:
    case 'help':
      return { sub: 'help' };
    case 'plan':
      return { sub: 'plan' };
    case 'status':
      return { sub: 'status' };
    case 'export': {
      const [runId] = args;
      if (!runId || !RUN_RE.test(runId)) return invalid(escapeText('`export` needs a run id, e.g. `/release export rm-1a2b3c4d` (see `/release status`).'));
      return { sub: 'export', runId };
    }
  }
  const flow = flows.get(sub);
  if (!flow) return invalid(mrkdwn`Unknown subcommand ${inlineCode((word ?? '').slice(0, 30))}.`);
  const parsed = flow.parse(args);
  return parsed.ok ? { sub: flow.command, ...parsed.args } : invalid(parsed.message);
}
