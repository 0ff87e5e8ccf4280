import type { ArtifactRenderer, ArtifactSpec, RenderedArtifact } from '@ringmaster/core';
import { stringify } from 'yaml';
import { checklistToMarkdown, renderMarkdown } from './markdown.js';
import { renderShell } from './shell.js';

const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

function renderYaml(documents: readonly unknown[], header?: string): string {
  const head = header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n` : '';
  return head + documents.map((d) => stringify(d, YAML_OPTIONS)).join('---\n');
}

function renderRego(pkg: string, rules: string): string {
  return `package ${pkg}\n\nimport rego.v1\n\n${rules.trim()}\n`;
}

/** `policy/residency.rego` -> `policy/residency_test.rego`. */
export function regoTestPath(path: string): string {
  return path.replace(/\.rego$/, '_test.rego');
}

/** Renders artifact specs to file content; formats only, no knowledge of modes. */
export class FileRenderer implements ArtifactRenderer {
  render(spec: ArtifactSpec): RenderedArtifact {
    const body = spec.body;
    switch (body.format) {
      case 'yaml':
        return { content: renderYaml(body.documents, body.header) };
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
        return { content: `-- ${body.summary.split('\n').join('\n-- ')}\n${body.statements.map((s) => `${s.trim().replace(/;$/, '')};`).join('\n\n')}\n` };
      case 'markdown':
        return { content: renderMarkdown(body.doc) };
      case 'checklist':
        return { content: renderMarkdown(checklistToMarkdown(body.checklist)) };
    }
  }
}
