import { Document } from 'yaml';

/**
 * A YAML emitter for plain JSON-like data (arrays, plain objects, strings, finite and
 * non-finite numbers, bigints, booleans, null) that prints exactly what
 * `new Document(value, { aliasDuplicateObjects: false }).toString({ lineWidth: 0, directives: false })`
 * of `yaml` 2.x prints with the core schema and default options: block maps and sequences
 * (2-space indent, sequences indented under their key), `[]` / `{}` for empty
 * collections, and the library's choice between plain, single-quoted, double-quoted and
 * literal block (`|`, `|-`, `|+`, `|2-`...) scalars, ported from its `stringifyString`
 * (with `lineWidth: 0` nothing is folded, and block scalars are always literal).
 *
 * It returns undefined for anything it does not handle, and the caller then goes through
 * the library: a root scalar, a key longer than 1,024 characters once printed (the
 * library switches to an explicit `? key`), a pinned `uses:` value spanning lines, a
 * version comment with a line break, and anything that is not plain data.
 * `test/emit.test.ts` checks it against the library on random documents.
 */

type Pins = Readonly<Record<string, { sha: string; version: string }>>;
/** Resolves a `uses:` value to `[value, version comment]` (render.ts `resolveUses`). */
export type UsesResolver = (uses: string, pins: Pins | undefined) => [string, string | undefined];

interface TagLike {
  default?: unknown;
  tag: string;
  test?: RegExp;
}

let typeTests: readonly RegExp[] | undefined;

/** The tests `plainString` tries on a would-be plain string: every default non-string tag of the schema. */
function stringTypeTests(): readonly RegExp[] {
  if (!typeTests) {
    const schema = new Document(undefined, { aliasDuplicateObjects: false }).schema as unknown as { tags: TagLike[]; compat?: TagLike[] | null };
    typeTests = [...schema.tags, ...(schema.compat ?? [])]
      .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test)
      .map((t) => t.test as RegExp);
  }
  return typeTests;
}

// The library's own patterns (stringifyString.js), unchanged.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u; // eslint-disable-line no-control-regex
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const SPACE_AROUND_NEWLINE = /[ \t]\n|\n[ \t]/;
const TRAILING_SPACE_LINE = /\n[\t ]+$/;
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const DOUBLE_QUOTED_MIN_MULTILINE = 40;

/** `doubleQuotedString` with `lineWidth: 0` (no folding) and a non-empty indent. */
function doubleQuoted(value: string, implicitKey: boolean, indent: string): string {
  const json = JSON.stringify(value);
  let str = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      str += `${json.slice(start, i)}\\ `;
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch === '\\')
      switch (json[i + 1]) {
        case 'u': {
          str += json.slice(start, i);
          const code = json.substr(i + 2, 4);
          switch (code) {
            case '0000':
              str += '\\0';
              break;
            case '0007':
              str += '\\a';
              break;
            case '000b':
              str += '\\v';
              break;
            case '001b':
              str += '\\e';
              break;
            case '0085':
              str += '\\N';
              break;
            case '00a0':
              str += '\\_';
              break;
            case '2028':
              str += '\\L';
              break;
            case '2029':
              str += '\\P';
              break;
            default:
              str += code.substr(0, 2) === '00' ? `\\x${code.substr(2)}` : json.substr(i, 6);
          }
          i += 5;
          start = i + 1;
          break;
        }
        case 'n':
          if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTILINE) {
            i += 1;
          } else {
            str += `${json.slice(start, i)}\n\n`;
            while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
              str += '\n';
              i += 2;
            }
            str += indent;
            if (json[i + 2] === ' ') str += '\\';
            i += 1;
            start = i + 1;
          }
          break;
        default:
          i += 1;
      }
  }
  return start ? str + json.slice(start) : json;
}

function singleQuoted(value: string, implicitKey: boolean, indent: string): string {
  if ((implicitKey && value.includes('\n')) || SPACE_AROUND_NEWLINE.test(value)) return doubleQuoted(value, implicitKey, indent);
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
}

function quoted(value: string, implicitKey: boolean, indent: string): string {
  const hasDouble = value.includes('"');
  return hasDouble && !value.includes("'") ? singleQuoted(value, implicitKey, indent) : doubleQuoted(value, implicitKey, indent);
}

/** `blockString` for a non-key value with a line break, no comment, `lineWidth: 0` (always literal). */
function literalBlock(value: string, indent: string): string {
  if (TRAILING_SPACE_LINE.test(value)) return quoted(value, false, indent);
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  const chomp = endNlPos === -1 ? '-' : value === end || endNlPos !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

/** `stringifyString` for an untagged string Scalar inside a block collection (indent is never empty). */
function stringScalar(value: string, implicitKey: boolean, indent: string): string {
  if (CONTROL.test(value)) return doubleQuoted(value, implicitKey, indent);
  const multiline = value.includes('\n');
  if (implicitKey && multiline) return quoted(value, implicitKey, indent);
  if (NOT_PLAIN.test(value)) return implicitKey || !multiline ? quoted(value, implicitKey, indent) : literalBlock(value, indent);
  if (multiline) return literalBlock(value, indent);
  if (implicitKey && indent === '  ' && DOCUMENT_MARKER.test(value)) return quoted(value, implicitKey, indent);
  for (const test of stringTypeTests()) if (test.test(value)) return quoted(value, implicitKey, indent);
  return value;
}

/** `stringifyNumber` with no format. */
function numberScalar(value: number): string {
  if (!isFinite(value)) return isNaN(value) ? '.nan' : value < 0 ? '-.inf' : '.inf';
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

/** A scalar's text, undefined when the value is not a plain scalar. */
function scalar(value: unknown, indent: string): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringScalar(value, false, indent);
    case 'number':
      return numberScalar(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

interface Emit {
  pins: Pins | false | undefined;
  resolveUses: UsesResolver;
}

/** An array or a plain object without `toJSON`: what render.ts's `plainNode` builds a collection from. */
function collectionKind(value: unknown): 'seq' | 'map' | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) return 'seq';
  if (proto !== Object.prototype && proto !== null) return undefined;
  return typeof (value as Record<string, unknown>)['toJSON'] === 'function' ? undefined : 'map';
}

/**
 * A node at `indent` (the library's `ctx.indent`): a collection's first line carries no
 * indent (its parent puts it after `- ` or on a new indented line).
 */
function node(value: unknown, indent: string, e: Emit): string | undefined {
  const kind = collectionKind(value);
  if (kind === undefined) return scalar(value, indent);
  return kind === 'seq' ? seq(value as unknown[], indent, e) : map(value as Record<string, unknown>, indent, e);
}

function seq(items: unknown[], indent: string, e: Emit): string | undefined {
  if (items.length === 0) return '[]';
  const itemIndent = `${indent}  `;
  let out = '';
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (item === undefined) return undefined;
    const str = node(item, itemIndent, e);
    if (str === undefined) return undefined;
    out += i === 0 ? `- ${str}` : `\n${indent}- ${str}`;
  }
  return out;
}

function map(record: Record<string, unknown>, indent: string, e: Emit): string | undefined {
  const inner = `${indent}  `;
  let out = '';
  let first = true;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) continue;
    const keyStr = stringScalar(key, true, inner);
    if (keyStr.length > 1024) return undefined;
    let line: string;
    if (e.pins !== false && key === 'uses' && typeof value === 'string') {
      const [uses, version] = e.resolveUses(value, e.pins);
      if (version && (uses.includes('\n') || LINE_BREAK.test(version))) return undefined;
      line = `${keyStr}: ${stringScalar(uses, false, inner)}`;
      if (version) {
        const comment = ` ${version}`.replace(/^(?!$)(?: $)?/gm, '#');
        line += (line.endsWith(' ') ? '' : ' ') + comment;
      }
    } else {
      const kind = collectionKind(value);
      if (kind === undefined) {
        const str = scalar(value, inner);
        if (str === undefined) return undefined;
        line = `${keyStr}: ${str}`;
      } else {
        const str = kind === 'seq' ? seq(value as unknown[], inner, e) : map(value as Record<string, unknown>, inner, e);
        if (str === undefined) return undefined;
        const empty = kind === 'seq' ? (value as unknown[]).length === 0 : str === '{}';
        line = empty ? `${keyStr}: ${str}` : `${keyStr}:\n${inner}${str}`;
      }
    }
    out += first ? line : `\n${indent}${line}`;
    first = false;
  }
  return first ? '{}' : out;
}

/**
 * The YAML document of a plain value (a map or a sequence at the root), or undefined
 * when the library has to print it. With `pins` other than false, a string `uses:` value
 * of a mapping is resolved with `resolveUses` and carries its version as a line comment.
 */
export function emitPlainYaml(value: unknown, pins: Pins | false | undefined, resolveUses: UsesResolver): string | undefined {
  if (collectionKind(value) === undefined) return undefined;
  const body = node(value, '', { pins, resolveUses });
  return body === undefined ? undefined : `${body}\n`;
}
