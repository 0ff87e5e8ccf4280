import { CATEGORIES, SEVERITIES, type AuditReport, type Category, type Severity } from './types.js';

/** What `ringmaster plan --audit PATH` adds to a blueprint: where the pipeline stands today. */
export interface AuditBaseline {
  path: string;
  files: number;
  findings_by_severity: Record<Severity, number>;
  /** Categories with no finding: what the pipeline already does right. */
  already_right: Category[];
  /** The findings to fix first: most severe first, at most ten. */
  change_first: { rule: string; category: Category; severity: Severity; file: string; line: number; message: string; fix: string }[];
  slsa: { workflow: string; level: number; blocking_requirement: string | null }[];
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function auditBaseline(report: AuditReport, path: string): AuditBaseline {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const flawed = new Set(report.findings.map((f) => f.category));
  const ordered = [...report.findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.file.localeCompare(b.file) || a.line - b.line);
  return {
    path,
    files: report.files.length,
    findings_by_severity: bySeverity,
    already_right: CATEGORIES.filter((c) => !flawed.has(c)),
    change_first: ordered.slice(0, 10).map(({ rule, category, severity, file, line, message, fix }) => ({ rule, category, severity, file, line, message, fix })),
    slsa: report.slsa.map((s) => ({ workflow: s.workflow, level: s.level, blocking_requirement: s.blocking_requirement })),
  };
}
