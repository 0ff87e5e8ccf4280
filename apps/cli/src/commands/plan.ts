import type { Command } from 'commander';
import { stringify } from 'yaml';
import { existsSync, statSync } from 'node:fs';
import { assertValidOutput, validateProfile, type PlanOutput } from '@ringmaster/core';
import { readProfile } from '../io.js';
import { helpText } from './help.js';
import { formatOption } from './options.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Plan a delivery blueprint from a profile (JSON file, or - for stdin)')
    .argument('[file]', 'profile JSON file, or - for stdin (read from stdin when piped)')
    .addOption(formatOption(['json', 'yaml', 'md'], 'json'))
    .option('-o, --out <dir>', 'also write every artifact, blueprint.json, manifest.json and report.md under this folder')
    .option('--force', 'with --out: also remove files an earlier plan wrote there and that were changed since (stale files left unchanged are always removed)')
    .option('--audit <path>', 'start from an existing repository: audit its CI definitions and add what to change first (audit_baseline)')
    .option('--explain', 'also print on stderr which modes were considered and why each was or was not engaged')
    .addHelpText('after', helpText(['ringmaster plan profile.json', 'ringmaster plan profile.json --format md --out out/', 'cat profile.json | ringmaster plan -']))
    .action(async (file: string | undefined, options: { format: string; out?: string; audit?: string; force?: boolean; explain?: boolean }, command: Command) => {
      if (file === undefined && process.stdin.isTTY === true) {
        // nothing piped in: waiting on the terminal would look like a hang
        process.stderr.write(command.helpInformation());
        process.exitCode = 2;
        return;
      }
      const { createEngine } = await import('@ringmaster/modes');
      const result = createEngine().plan(readProfile(file ?? '-'));
      for (const warning of result.output.decision_log.warnings) process.stderr.write(`ringmaster: warning: ${warning}\n`);
      if (options.audit) result.output = await withAuditBaseline(result.output, options.audit);
      const placeholders = result.output.placeholders ?? [];
      if (placeholders.length > 0) process.stderr.write(`ringmaster: warning: the files still contain ${placeholders.length} placeholder value(s) (${placeholders.map((p) => p.value).join(', ')}); see "placeholders" or the top of report.md\n`);
      if (options.explain) {
        const { explainModes } = await import('@ringmaster/renderer');
        process.stderr.write(`Modes considered:\n${explainModes(result.output).map((line) => `- ${line}\n`).join('')}`);
      }
      if (options.out) {
        const { writePlan } = await import('@ringmaster/renderer');
        const manifest = await writePlan(result, options.out, { force: options.force === true });
        // with --out the files are the result; the document goes to stdout only when a format is asked for
        if (command.getOptionValueSource('format') === 'default') {
          process.stdout.write(`wrote ${manifest.files.length} files to ${options.out}: blueprint.json, report.md and the artifacts, listed in manifest.json\n`);
          return;
        }
      }
      if (options.format === 'yaml') process.stdout.write(stringify(result.output, { lineWidth: 0 }));
      else if (options.format === 'md') {
        const { renderReport } = await import('@ringmaster/renderer');
        process.stdout.write(renderReport(result.output));
      } else process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
    });
}

/** Adds `audit_baseline` (schema order: before decision_log) and checks the document again. */
async function withAuditBaseline(output: PlanOutput, path: string): Promise<PlanOutput> {
  const { auditBaseline, auditPath, AuditInputError } = await import('@ringmaster/audit');
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new AuditInputError(`--audit ${path}: expected a repository folder`);
  const baseline = auditBaseline(await auditPath(path), path);
  const next: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output)) {
    if (key === 'decision_log') next['audit_baseline'] = baseline;
    next[key] = value;
  }
  assertValidOutput(next);
  return next as PlanOutput;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Validate a profile against the input schema; unknown keys are warnings')
    .argument('[file]', 'profile JSON file, or - for stdin', '-')
    .addHelpText('after', helpText(['ringmaster validate profile.json']))
    .action((file: string) => {
      const { warnings } = validateProfile(readProfile(file));
      for (const warning of warnings) process.stderr.write(`ringmaster: warning: ${warning}\n`);
      process.stdout.write(`${file === '-' ? '(stdin)' : file}: valid profile\n`);
    });
}

export function registerModes(program: Command): void {
  program
    .command('modes')
    .description('List the modes, what each reads and which questions it may ask')
    .option('--json', 'print JSON')
    .addHelpText('after', helpText(['ringmaster modes', 'ringmaster modes --json']))
    .action(async (options: { json?: boolean }) => {
      const { createEngine } = await import('@ringmaster/modes');
      const modes = createEngine().modes.map((m) => ({ id: m.id, spec_mode: m.specMode, title: m.title, inputs: m.dependsOn.inputs, asks: m.dependsOn.asks, kb: m.kb }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(modes, null, 2)}\n`);
        return;
      }
      for (const m of modes) {
        process.stdout.write(`${m.id.padEnd(22)} ${m.spec_mode === null ? '  ' : String(m.spec_mode).padStart(2)}  ${m.title}\n`);
        process.stdout.write(`${' '.repeat(26)}reads: ${m.inputs.join(', ') || '-'}; asks: ${m.asks.join(', ') || '-'}\n`);
      }
    });
}
