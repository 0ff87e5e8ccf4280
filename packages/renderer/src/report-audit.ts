import { mdInline } from './markdown.js';

/** The shape of `audit_baseline` (written by `plan --audit`; see output.schema.json). */
interface AuditBaselineSection {
  path: string;
  files: number;
  findings_by_severity: Record<string, number>;
  already_right: string[];
  change_first: { rule: string; severity: string; file: string; line: number; message: string; fix: string }[];
  slsa: { workflow: string; level: number; blocking_requirement: string | null }[];
}

/** The report's "Starting point" section from `audit_baseline`, or nothing when the plan has none. */
export function auditBaselineMarkdown(value: unknown): string[] {
  if (value === undefined || value === null || typeof value !== 'object') return [];
  const baseline = value as AuditBaselineSection;
  const counts = Object.entries(baseline.findings_by_severity).map(([severity, n]) => `${n} ${severity}`).join(', ');
  const out = ['## Starting point: audit of the existing CI', '', `\`audit_baseline\`: ${baseline.files} file(s) in ${mdInline(baseline.path)}; findings: ${counts || 'none'}.`, ''];
  for (const s of baseline.slsa) out.push(`- SLSA Build L${s.level}: ${mdInline(s.workflow)}${s.blocking_requirement ? ` (next level needs: ${mdInline(s.blocking_requirement)})` : ''}`);
  if (baseline.slsa.length > 0) out.push('');
  if (baseline.change_first.length > 0) {
    out.push('Change first:', '');
    for (const f of baseline.change_first) out.push(`- **${f.severity}** ${mdInline(f.file)}:${f.line} (${mdInline(f.rule)}): ${mdInline(f.message)} Fix: ${mdInline(f.fix)}`);
    out.push('');
  }
  if (baseline.already_right.length > 0) out.push(`Already right: ${baseline.already_right.map(mdInline).join(', ')}.`, '');
  return out;
}
