import { finding, type Finding } from './types.js';

const V = 'markdown-structure';
const HTML_TAGS = new Set(['br', 'details', 'summary', 'sub', 'sup', 'kbd', 'code', 'pre', 'b', 'i', 'em', 'strong', 'p', 'div', 'span', 'img', 'a', 'table', 'tr', 'td', 'th']);

const PLACEHOLDERS: readonly [RegExp, (m: RegExpExecArray) => string | undefined][] = [
  [/(?<!\\)<([A-Za-z][^<>\n]*)>/g, (m) => {
    const inner = m[1] ?? '';
    if (/^(https?|mailto):/i.test(inner)) return undefined; // an autolink
    if (HTML_TAGS.has(inner.split(/[\s/]/)[0]?.toLowerCase() ?? '')) return undefined;
    return `<${inner}>`;
  }],
  [/(?<!\$)\{\{[^}\n]*\}\}/g, (m) => m[0]],
  [/\b(TODO|XXX|FIXME|TBD)\b/g, (m) => m[0]],
];

/**
 * Markdown checklists and runbooks: a `#` title, headings, `- [ ]` items where a checklist is
 * expected, and no unresolved placeholder (`<...>`, `{{ }}`, TODO, XXX, FIXME, TBD).
 */
export function validateMarkdown(content: string, options: { checklist?: boolean } = {}): Finding[] {
  const out: Finding[] = [];
  const lines = content.split('\n');
  const firstText = lines.find((l) => l.trim() !== '');
  if (!firstText || !/^# \S/.test(firstText)) out.push(finding(V, 'a document starts with a `# Title` heading', 'line 1'));
  const items = lines.filter((l) => /^\s*- \[[ xX]\] \S/.test(l));
  if (options.checklist && items.length === 0) out.push(finding(V, 'a checklist needs `- [ ] item` lines'));
  let fence: string | undefined;
  for (const [i, line] of lines.entries()) {
    const open = /^\s*(```+|~~~+)\s*(\S*)/.exec(line);
    if (open) fence = fence === undefined ? (open[2] ?? '') : undefined;
    if (fence === 'mermaid') continue; // diagram syntax, e.g. {{hexagon}}, is not a placeholder
    if (/^\s*- \[\]/.test(line) || /^\s*-\[ \]/.test(line)) out.push(finding(V, 'malformed checklist item: write `- [ ] item`', `line ${i + 1}`));
    for (const [pattern, show] of PLACEHOLDERS) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(line); m; m = pattern.exec(line)) {
        const text = show(m);
        if (text) out.push(finding(V, `unresolved placeholder ${text}`, `line ${i + 1}`));
      }
    }
  }
  return out;
}
