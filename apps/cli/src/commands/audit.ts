import { existsSync, statSync } from 'node:fs';
import type { Confidence, FailOn } from '@ringmaster/audit';
import { Option, type Command } from 'commander';

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

/**
 * `ringmaster audit PATH [--format text|json|sarif|codequality] [--fail-on critical|high|medium|low|none] [--config FILE]`.
 * Exit 0 or 1 by --fail-on; bad input (missing path, not a folder, bad config) throws
 * AuditInputError (code audit_input) for the CLI's error handler to turn into exit 2.
 */
export async function runAudit(path: string, options: AuditCommandOptions, out: { write(text: string): unknown } = process.stdout): Promise<number> {
  // Loaded on use, so that other commands start without the audit rules and the workflow parser.
  const { auditPath, AuditInputError, exitCodeFor, formatCodeQuality, formatJson, formatSarif, formatText } = await import('@ringmaster/audit');
  if (!existsSync(path)) throw new AuditInputError(`path not found: ${path}`);
  if (!statSync(path).isDirectory()) throw new AuditInputError(`not a directory: ${path}`);
  const report = await auditPath(path, { ...(options.config ? { config: options.config } : {}), strict: options.strict === true });
  const color = options.format === 'text' && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const formatted = { json: () => formatJson(report), sarif: () => formatSarif(report), codequality: () => formatCodeQuality(report), text: () => formatText(report, { color }) };
  out.write(formatted[options.format]());
  return exitCodeFor(report, options.failOn, options.failConfidence ?? 'medium');
}

export function registerAudit(program: Command): Command {
  return program
    .command('audit')
    .description('audit the CI definitions in PATH (GitHub workflows and composite actions, .gitlab-ci.yml) and report the SLSA Build level of each release workflow')
    .argument('<path>', 'repository folder to audit')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['critical', 'high', 'medium', 'low', 'none']).default('high'))
    .addOption(new Option('--fail-confidence <confidence>', 'only findings at or above this confidence fail the run').choices(['high', 'medium', 'low']).default('medium'))
    .option('--strict', 'also run pedantic checks that are noise by default (first-party actions by tag, inputs.* in scripts, ...)')
    .option('--config <file>', 'exceptions file (default: PATH/.ringmaster/audit.yml)')
    .action(async (path: string, options: AuditCommandOptions) => {
      process.exitCode = await runAudit(path, options);
    });
}
