import { createHash } from 'node:crypto';
import { RULE_LIST } from './rules/index.js';
import type { AuditRule } from './rule.js';
import type { AuditReport, Finding, Severity } from './types.js';

/** Where the rule docs are published; SARIF helpUri points at `<base>/<rule>.md`. */
/**
 * Where the rule docs are published, for SARIF helpUri links: set RINGMASTER_AUDIT_DOCS_URL to
 * your copy of packages/audit/docs/rules. Without it SARIF carries the help text only.
 */
export const RULE_DOCS_BASE: string | undefined = process.env['RINGMASTER_AUDIT_DOCS_URL']?.replace(/\/+$/, '') || undefined;
export const TOOL_VERSION = '0.1.0';

export interface TextOptions {
  /** ANSI colours; the CLI turns them on when stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
}

const COLOURS: Record<Severity | 'dim' | 'bold', string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m' };

/** The terminal report: findings grouped by file, then the SLSA levels, then notes. */
export function formatText(report: AuditReport, options: TextOptions = {}): string {
  const paint = (style: keyof typeof COLOURS, text: string): string => (options.color ? `${COLOURS[style]}${text}\x1b[0m` : text);
  const out: string[] = [];
  const files = [...new Set(report.findings.map((f) => f.file))];
  for (const file of files) {
    out.push(paint('bold', file));
    for (const f of report.findings.filter((x) => x.file === file)) {
      const confidence = f.confidence === 'high' ? '' : `, ${f.confidence} confidence`;
      out.push(`  ${`${f.line}:${f.column}`.padEnd(8)} ${paint(f.severity, f.severity.padEnd(8))} ${f.message} ${paint('dim', `[${f.rule}${confidence}]`)}`);
      out.push(`  ${''.padEnd(8)} ${''.padEnd(8)} ${paint('dim', `fix: ${f.fix}`)}`);
      out.push(`  ${''.padEnd(8)} ${''.padEnd(8)} ${paint('dim', `kb: ${f.kb.join(', ')} · risk: ${f.risk}`)}`);
    }
    out.push('');
  }
  for (const e of report.parse_errors) out.push(`${e.file}:${e.line}:${e.column} ${paint('high', 'parse error')} ${e.message}`);
  if (report.parse_errors.length > 0) out.push('');
  if (report.slsa.length > 0) {
    out.push(paint('bold', 'SLSA v1.0 Build level'));
    for (const s of report.slsa) out.push(`  ${s.workflow}: L${s.level}${s.blocking_requirement ? ` (next: ${s.blocking_requirement})` : ' (highest level)'}`);
    out.push('');
  }
  for (const n of report.notes) out.push(`note: ${n}`);
  const counts = (['critical', 'high', 'medium', 'low'] as const).map((s) => `${report.findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  out.push(`${report.findings.length} finding(s) in ${report.files.length} file(s): ${counts}${report.suppressed.length > 0 ? `; ${report.suppressed.length} suppressed` : ''}.`);
  return `${out.join('\n')}\n`;
}

export interface JsonReport {
  findings: Finding[];
  slsa: AuditReport['slsa'];
  parse_errors: AuditReport['parse_errors'];
  suppressed: AuditReport['suppressed'];
  notes: string[];
}

export function toJson(report: AuditReport): JsonReport {
  return { findings: report.findings, slsa: report.slsa, parse_errors: report.parse_errors, suppressed: report.suppressed, notes: report.notes };
}

export function formatJson(report: AuditReport): string {
  return `${JSON.stringify(toJson(report), null, 2)}\n`;
}

/** GitHub code scanning reads `security-severity` (0.0-10.0) to rank alerts. */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

export interface SarifOptions {
  rules?: readonly AuditRule[];
  docsBase?: string;
}

/** A SARIF 2.1.0 log: one run, every rule in tool.driver.rules, one result per finding. */
export function toSarif(report: AuditReport, options: SarifOptions = {}): Record<string, unknown> {
  const rules = options.rules ?? RULE_LIST;
  const base = options.docsBase ?? RULE_DOCS_BASE;
  const index = new Map(rules.map((r, i) => [r.meta.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ringmaster-audit',
            version: TOOL_VERSION,
            ...(base ? { informationUri: `${base}/README.md` } : {}),
            rules: rules.map((r) => ({
              id: r.meta.id,
              name: r.meta.id.replace(/(?:^|-)([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
              shortDescription: { text: r.meta.description },
              fullDescription: { text: r.meta.description },
              help: { text: `${r.meta.fix} (KB: ${r.meta.kb.join(', ')}; risk: ${r.meta.risk})` },
              ...(base ? { helpUri: `${base}/${r.meta.id}.md` } : {}),
              defaultConfiguration: { level: SARIF_LEVEL[r.meta.severity] },
              properties: { precision: r.meta.confidence ?? 'high', 'security-severity': SECURITY_SEVERITY[r.meta.severity], tags: ['security', 'supply-chain', r.meta.category], category: r.meta.category, kb: [...r.meta.kb], risk: r.meta.risk },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              ...report.parse_errors.map((e) => ({
                level: 'error' as const,
                message: { text: e.message },
                locations: [{ physicalLocation: { artifactLocation: { uri: e.file, uriBaseId: '%SRCROOT%' }, region: { startLine: e.line, startColumn: e.column } } }],
              })),
              ...report.notes.map((n) => ({ level: 'note' as const, message: { text: n } })),
            ],
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///' + report.root.replace(/^\/+/, '').replace(/\\/g, '/') + '/' } },
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule)! } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.file, uriBaseId: '%SRCROOT%' }, region: { startLine: f.line, startColumn: f.column } } }],
          partialFingerprints: { 'ringmaster/v1': `${f.rule}:${f.file}:${f.message}` },
          properties: { category: f.category, severity: f.severity, confidence: f.confidence, fix: f.fix, kb: f.kb, risk: f.risk },
        })),
      },
    ],
  };
}

export function formatSarif(report: AuditReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`;
}

/** GitLab Code Quality severities: blocker, critical, major, minor, info. */
const CODE_QUALITY_SEVERITY: Record<Severity, 'blocker' | 'critical' | 'major' | 'minor'> = { critical: 'blocker', high: 'critical', medium: 'major', low: 'minor' };

export interface CodeQualityIssue {
  type: 'issue';
  check_name: string;
  description: string;
  content: { body: string };
  categories: string[];
  severity: 'blocker' | 'critical' | 'major' | 'minor' | 'info';
  fingerprint: string;
  location: { path: string; lines: { begin: number }; positions: { begin: { line: number; column: number } } };
}

/**
 * The GitLab Code Quality report (a JSON array, one issue per finding), which merge request
 * widgets and the pipeline's Code Quality tab read from artifacts: reports: codequality.
 * The fingerprint stays the same when lines move (rule, file, message, and the ordinal of
 * identical findings), so GitLab tracks an issue across commits.
 */
export function toCodeQuality(report: AuditReport): CodeQualityIssue[] {
  const seen = new Map<string, number>();
  return report.findings.map((f) => {
    const key = `${f.rule}\u0000${f.file}\u0000${f.message}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return {
      type: 'issue',
      check_name: f.rule,
      description: `${f.message} [${f.rule}]`,
      content: { body: `${f.fix}\n\nCategory: ${f.category}; severity: ${f.severity}; confidence: ${f.confidence}; KB: ${f.kb.join(', ')}; risk: ${f.risk}.` },
      categories: ['Security'],
      severity: f.confidence === 'low' ? 'info' : CODE_QUALITY_SEVERITY[f.severity],
      fingerprint: createHash('sha256').update(`${key}\u0000${n}`).digest('hex'),
      location: { path: f.file, lines: { begin: f.line }, positions: { begin: { line: f.line, column: f.column } } },
    };
  });
}

export function formatCodeQuality(report: AuditReport): string {
  return `${JSON.stringify(toCodeQuality(report), null, 2)}\n`;
}
