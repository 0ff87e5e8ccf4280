import { LineCounter, parseAllDocuments } from 'yaml';
import { finding, type Finding } from './types.js';

export interface ParsedYaml {
  docs: unknown[];
  findings: Finding[];
}

/** Parses every document of a YAML stream; syntax errors, duplicate keys and warnings become findings. */
export function parseYamlStream(content: string, validator = 'yaml'): ParsedYaml {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(content, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const findings: Finding[] = [];
  const docs: unknown[] = [];
  const list = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) findings.push(finding(validator, 'not a YAML document stream'));
  for (const doc of list) {
    for (const error of doc.errors) {
      const pos = lineCounter.linePos(error.pos[0]);
      findings.push(finding(validator, `YAML ${error.code}: ${error.message.split('\n')[0]}`, `line ${pos.line}`));
    }
    for (const warning of doc.warnings) {
      const pos = lineCounter.linePos(warning.pos[0]);
      findings.push(finding(validator, `YAML ${warning.code}: ${warning.message.split('\n')[0]}`, `line ${pos.line}`, 'warning'));
    }
    if (doc.errors.length === 0) {
      const value = doc.toJS({ maxAliasCount: 100 });
      // A trailing `---` or a comment-only document yields null: not a document anyone wrote.
      if (value !== null && value !== undefined) docs.push(value);
    }
  }
  return { docs, findings };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
