import { PINNED_ACTIONS, type ArtifactBody, type ArtifactRenderer, type ArtifactSpec, type RenderedArtifact } from '@ringmaster/core';
import { Document, isScalar, Pair, Scalar, visit, YAMLMap, YAMLSeq, type Node, type Schema } from 'yaml';
import { checklistToMarkdown, renderMarkdown } from './markdown.js';
import { commentLines } from './comment.js';
import { emitPlainYaml } from './emit.js';
import { renderShell } from './shell.js';

const DOCUMENT_OPTIONS = { aliasDuplicateObjects: false } as const;
/**
 * `directives: false`: a Document built from a value has no `%YAML`/`%TAG` directive and no
 * `---` to print, but `toString` would otherwise walk every node looking for tags first.
 */
const YAML_OPTIONS = { lineWidth: 0, directives: false } as const;

type YamlBody = Extract<ArtifactBody, { format: 'yaml' }>;
type Pins = Readonly<Record<string, { sha: string; version: string }>>;

const SHA = /^[0-9a-f]{40}$/;

/** Resolves one `uses:` value to `[value, version comment]` (see ArtifactBody `pins`). */
export function resolveUses(uses: string, pins: Pins = {}): [string, string | undefined] {
  const known = (action: string): { sha: string; version: string } | undefined => pins[action] ?? (PINNED_ACTIONS as Pins)[action];
  const inline = /^(\S+)\s+#\s*(.+)$/.exec(uses.trim());
  if (inline) return [inline[1] as string, inline[2]?.trim()];
  if (uses.startsWith('./') || uses.startsWith('docker://')) return [uses, undefined];
  const [action = '', ref] = uses.split('@');
  const pin = known(action);
  if (ref && SHA.test(ref)) return [uses, pin && pin.sha === ref ? pin.version : undefined];
  if (!pin) return [uses, undefined];
  // No ref, or a tag the pin is a release of (`@v4` for v4.2.2): pin it.
  if (!ref || pin.version === ref || pin.version.startsWith(`${ref}.`)) return [`${action}@${pin.sha}`, pin.version];
  return [uses, undefined];
}

/** Not plain JSON-like data: the library's own `createNode` then builds the nodes. */
const NOT_PLAIN = Symbol('not plain');

/**
 * The nodes `new Document(value, { aliasDuplicateObjects: false })` builds for plain
 * JSON-like data (arrays, plain objects, strings, numbers, booleans, null), built
 * directly: the core schema gives every such value an untagged Scalar, YAMLSeq or
 * YAMLMap, which `createNode` finds by trying each tag in turn for every value. With
 * `pins`, a string `uses:` value of a mapping is pinned and carries its version comment,
 * as `pinDocument` would do on the built Document. Anything else (class instances,
 * `toJSON`, functions, undefined array items) gives NOT_PLAIN.
 */
function plainNode(value: unknown, schema: Schema, pins: Pins | false | undefined): Node | typeof NOT_PLAIN {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return new Scalar(value);
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return new Scalar(null);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const items = value as unknown[];
    const seq = new YAMLSeq(schema);
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i];
      if (item === undefined) return NOT_PLAIN;
      const node = plainNode(item, schema, pins);
      if (node === NOT_PLAIN) return NOT_PLAIN;
      seq.items.push(node);
    }
    return seq;
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  if (typeof record['toJSON'] === 'function') return NOT_PLAIN;
  const map = new YAMLMap<Scalar<string>, Node>(schema);
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item === undefined) continue;
    let node: Node | typeof NOT_PLAIN;
    if (pins !== false && key === 'uses' && typeof item === 'string') {
      const [uses, version] = resolveUses(item, pins);
      node = new Scalar(uses);
      if (version) node.comment = ` ${version}`;
    } else {
      node = plainNode(item, schema, pins);
      if (node === NOT_PLAIN) return NOT_PLAIN;
    }
    map.items.push(new Pair(new Scalar(key), node));
  }
  return map;
}

/** Resolves the `uses:` pins on a built Document: the general case of the pinning in plainNode. */
function pinDocument(doc: Document, pins: Pins | undefined): void {
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
      const [uses, version] = resolveUses(pair.value.value, pins);
      pair.value.value = uses;
      if (version) pair.value.comment = ` ${version}`;
    },
  });
}

/** The library's path for one document: plainNode + `toString`, or `new Document(value)` + `visit` for anything else. */
export function libraryYamlDocument(value: unknown, pins: Pins | false | undefined): string {
  if (value !== undefined) {
    const doc = new Document(undefined, DOCUMENT_OPTIONS);
    const node = plainNode(value, doc.schema, pins);
    if (node !== NOT_PLAIN) {
      doc.contents = node;
      return doc.toString(YAML_OPTIONS);
    }
  }
  const doc = new Document(value, DOCUMENT_OPTIONS);
  if (pins !== false) pinDocument(doc, pins);
  return doc.toString(YAML_OPTIONS);
}

function yamlDocument(value: unknown, body: YamlBody): string {
  const pins = body.schema === 'github-workflow' ? body.pins : false;
  // Plain data (nearly every document): our own emitter, byte for byte what the library prints.
  return emitPlainYaml(value, pins, resolveUses) ?? libraryYamlDocument(value, pins);
}

/** A YAML stream: the header as `#` comments, then each document (`---` before each when there are several). */
export function renderYaml(body: YamlBody): string {
  const head = body.header ? `${commentLines(body.header, '#').join('\n')}\n` : '';
  const docs = body.documents.map((d) => yamlDocument(d, body));
  return head + (docs.length === 1 ? (docs[0] as string) : docs.map((d) => `---\n${d}`).join(''));
}

function renderRego(pkg: string, rules: string): string {
  return `package ${pkg}\n\nimport rego.v1\n\n${rules.trim()}\n`;
}

/** `policy/residency.rego` -> `policy/residency_test.rego`. */
export function regoTestPath(path: string): string {
  return path.replace(/\.rego$/, '_test.rego');
}

function renderSql(summary: string, statements: readonly string[]): string {
  const head = commentLines(summary, '--').join('\n');
  return `${head}\n\n${statements.map((s) => `${s.trim().replace(/;$/, '')};`).join('\n\n')}\n`;
}

/** Renders artifact specs to file content; formats only, no knowledge of modes. */
export class FileRenderer implements ArtifactRenderer {
  render(spec: ArtifactSpec): RenderedArtifact {
    const body = spec.body;
    switch (body.format) {
      case 'yaml':
        return { content: renderYaml(body) };
      case 'json':
        return { content: `${JSON.stringify(body.value, null, 2)}\n` };
      case 'shell':
        return { content: renderShell(body.summary, body.vars, body.script) };
      case 'rego':
        return {
          content: renderRego(body.package, body.rules),
          companions: [{ path: regoTestPath(spec.path), content: renderRego(`${body.package}_test`, body.tests) }],
        };
      case 'sql':
        return { content: renderSql(body.summary, body.statements) };
      case 'markdown':
        return { content: renderMarkdown(body.doc) };
      case 'checklist':
        return { content: renderMarkdown(checklistToMarkdown(body.checklist)) };
    }
  }
}
