import { readFileSync, statSync } from 'node:fs';
import { RingmasterError } from '@ringmaster/core';
import type { Command } from 'commander';

/** Evidence bundles are event logs: generous, but bounded. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
/** A PEM public key is a few hundred bytes. */
const MAX_KEY_BYTES = 64 * 1024;
const HEAD_RE = /^[0-9a-f]{64}$/;

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

function readKeyText(file: string): string {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new EvidenceInputError(`--key ${file}: expected a PEM public key file, found ${stat.isDirectory() ? 'a directory' : 'something that is not a file'}`);
    if (stat.size > MAX_KEY_BYTES) throw new EvidenceInputError(`--key ${file}: expected at most ${MAX_KEY_BYTES} bytes, found ${stat.size}`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof EvidenceInputError) throw error;
    throw new EvidenceInputError(`--key ${file}: expected a PEM public key file, found ${(error as NodeJS.ErrnoException).code ?? 'an unreadable path'}`);
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A document that claims to be a bundle; whether it verifies is the next question (exit 1, not 2). */
function isBundleShaped(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'format' in value && 'events' in value;
}

export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('Evidence bundles of release-captain runs (from the Slack app)');
  evidence
    .command('verify')
    .description(
      "Verify a bundle: the hash chain of its events, every summary derived from them, and with --key the app's signature (without --key only internal consistency is checked)",
    )
    .argument('<file>', 'evidence bundle JSON (from /release export or the run thread)')
    .option('--key <pem>', "the Slack app's public key (PEM); repeat for rotated-out keys", collect)
    .option('--expect-head <hash>', "the head hash posted in the run's Slack thread")
    .action(async (file: string, options: { key?: string[]; expectHead?: string }) => {
      const { parsePublicKey, verifyBundle } = await import('@ringmaster/evidence');
      if (options.expectHead !== undefined && !HEAD_RE.test(options.expectHead)) {
        throw new EvidenceInputError(`--expect-head: expected 64 lower-case hex digits, found ${JSON.stringify(options.expectHead.slice(0, 80))}`);
      }
      const keys = (options.key ?? []).map((keyFile) => {
        try {
          return parsePublicKey(readKeyText(keyFile));
        } catch (error) {
          if (error instanceof EvidenceInputError) throw error;
          throw new EvidenceInputError(`--key ${keyFile}: ${(error as Error).message}`);
        }
      });
      const bundle = readBundle(file);
      if (!isBundleShaped(bundle)) throw new EvidenceInputError(`${file}: expected an evidence bundle (a JSON object with "format" and "events"), found ${Array.isArray(bundle) ? 'an array' : bundle === null ? 'null' : typeof bundle === 'object' ? 'an object without them' : typeof bundle}`);
      const result = verifyBundle(bundle, { keys, ...(options.expectHead ? { expectHead: options.expectHead } : {}) });
      if (!result.ok) throw new EvidenceTamperedError(`${file}: does not verify${result.index === undefined ? '' : ` at event ${result.index}`}: ${result.reason}`);
      const what = `run ${result.run}, ${result.count} events, head ${result.head}${options.expectHead ? ' (as expected)' : ''}`;
      if (result.signature.checked) {
        process.stdout.write(`${file}: verified, signed by key ${result.signature.key_id}, ${what}\n`);
        return;
      }
      const signer = result.signature.key_id ? `carries a signature by key ${result.signature.key_id} that was not checked` : 'carries no signature';
      process.stdout.write(`${file}: internally consistent only, NOT authenticated: ${what}; it ${signer}\n`);
      process.stderr.write('ringmaster: warning: without --key anyone can rebuild a consistent bundle; pass --key with the Slack app\'s public key to check who made it\n');
    });
}
