import { AS_OF_ENV, staleCitations, type PlanOutput } from '@ringmaster/core';
import { explainModes } from './explain.js';
import { auditBaselineMarkdown } from './report-audit.js';

/** Output sections in the order the spec lists them. */
const SECTIONS: readonly [string, string][] = [
  ['pipeline_blueprint', 'Pipeline blueprint'],
  ['quality_strategy', 'Quality strategy'],
  ['security_controls', 'Security controls'],
  ['rollout_strategy', 'Rollout strategy'],
  ['dr_plan', 'DR plan'],
  ['evidence_bundle_plan', 'Evidence bundle plan'],
  ['finops_controls', 'FinOps controls'],
  ['vuln_mgmt_policy', 'Vulnerability management policy'],
  ['observability_plan', 'Observability plan'],
  ['migration_plan', 'Migration plan'],
  ['incident_response', 'Incident response'],
];

/** Text for one Markdown table cell. */
function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`), ''];
}

function list(items: readonly string[], empty: string): string[] {
  return items.length > 0 ? [...items.map((i) => `- ${i.replace(/\r?\n/g, ' ')}`), ''] : [`_${empty}_`, ''];
}

function flatten(value: unknown, prefix: string, out: [string, unknown][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, value]);
}

function names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return String(o['name'] ?? o['id'] ?? o['stage'] ?? JSON.stringify(v));
    }
    return String(v);
  });
}

function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** A Mermaid `flowchart LR`: pipeline stages in order, then the gates, then the rollout rings. */
export function pipelineDiagram(output: PlanOutput): string {
  const pipeline = (output['pipeline_blueprint'] ?? {}) as Record<string, unknown>;
  const rollout = (output['rollout_strategy'] ?? {}) as Record<string, unknown>;
  const stages = names(pipeline['stages']);
  const gates = names(pipeline['gates']);
  const rings = names(rollout['rings']);
  const lines = ['flowchart LR'];
  const chain: string[] = [];
  if (stages.length > 0) {
    lines.push('  subgraph stages [Stages]');
    stages.forEach((s, i) => lines.push(`    S${i}[${label(s)}]`));
    lines.push('  end');
    chain.push(...stages.map((_, i) => `S${i}`));
  }
  if (gates.length > 0) {
    lines.push('  subgraph gates [Gates]');
    gates.forEach((g, i) => lines.push(`    G${i}{${label(g)}}`));
    lines.push('  end');
    chain.push(...gates.map((_, i) => `G${i}`));
  }
  if (rings.length > 0) {
    lines.push('  subgraph rings [Rings]');
    rings.forEach((r, i) => lines.push(`    R${i}([${label(r)}])`));
    lines.push('  end');
    chain.push(...rings.map((_, i) => `R${i}`));
  }
  if (chain.length === 0) lines.push(`  none[${label('no pipeline stages decided')}]`);
  for (let i = 1; i < chain.length; i++) lines.push(`  ${chain[i - 1]} --> ${chain[i]}`);
  return lines.join('\n');
}

/** The blueprint as a readable Markdown report (the CLI's `--format md`, and `report.md` of `plan --out`). */
export function renderReport(output: PlanOutput): string {
  const log = output.decision_log;
  const out: string[] = ['# Ringmaster delivery blueprint', ''];
  out.push(`Risk tier: **${log.risk_tier}**. Modes: ${log.modes.map((m) => `${m.id} (${m.score})`).join(', ') || 'none'}.`, '');
  const placeholders = output.placeholders ?? [];
  if (placeholders.length > 0) {
    out.push('## Placeholders to replace before committing', '', 'The profile did not name these; the files carry marked defaults. Set the field in the profile and plan again, or edit the files.', '');
    out.push(...table(['value', 'profile field', 'put there', 'files'], placeholders.map((p) => [p.value, p.field, p.replace_with, p.files.join(', ')])));
  }
  if (log.considered) out.push('## Modes considered', '', ...list(explainModes(output), 'none'));

  out.push('## Pipeline', '', '```mermaid', pipelineDiagram(output), '```', '');
  out.push(...auditBaselineMarkdown(output['audit_baseline']));

  for (const [key, title] of SECTIONS) {
    const section = output[key];
    if (section === undefined) continue;
    out.push(`## ${title}`, '', `\`${key}\``, '');
    const fields: [string, unknown][] = [];
    flatten(section, '', fields);
    out.push(...table(['field', 'value'], fields));
    const decisions = log.decisions.filter((d) => d.field === key || d.field.startsWith(`${key}.`));
    if (decisions.length > 0) {
      out.push('Decisions:', '');
      out.push(...table(['field', 'value', 'rule', 'reason', 'KB'], decisions.map((d) => [d.field.slice(key.length + 1) || d.field, d.value, `${d.rule}`, d.reason, d.kb.join(', ')])));
    }
  }

  const others = log.decisions.filter((d) => !SECTIONS.some(([key]) => d.field === key || d.field.startsWith(`${key}.`)));
  if (others.length > 0) {
    out.push('## Other decisions', '');
    out.push(...table(['field', 'value', 'rule', 'reason', 'KB'], others.map((d) => [d.field, d.value, d.rule, d.reason, d.kb.join(', ')])));
  }

  out.push('## Risks', '');
  const risks = output.risks ?? [];
  if (risks.length > 0) out.push(...table(['trigger', 'risk', 'blast radius', 'controls', 'detection', 'fallback', 'KB'], risks.map((r) => [r.trigger, r.risk, r.blast_radius, r.controls, r.detection, r.fallback, r.kb])));
  else out.push('_No risk from the matrix applies._', '');

  out.push('## Assumptions', '', ...list(log.assumptions, 'none'));
  out.push('## Needs clarification', '', ...list(log.needs_clarification, 'nothing'));
  out.push('## Warnings', '', ...list(log.warnings, 'none'));
  if (log.fallbacks.length > 0) out.push('## Fallbacks', '', ...list(log.fallbacks, 'none'));
  if (log.conflicts.length > 0) {
    out.push('## Conflicts', '');
    out.push(...table(['field', 'winner', 'resolution'], log.conflicts.map((c) => [c.field, c.winner, c.resolution])));
  }

  out.push('## Artifacts', '');
  if (output.artifacts_to_generate.length > 0) {
    out.push(...table(['name', 'path', 'type', 'format', 'mode', 'KB'], output.artifacts_to_generate.map((a) => [a.name, a.path, a.type, a.format, a.mode, a.kb.join(', ')])));
  } else out.push('_none_', '');
  const skipped = output.not_generated ?? [];
  if (skipped.length > 0) {
    out.push('## Not generated', '', 'These files would not fit this profile, so Ringmaster did not write another vendor\'s version of them.', '');
    out.push(...table(['name', 'mode', 'why'], skipped.map((n) => [n.artifact, n.mode, n.reason])));
  }

  out.push('## KB references', '', ...list(output.kb_references, 'none'));
  out.push(...oldKnowledge(output.kb_references));
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Notes the cited KB sections verified more than a year before the plan's reference date
 * (`RINGMASTER_AS_OF`, else the KB's latest review; never the clock, so reports are reproducible).
 */
function oldKnowledge(traces: readonly string[]): string[] {
  const { asOf, sections } = staleCitations(traces);
  if (sections.length === 0) return [];
  return [
    '## Advice resting on old knowledge',
    '',
    `These cited KB sections were last verified more than a year before ${asOf} (${AS_OF_ENV}, else the knowledge base's latest review); check them against their sources before relying on the decisions that cite them:`,
    '',
    ...list(sections.map((s) => `${s.trace}: verified ${s.verified}; sources: ${s.sources.join(', ')}`), 'none'),
  ];
}
