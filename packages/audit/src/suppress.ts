import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CST, Lexer, parse } from 'yaml';
import { AuditInputError } from './errors.js';
import { KNOWLEDGE_SCHEMA, type Knowledge } from './knowledge.js';
import type { SourceFile } from './model.js';
import type { Finding, Suppressed } from './types.js';

/** `# ringmaster-ignore: <rule>[,<rule>...] <reason>`. */
const IGNORE = /^#\s*ringmaster-ignore:\s*(\S+)(?:\s+(.*\S))?\s*$/;

export interface InlineSuppression {
  /** The comment's line; it covers findings on that line and the line below. */
  line: number;
  rules: string[];
  reason: string;
}

/** Reads suppression comments through the YAML lexer (comment tokens only, never the raw text). */
export function inlineSuppressions(file: SourceFile, notes: string[]): InlineSuppression[] {
  const out: InlineSuppression[] = [];
  let offset = 0;
  for (const token of new Lexer().lex(file.text)) {
    const type = CST.tokenType(token);
    if (type === 'comment') {
      const m = IGNORE.exec(token);
      if (m) {
        const line = file.locAt(offset).line;
        const reason = m[2]?.trim() ?? '';
        if (reason === '') notes.push(`${file.path}:${line}: ringmaster-ignore for ${m[1]} has no reason, so it suppresses nothing.`);
        else out.push({ line, rules: m[1]!.split(','), reason });
      }
    }
    // the lexer's control tokens (document start, scalar start, flow error end) take no source
    if (type === 'doc-mode' || type === 'scalar' || type === 'flow-error-end') continue;
    offset += token.length;
  }
  return out;
}

export interface AuditException {
  rule: string;
  /** A glob over the file's path relative to the audited folder. */
  path: string;
  owner: string;
  /** YYYY-MM-DD; on and after the day after, the exception stops suppressing. */
  expires: string;
  reason: string;
}

export interface AuditConfig {
  exceptions: AuditException[];
  /** Rows added to the built-in action, command and context tables. */
  knowledge?: Partial<Knowledge>;
}

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exceptions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'path', 'owner', 'expires', 'reason'],
        properties: {
          rule: { type: 'string', minLength: 1 },
          path: { type: 'string', minLength: 1 },
          owner: { type: 'string', minLength: 1 },
          expires: { type: 'string', format: 'date' },
          reason: { type: 'string', minLength: 1 },
        },
      },
    },
    knowledge: KNOWLEDGE_SCHEMA,
  },
} as const;

let validate: ReturnType<Ajv['compile']> | undefined;

export function parseConfig(text: string, source: string): AuditConfig {
  let value: unknown;
  try {
    value = parse(text) ?? {};
  } catch (error) {
    throw new AuditInputError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (!validate) {
    const ajv = new Ajv({ allErrors: true });
    const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
    addFormats(ajv);
    validate = ajv.compile(CONFIG_SCHEMA);
  }
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
    throw new AuditInputError(`${source}: not a valid audit config: ${problems}`);
  }
  return { exceptions: [], ...(value as Partial<AuditConfig>) } as AuditConfig;
}

export function loadConfig(path: string): AuditConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AuditInputError(`cannot read audit config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  return parseConfig(text, path);
}

/** `**` spans folders, `*` and `?` stay within one. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Applies inline suppressions and config exceptions. An exception past its expiry
 * date suppresses nothing and leaves a note.
 */
export function applySuppressions(
  findings: readonly Finding[],
  inline: ReadonlyMap<string, readonly InlineSuppression[]>,
  config: AuditConfig,
  today: string,
  notes: string[],
): { kept: Finding[]; suppressed: Suppressed[] } {
  const live = config.exceptions.filter((e) => {
    if (e.expires < today) {
      notes.push(`exception for ${e.rule} on ${e.path} (owner ${e.owner}) expired on ${e.expires}; its findings are reported again.`);
      return false;
    }
    return true;
  });
  const kept: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const f of findings) {
    const comment = (inline.get(f.file) ?? []).find((s) => (s.line === f.line || s.line === f.line - 1) && (s.rules.includes(f.rule) || s.rules.includes('*')));
    if (comment) {
      suppressed.push({ finding: f, by: 'inline', reason: comment.reason });
      continue;
    }
    const exception = live.find((e) => (e.rule === f.rule || e.rule === '*') && globToRegExp(e.path).test(f.file));
    if (exception) {
      suppressed.push({ finding: f, by: 'config', reason: exception.reason, owner: exception.owner, expires: exception.expires });
      continue;
    }
    kept.push(f);
  }
  return { kept, suppressed };
}
