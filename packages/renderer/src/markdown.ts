import type { Checklist, MarkdownDoc } from '@ringmaster/core';

/** Markdown text for one line: no raw newlines, and characters that would start markup escaped. */
export function mdInline(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]<>|])/g, '\\$1');
}

export function renderMarkdown(doc: MarkdownDoc): string {
  const out: string[] = [`# ${doc.title}`, ''];
  if (doc.intro) out.push(doc.intro, '');
  for (const section of doc.sections) {
    out.push(`## ${section.heading}`, '');
    for (const p of section.paragraphs ?? []) out.push(p, '');
    if (section.steps?.length) out.push(...section.steps.map((s, i) => `${i + 1}. ${s}`), '');
    if (section.checklist?.length) out.push(...section.checklist.map((s) => `- [ ] ${s}`), '');
    if (section.bullets?.length) out.push(...section.bullets.map((s) => `- ${s}`), '');
    if (section.table) {
      out.push(`| ${section.table.header.join(' | ')} |`, `|${section.table.header.map(() => '---').join('|')}|`);
      for (const row of section.table.rows) out.push(`| ${row.join(' | ')} |`);
      out.push('');
    }
    if (section.code) out.push(`\`\`\`${section.code.lang}`, section.code.text.trimEnd(), '```', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** A checklist as Markdown: one `- [ ]` item per step, choices with their paths, KB citations. */
export function checklistToMarkdown(checklist: Checklist): MarkdownDoc {
  const items = checklist.steps.map((step) => {
    const role = step.role ? ` _(${step.role.replace(/_/g, ' ')})_` : '';
    const wait = step.kind === 'wait' && step.waitMinutes ? ` (bake ${step.waitMinutes} min)` : '';
    const when = step.conditional ? ' (only on the path chosen above)' : '';
    const detail = step.detail ? ` — ${step.detail}` : '';
    const options = step.options ? ` Options: ${step.options.map((o) => o.label).join(' / ')}.` : '';
    const cites = step.kb?.length ? ` [KBTRACE: ${step.kb.join(', ')}]` : '';
    return `**${step.title}**${role}${wait}${when}${detail}${options}${cites}`;
  });
  return {
    title: checklist.title,
    intro: `${checklist.summary} [KBTRACE: ${checklist.kb.join(', ')}]`,
    sections: [{ heading: 'Checklist', checklist: items }],
  };
}
