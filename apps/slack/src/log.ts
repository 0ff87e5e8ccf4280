import { pino, type DestinationStream, type Logger } from 'pino';

/** Field paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'email',
  '*.email',
  'tenant',
  '*.tenant',
  'tenants',
  '*.tenants',
  'password',
  '*.password',
  'databaseUrl',
  '*.databaseUrl',
];

const PATTERNS: [RegExp, string][] = [
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, '[TOKEN]'],
  [/\bxapp-[A-Za-z0-9-]+/g, '[TOKEN]'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, 'Bearer [TOKEN]'],
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}/g, '[API_KEY]'],
  [/\b(?:sk-|ghp_|gho_|ghs_|github_pat_|glpat-)[A-Za-z0-9_-]{10,}/g, '[API_KEY]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[API_KEY]'],
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[REDACTED]@'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[EMAIL]'],
  [/\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:internal|local|corp|lan|intra|intranet|private|home\.arpa)\b/gi, '[HOST]'],
  [/\b(?:10\.\d{1,3}|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.\d{1,3}\.\d{1,3}\b/g, '[HOST]'],
];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces tokens, API keys, e-mail addresses, internal host names and the given terms (tenant names) in a string. */
export function scrubText(text: string, terms: readonly string[] = []): string {
  let out = text;
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  for (const term of terms) if (term) out = out.replace(new RegExp(`\\b${escapeRe(term)}\\b`, 'gi'), '[TENANT]');
  return out;
}

/** Scrubs every string in a value, to a bounded depth. */
export function scrubValue(value: unknown, terms: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value, terms);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: scrubText(value.message, terms), stack: value.stack ? scrubText(value.stack, terms) : undefined };
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, terms, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, terms, depth + 1);
  return out;
}

export interface LogOptions {
  level?: string;
  /** Tenant names and other words to redact wherever they appear. */
  redactTerms?: readonly string[];
  destination?: DestinationStream;
}

/**
 * Structured JSON logs. Lines carry the spec's section 9 fields where they apply
 * (request_id, mode_selected, kb_traces_used, risk_tier); secrets, PII and
 * internal host names are removed by path and by value.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const terms = options.redactTerms ?? [];
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'ringmaster-slack' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (obj) => scrubValue(obj, terms) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a, terms) : a)) as Parameters<typeof method>);
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** Fields that hold what people wrote or what the bot posts: message bodies. */
const BODY_KEYS = new Set(['text', 'blocks', 'payload', 'initial_comment', 'content', 'view', 'file_uploads', 'attachments', 'message', 'messages', 'private_metadata', 'values']);
export const BODY_REDACTED = '[BODY]';

function redactBodyValue(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactBodyValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = BODY_KEYS.has(k) ? BODY_REDACTED : redactBodyValue(v, depth + 1);
  return out;
}

/**
 * Removes message bodies from a log text: the body fields of any JSON in it, and of
 * any URL-encoded form (`payload=...&text=...`).
 */
export function redactBodies(text: string): string {
  const start = text.search(/[{[]/);
  if (start !== -1) {
    try {
      return `${redactBodies(text.slice(0, start))}${JSON.stringify(redactBodyValue(JSON.parse(text.slice(start))))}`;
    } catch {
      // Not JSON after all: fall through to the form fields.
    }
  }
  return text.replace(/(^|[&?\s])([a-z_]+)=([^&\s]*)/gi, (all, lead: string, key: string) => (BODY_KEYS.has(key.toLowerCase()) ? `${lead}${key}=${BODY_REDACTED}` : all));
}

/**
 * Bolt's logger interface, backed by pino. Bolt and its Web API client log request and
 * response bodies at debug level; those bodies are replaced by `[BODY]` unless
 * `logBodies` (RINGMASTER_LOG_BODIES) is set.
 */
export function boltLogger(log: Logger, options: { logBodies?: boolean } = {}) {
  const child = log.child({ component: 'bolt' });
  let level = 'info';
  const text = (msg: unknown[]): string => {
    const line = msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(options.logBodies ? m : redactBodyValue(m)))).join(' ');
    return options.logBodies ? line : redactBodies(line);
  };
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: (l: string) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
