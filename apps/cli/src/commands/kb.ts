import type { Command } from 'commander';
import { dateBefore, loadKnowledgeBase, parseKbAge, parseReferenceDate, RingmasterError, sectionsVerifiedBefore, type KbSection } from '@ringmaster/core';
import { helpText } from './help.js';

class KbInputError extends RingmasterError {
  constructor(message: string) {
    super('kb_input', message);
  }
}

const DEFAULT_AGE = '6m';

function printSection(section: KbSection): void {
  const anchor = section.trace.split('#')[1] ?? '';
  const sources = section.sources.map((url) => `- ${url}`).join('\n');
  process.stdout.write(`# ${section.title}\n\n## ${anchor}\n\nSources:\n${sources}\nVerified: ${section.verified || 'unknown'}\n\n${section.body}\n`);
}

/**
 * `--stale` lists the sections due for review: verified before today (UTC, or `--as-of`)
 * minus `--older-than`. It is a review tool, so it may read the clock; plan reports do not
 * (see `planReferenceDate` in core).
 */
function printStale(olderThan: string, asOf: string | undefined): void {
  const age = parseKbAge(olderThan, '--older-than');
  const today = asOf === undefined ? new Date().toISOString().slice(0, 10) : parseReferenceDate(asOf, '--as-of');
  const cutoff = dateBefore(today, age);
  const kb = loadKnowledgeBase();
  const stale = sectionsVerifiedBefore(kb, cutoff);
  for (const s of stale) process.stdout.write(`${s.trace.padEnd(40)} verified ${s.verified}  ${s.sources[0] ?? ''}\n`);
  process.stderr.write(`ringmaster: ${stale.length} of ${kb.traces().length} sections verified before ${cutoff} (${olderThan} before ${today})\n`);
}

export function registerKb(program: Command): void {
  program
    .command('kb')
    .description('Print a knowledge-base section with its sources and verified-on date, e.g. ringmaster kb KB_18#Tenant_Canary')
    .argument('[trace]', 'KB_NN#Anchor')
    .option('--list', 'list every trace')
    .option('--stale', 'list the sections due for review (verified longer ago than --older-than)')
    .option('--older-than <age>', 'with --stale: an age such as 90d, 12w, 6m or 1y', DEFAULT_AGE)
    .option('--as-of <date>', 'with --stale: the date to measure from (YYYY-MM-DD; default today, UTC)')
    .addHelpText('after', helpText(['ringmaster kb KB_18#Tenant_Canary', 'ringmaster kb --list', 'ringmaster kb --stale --older-than 6m']))
    .action((trace: string | undefined, options: { list?: boolean; stale?: boolean; olderThan: string; asOf?: string }) => {
      if (options.stale) return printStale(options.olderThan, options.asOf);
      if (options.olderThan !== DEFAULT_AGE || options.asOf !== undefined) throw new KbInputError('--older-than and --as-of apply only with --stale');
      const kb = loadKnowledgeBase();
      if (options.list || trace === undefined) {
        process.stdout.write(`${kb.traces().sort().join('\n')}\n`);
        return;
      }
      const section = kb.get(trace);
      if (!section) throw new KbInputError(`${trace}: no such KB section (expected KB_NN#Anchor; run 'ringmaster kb --list')`);
      printSection(section);
    });
}
