import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditReport, Confidence, FailOn } from '@ringmaster/audit';
import { Option, type Command } from 'commander';
import { helpText } from './help.js';
import { isWithin, repositoryRoot } from '../paths.js';

const FORMATS = ['text', 'json', 'sarif', 'codequality'] as const;
type Format = (typeof FORMATS)[number];

export interface AuditCommandOptions {
  format: Format;
  failOn: FailOn;
  /** Findings below this confidence never fail the run. */
  failConfidence?: Confidence;
  strict?: boolean;
  config?: string;
}

const LOCAL_REUSABLE = /^\s*(?:-\s+)?uses:\s*['"]?(\.\/[^'"\s#]+\.ya?ml)/gm;

/** A note for each local reusable workflow a file calls that is not in the repository: its level cannot count it. */
function unresolvedCalls(root: string, files: readonly string[]): string[] {
  const notes: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(LOCAL_REUSABLE)) {
      const called = match[1] as string;
      if (!existsSync(join(root, called))) notes.push(`${file} calls ${called}, which is not in ${root}: that reusable workflow could not be resolved, so the SLSA level does not count what it does`);
    }
  }
  return notes;
}

/** The part of a repository's report about the given paths (files or folders inside it). */
function restrictTo(report: AuditReport, paths: readonly string[]): AuditReport {
  const within = (file: string) => paths.some((path) => isWithin(report.root, file, path));
  return {
    ...report,
    files: report.files.filter(within),
    findings: report.findings.filter((f) => within(f.file)),
    slsa: report.slsa.filter((s) => within(s.workflow)),
    suppressed: report.suppressed.filter((s) => within(s.finding.file)),
    parse_errors: report.parse_errors.filter((e) => within(e.file)),
  };
}

/**
 * `ringmaster audit PATH... [--format text|json|sarif|codequality] [--fail-on ...] [--fail-confidence ...] [--strict] [--config FILE]`.
 * Each PATH is a file or a folder; the audit runs from the repository holding it, so the
 * SLSA level of a workflow does not depend on where the audit starts, and reports only what
 * lies under the paths. A missing path, or a path with no CI definition, is an input error
 * (exit 2), never a silent pass. Exit 0 or 1 by --fail-on and --fail-confidence.
 */
export async function runAudit(given: string | readonly string[], options: AuditCommandOptions, out: { write(text: string): unknown } = process.stdout): Promise<number> {
  // Loaded on use, so that other commands start without the audit rules and the workflow parser.
  const { auditPath, AuditInputError, exitCodeFor, formatCodeQuality, formatJson, formatSarif, formatText } = await import('@ringmaster/audit');
  const paths = typeof given === 'string' ? [given] : given;
  for (const path of paths) if (!existsSync(path)) throw new AuditInputError(`${path}: not found (no such file or directory)`);
  const absolute = paths.map((path) => resolve(path));
  const roots = [...new Set(absolute.map(repositoryRoot))];
  if (roots.length > 1) throw new AuditInputError(`${paths.join(', ')}: these paths are in ${roots.length} different repositories; audit one repository at a time`);
  const root = roots[0] as string;
  const report = restrictTo(await auditPath(root, { ...(options.config ? { config: options.config } : {}), strict: options.strict === true }), absolute);
  report.notes = [...report.notes, ...unresolvedCalls(root, report.files)];
  for (const [i, path] of absolute.entries()) {
    if (!report.files.some((file) => isWithin(root, file, path)) && !report.parse_errors.some((e) => isWithin(root, e.file, path))) {
      throw new AuditInputError(`${paths[i]}: CI definition not found (expected a GitHub workflow in .github/workflows, an action.yml or a .gitlab-ci.yml, or a folder holding one)`);
    }
  }
  const color = options.format === 'text' && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const formatted = { json: () => formatJson(report), sarif: () => formatSarif(report), codequality: () => formatCodeQuality(report), text: () => formatText(report, { color }) };
  out.write(formatted[options.format]());
  return exitCodeFor(report, options.failOn, options.failConfidence ?? 'medium');
}

export function registerAudit(program: Command): Command {
  return program
    .command('audit')
    .description('audit CI definitions (GitHub workflows and composite actions, .gitlab-ci.yml): findings and the SLSA Build level of each release workflow')
    .argument('<path...>', 'workflow files or folders, in one repository (reusable workflows resolve from its root)')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['critical', 'high', 'medium', 'low', 'none']).default('high'))
    .addOption(new Option('--fail-confidence <confidence>', 'only findings at or above this confidence fail the run').choices(['high', 'medium', 'low']).default('medium'))
    .option('--strict', 'also run pedantic checks that are noise by default (first-party actions by tag, inputs.* in scripts, ...)')
    .option('--config <file>', 'exceptions file (default: <repository>/.ringmaster/audit.yml)')
    .addHelpText('after', helpText(['ringmaster audit .', 'ringmaster audit .github/workflows/release.yml --format sarif > audit.sarif'], '1 when a finding reaches --fail-on'))
    .action(async (paths: string[], options: AuditCommandOptions) => {
      process.exitCode = await runAudit(paths, options);
    });
}
