import { PINNED_ACTIONS, type ArtifactBody, type ArtifactRenderer, type ArtifactSpec, type RenderedArtifact } from '@ringmaster/core';
import { Document, isScalar, visit } from 'yaml';
import { checklistToMarkdown, renderMarkdown } from './markdown.js';
import { commentLines } from './comment.js';
import { renderShell } from './shell.js';

const YAML_OPTIONS = { lineWidth: 0 } as const;

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

function yamlDocument(value: unknown, body: YamlBody): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  if (body.schema === 'github-workflow') {
    visit(doc, {
      Pair(_, pair) {
        if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
        const [uses, version] = resolveUses(pair.value.value, body.pins);
        pair.value.value = uses;
        if (version) pair.value.comment = ` ${version}`;
      },
    });
  }
  return doc.toString(YAML_OPTIONS);
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
