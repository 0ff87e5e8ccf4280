import { readFileSync, statSync } from 'node:fs';
import { RingmasterError } from '@ringmaster/core';
import type { Command } from 'commander';
import { EvidenceInputError, MAX_EVIDENCE_BYTES } from '../evidence-log.js';

/** A PEM public key is a few hundred bytes. */
const MAX_KEY_BYTES = 64 * 1024;
const HEAD_RE = /^[0-9a-f]{64}$/;

/** A bundle that does not verify: exit 1, like a failing audit. */
class EvidenceTamperedError extends RingmasterError {
  constructor(message: string) {
    super('evidence_tampered', message);
  }
}

function readText(file: string): string {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new EvidenceInputError(`${file}: expected an evidence bundle file, found a directory`);
    size = stat.size;
  } catch (error) {
    if (error instanceof EvidenceInputError) throw error;
    throw new EvidenceInputError(`${file}: expected an evidence bundle file, found ${(error as NodeJS.ErrnoException).code ?? 'an unreadable path'}`);
  }
  if (size > MAX_EVIDENCE_BYTES) throw new EvidenceInputError(`${file}: expected at most ${MAX_EVIDENCE_BYTES} bytes, found ${size}`);
  return readFileSync(file, 'utf8');
}

/** A sealed event as a log line holds it (whether it verifies is the next question). */
function isEventShaped(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'prev_hash' in value && 'hash' in value;
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A bundle (one JSON document with format and events) or a run's event log (JSON Lines of sealed
 * events, as `--evidence FILE` writes it): told apart by shape, never by the file name.
 */
function readEvidence(file: string): { kind: 'bundle'; bundle: unknown } | { kind: 'log'; text: string } {
  const text = readText(file);
  const whole = parsedOrUndefined(text);
  if (isBundleShaped(whole)) return { kind: 'bundle', bundle: whole };
  const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (isEventShaped(parsedOrUndefined(firstLine))) return { kind: 'log', text };
  if (whole === undefined) throw new EvidenceInputError(`${file}: expected a JSON evidence bundle or an evidence log (JSON Lines), found invalid JSON`);
  throw new EvidenceInputError(`${file}: expected an evidence bundle (a JSON object with "format" and "events") or an evidence log, found ${Array.isArray(whole) ? 'an array' : whole === null ? 'null' : typeof whole === 'object' ? 'an object without them' : typeof whole}`);
}

/** The events of a log that verifies; exit 1 naming the line when it does not. */
async function verifiedLog(file: string, text: string, expectHead?: string): Promise<{ count: number; head: string; run: string }> {
  const { verifyEventLog } = await import('@ringmaster/evidence');
  const result = verifyEventLog(text);
  if (!result.ok) throw new EvidenceTamperedError(`${file}: does not verify${result.line === undefined ? '' : ` at line ${result.line}`}: ${result.reason}`);
  if (expectHead !== undefined && expectHead !== result.head) throw new EvidenceTamperedError(`${file}: does not verify: head is ${result.head}, expected ${expectHead}`);
  return result;
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
  const evidence = program.command('evidence').description('Evidence of release-captain runs: bundles from the Slack app, event logs from promote, rollback and canary-health --evidence');
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
      const evidence = readEvidence(file);
      if (evidence.kind === 'log') {
        if (keys.length > 0) throw new EvidenceInputError(`--key: expected a signed bundle, found an evidence log, which carries no signature (make a bundle with ringmaster evidence bundle, or verify the log without --key)`);
        const log = await verifiedLog(file, evidence.text, options.expectHead);
        process.stdout.write(`${file}: evidence log internally consistent only, NOT authenticated: run ${log.run}, ${log.count} events, head ${log.head}${options.expectHead ? ' (as expected)' : ''}\n`);
        return;
      }
      const result = verifyBundle(evidence.bundle, { keys, ...(options.expectHead ? { expectHead: options.expectHead } : {}) });
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
  evidence
    .command('bundle')
    .description("Make a run's evidence bundle (unsigned JSON, to stdout) from its event log, as promote, rollback and canary-health write it with --evidence")
    .argument('<log>', 'evidence log (JSON Lines of sealed events)')
    .action(async (file: string) => {
      const evidence = readEvidence(file);
      if (evidence.kind !== 'log') throw new EvidenceInputError(`${file}: expected an evidence log (JSON Lines of sealed events), found a bundle`);
      await verifiedLog(file, evidence.text);
      const { buildBundle, parseEventLog } = await import('@ringmaster/evidence');
      process.stdout.write(`${JSON.stringify(buildBundle(parseEventLog(evidence.text)), null, 2)}\n`);
    });
}
