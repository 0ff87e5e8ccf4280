import { readFileSync, statSync } from 'node:fs';
import { RingmasterError } from '@ringmaster/core';
import type { Command } from 'commander';

/** Evidence bundles are event logs: generous, but bounded. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

class EvidenceInputError extends RingmasterError {
  constructor(message: string) {
    super('evidence_input', message);
  }
}

/** A bundle that does not verify: exit 1, like a failing audit. */
class EvidenceTamperedError extends RingmasterError {
  constructor(message: string) {
    super('evidence_tampered', message);
  }
}

function readBundle(file: string): unknown {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new EvidenceInputError(`${file}: expected an evidence bundle file, found a directory`);
    size = stat.size;
  } catch (error) {
    if (error instanceof EvidenceInputError) throw error;
    throw new EvidenceInputError(`${file}: expected an evidence bundle file, found ${(error as NodeJS.ErrnoException).code ?? 'an unreadable path'}`);
  }
  if (size > MAX_BUNDLE_BYTES) throw new EvidenceInputError(`${file}: expected at most ${MAX_BUNDLE_BYTES} bytes, found ${size}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    throw new EvidenceInputError(`${file}: expected a JSON evidence bundle, found invalid JSON`);
  }
}

/** A document that claims to be a bundle; whether it verifies is the next question (exit 1, not 2). */
function isBundleShaped(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'format' in value && 'events' in value;
}

export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('Evidence bundles of release-captain runs (from the Slack app)');
  evidence
    .command('verify')
    .description('Verify a bundle: the hash chain of its events and every summary derived from them')
    .argument('<file>', 'evidence bundle JSON (from /release export or the run thread)')
    .action(async (file: string) => {
      const { verifyBundle } = await import('@ringmaster/evidence');
      const bundle = readBundle(file);
      if (!isBundleShaped(bundle)) throw new EvidenceInputError(`${file}: expected an evidence bundle (a JSON object with "format" and "events"), found ${Array.isArray(bundle) ? 'an array' : bundle === null ? 'null' : typeof bundle === 'object' ? 'an object without them' : typeof bundle}`);
      const result = verifyBundle(bundle);
      if (!result.ok) throw new EvidenceTamperedError(`${file}: does not verify${result.index === undefined ? '' : ` at event ${result.index}`}: ${result.reason}`);
      process.stdout.write(`${file}: verified, run ${result.run}, ${result.count} events, head ${result.head}\n`);
    });
}
