import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadRepo } from './load.js';
import type { Pipeline } from './model.js';
import { compileKnowledge, mergeKnowledge } from './knowledge.js';
import { runRule, type AuditRule } from './rule.js';
import { RULE_LIST } from './rules/index.js';
import { slsaLevel } from './slsa.js';
import { applySuppressions, inlineSuppressions, loadConfig, type AuditConfig, type InlineSuppression } from './suppress.js';
import { CONFIDENCES, SEVERITIES, type AuditReport, type Confidence, type Finding, type SlsaResult } from './types.js';

export interface AuditOptions {
  /** The exceptions file; defaults to `<path>/.ringmaster/audit.yml` when it exists. */
  config?: string;
  /** Today, YYYY-MM-DD, for exception expiry; defaults to the current UTC date. */
  today?: string;
  /** Rules to run; defaults to every registered rule. */
  rules?: readonly AuditRule[];
  /** Also run the pedantic checks that are noise by default. */
  strict?: boolean;
}

function byLocation(a: Finding, b: Finding): number {
  return a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

/** Audits the CI definitions under a folder. */
export async function auditPath(path: string, options: AuditOptions = {}): Promise<AuditReport> {
  const root = resolve(path);
  const { pipelines, parseErrors, notes: loadNotes } = await loadRepo(root);
  const defaultConfig = join(root, '.ringmaster', 'audit.yml');
  const config: AuditConfig = options.config ? loadConfig(resolve(options.config)) : existsSync(defaultConfig) ? loadConfig(defaultConfig) : { exceptions: [] };
  const notes: string[] = [...loadNotes];
  const rules = options.rules ?? RULE_LIST;
  const byPath = new Map<string, Pipeline>(pipelines.map((p) => [p.file.path, p]));
  const run = { knowledge: compileKnowledge(mergeKnowledge(config.knowledge)), strict: options.strict ?? false, others: byPath };

  const findings: Finding[] = [];
  const inline = new Map<string, InlineSuppression[]>();
  for (const p of pipelines) {
    for (const rule of rules) findings.push(...runRule(rule, p, run));
    for (const file of [p.file, ...p.includes]) if (!inline.has(file.path)) inline.set(file.path, inlineSuppressions(file, notes));
  }
  const unique = new Map<string, Finding>();
  for (const f of findings) unique.set(`${f.rule}|${f.file}|${f.line}|${f.column}`, f);

  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const { kept, suppressed } = applySuppressions([...unique.values()].sort(byLocation), inline, config, today, notes);

  const slsa: SlsaResult[] = pipelines.map((p) => slsaLevel(p, byPath)).filter((s): s is SlsaResult => !!s);
  return {
    root,
    files: [...new Set(pipelines.flatMap((p) => [p.file.path, ...p.includes.map((f) => f.path)]))],
    findings: kept,
    slsa,
    suppressed,
    parse_errors: parseErrors,
    notes,
  };
}

/**
 * 1 when any finding is at or above the severity threshold and at or above the confidence
 * threshold (default medium: low-confidence hints never fail a run), else 0; `none` never fails.
 */
export function exitCodeFor(report: Pick<AuditReport, 'findings'>, failOn: (typeof SEVERITIES)[number] | 'none', minConfidence: Confidence = 'medium'): 0 | 1 {
  if (failOn === 'none') return 0;
  const threshold = SEVERITIES.indexOf(failOn);
  const sure = CONFIDENCES.indexOf(minConfidence);
  return report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold && CONFIDENCES.indexOf(f.confidence) <= sure) ? 1 : 0;
}
