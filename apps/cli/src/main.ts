#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { FS_ERRORS, ProfileInputError, RingmasterError } from '@ringmaster/core';
import { registerAudit } from './commands/audit.js';
import { CANARY_INCIDENT_EXIT, registerCanaryHealth } from './commands/canary-health.js';
import { registerEvidence } from './commands/evidence.js';
import { helpText } from './commands/help.js';
import { registerKb } from './commands/kb.js';
import { registerModes, registerPlan, registerValidate } from './commands/plan.js';
import { registerPromote, registerRollback } from './commands/promote.js';

/** Exit codes: 0 success, 1 internal error or failing verdict, 2 invalid input, 3 canary-health says open an incident. */
const EXIT = { ok: 0, failed: 1, input: 2, incident: CANARY_INCIDENT_EXIT } as const;

/** The one place errors become stderr lines and exit codes; never a stack trace unless RINGMASTER_DEBUG is set. */
function fail(error: unknown): never {
  if (process.env['RINGMASTER_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack ?? error.message}\n`);
  if (error instanceof ProfileInputError) {
    for (const issue of error.issues) process.stderr.write(`ringmaster: ${issue.message}\n`);
    process.exit(EXIT.input);
  }
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.input);
  const errno = error as NodeJS.ErrnoException;
  if (typeof errno.code === 'string' && FS_ERRORS[errno.code] !== undefined) {
    // a path the user gave (e.g. --out) that the file system refused: their input, one line
    process.stderr.write(`ringmaster: ${errno.path ?? 'a path'}: ${FS_ERRORS[errno.code]}\n`);
    process.exit(EXIT.input);
  }
  if (error instanceof RingmasterError) {
    process.stderr.write(`ringmaster: ${error.message}\n`);
    process.exit(error.code.endsWith('_input') ? EXIT.input : error.code === 'canary_incident' ? EXIT.incident : EXIT.failed);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ringmaster: internal error: ${message.split('\n')[0]}\n`);
  process.exit(EXIT.failed);
}

const program = new Command('ringmaster')
  .description('Release-engineering architect for multi-tenant CRM platforms: plans cited delivery blueprints, audits pipelines.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `ringmaster: ${text}` : text) })
  .addHelpText('after', helpText(['ringmaster plan profile.json --format md', 'ringmaster audit .', 'ringmaster plan --help'], 'an internal error or a failing verdict (audit --fail-on, evidence verify, canary-health)'))
  .addHelpText('after', `canary-health exits ${CANARY_INCIDENT_EXIT} when the plan's burn-rate incident rule says open an incident.\n`);

registerPlan(program);
registerValidate(program);
registerModes(program);
registerKb(program);
registerAudit(program);
registerEvidence(program);
registerPromote(program);
registerRollback(program);
registerCanaryHealth(program);

// A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? process.exit(EXIT.ok) : fail(error)));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// An unknown command is an error even with --help after it (commander would print the general help and exit 0).
const commandName = process.argv[2];
if (commandName !== undefined && !commandName.startsWith('-') && commandName !== 'help' && !program.commands.some((c) => c.name() === commandName || c.aliases().includes(commandName))) {
  process.stderr.write(`ringmaster: unknown command '${commandName}' (commands: ${program.commands.map((c) => c.name()).join(', ')}; run ringmaster --help)\n`);
  process.exit(EXIT.input);
}
program.parseAsync(process.argv).catch(fail);
