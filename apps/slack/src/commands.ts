import { escapeText, inlineCode, joinText, mrkdwn, type SlackText } from './slack-text.js';

/** `/release` subcommands, parsed and validated before anything happens. */
export type ReleaseCommand =
  | { sub: 'incident'; service: string; severity: 'sev1' | 'sev2' | 'sev3'; summary?: string }
  | { sub: 'rollback'; service: string; version?: string }
  | { sub: 'drill'; scenario: string; tier: 'low' | 'medium' | 'high' }
  | { sub: 'promote'; service: string; version: string; rings?: string[] }
  | { sub: 'plan' }
  | { sub: 'status' }
  | { sub: 'export'; runId: string }
  | { sub: 'help' }
  | { sub: 'invalid'; message: SlackText };

export const USAGE: SlackText = joinText([
  '*Usage:* `/release <subcommand>`',
  '• `incident <service> [sev1|sev2|sev3] [summary]` — incident response checklist',
  '• `rollback <service> [version|digest]` — roll back to a previously promoted signed digest',
  '• `drill <scenario> [low|medium|high]` — DR drill with measured RTO against the tier target',
  '• `promote <service> <version> [ring1,ring2,...]` — release captain promotion, ring by ring',
  '• `plan` — paste a profile, get the blueprint and its artifacts',
  '• `status` — open checklists',
  '• `export <run-id>` — the run\'s evidence bundle',
  '• `help` — this message',
].map((line) => escapeText(line)), '\n');

const SERVICE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,199}$/;
const RUN_RE = /^rm-[0-9a-f]{8}$/;
const RING_RE = /^[A-Za-z0-9][A-Za-z0-9 ._%-]{0,40}$/;
const MAX_TEXT = 1000;

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

export function parseReleaseCommand(raw: string): ReleaseCommand {
  const text = decodeEntities(raw);
  if (text.length > MAX_TEXT) return invalid(escapeText(`That command is too long (${text.length} characters, at most ${MAX_TEXT}).`));
  const bad = unstorable(text);
  if (bad) return invalid(escapeText(`That command holds ${bad}, which cannot be stored; remove it and try again.`));
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [sub, ...args] = words;
  switch (sub?.toLowerCase()) {
    case undefined:
    case 'help':
      return { sub: 'help' };
    case 'incident': {
      const [service, maybeSev, ...rest] = args;
      if (!service || !SERVICE_RE.test(service)) return invalid(escapeText('`incident` needs a service name, e.g. `/release incident payments sev1 checkout errors`.'));
      const isSev = maybeSev !== undefined && /^sev[123]$/i.test(maybeSev);
      const severity = (isSev ? maybeSev.toLowerCase() : 'sev2') as 'sev1' | 'sev2' | 'sev3';
      const summary = (isSev ? rest : [maybeSev, ...rest].filter((w): w is string => w !== undefined)).join(' ').trim();
      return { sub: 'incident', service, severity, ...(summary ? { summary } : {}) };
    }
    case 'rollback': {
      const [service, version, ...extra] = args;
      if (!service || !SERVICE_RE.test(service) || extra.length) return invalid(escapeText('`rollback` takes a service and an optional version or digest, e.g. `/release rollback payments sha256:4f1c...`.'));
      if (version !== undefined && !VERSION_RE.test(version)) return invalid(mrkdwn`${inlineCode(version.slice(0, 40))} is not a version or digest.`);
      return { sub: 'rollback', service, ...(version ? { version } : {}) };
    }
    case 'drill': {
      const last = args[args.length - 1]?.toLowerCase();
      const hasTier = last === 'low' || last === 'medium' || last === 'high';
      const scenario = (hasTier ? args.slice(0, -1) : args).join(' ');
      if (!scenario || scenario.length > 120 || /[<>&`*]/.test(scenario)) return invalid(escapeText('`drill` needs a scenario, e.g. `/release drill region-failure high`.'));
      return { sub: 'drill', scenario, tier: hasTier ? (last as 'low' | 'medium' | 'high') : 'high' };
    }
    case 'promote': {
      const [service, version, rings, ...extra] = args;
      if (!service || !version || !SERVICE_RE.test(service) || !VERSION_RE.test(version) || extra.length) {
        return invalid(escapeText('`promote` needs a service and a version, e.g. `/release promote payments 1.42.0 internal,canary,ga`.'));
      }
      const list = rings?.split(',').map((r) => r.trim()).filter(Boolean);
      if (list && (list.length === 0 || list.length > 12 || !list.every((r) => RING_RE.test(r)))) return invalid(escapeText('Rings are a comma-separated list of up to 12 names.'));
      return { sub: 'promote', service, version, ...(list ? { rings: list } : {}) };
    }
    case 'plan':
      return { sub: 'plan' };
    case 'status':
      return { sub: 'status' };
    case 'export': {
      const [runId] = args;
      if (!runId || !RUN_RE.test(runId)) return invalid(escapeText('`export` needs a run id, e.g. `/release export rm-1a2b3c4d` (see `/release status`).'));
      return { sub: 'export', runId };
    }
    default:
      return invalid(mrkdwn`Unknown subcommand ${inlineCode((sub ?? '').slice(0, 30))}.`);
  }
}
