import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in `cosign` (the real one is not installable here): it records the arguments of every
 * call and exits 0 only for an `IMAGE@DIGEST` the test marked as signed, else 1 with cosign's message.
 */
export interface CosignStub {
  /** The folder holding the `cosign` script (put it first on PATH), and the script itself. */
  dir: string;
  command: string;
  /** Marks a reference as carrying a valid signature. */
  sign(ref: string): void;
  /** The arguments of every call so far, in order. */
  calls(): string[][];
}

export function cosignStub(): CosignStub {
  const dir = mkdtempSync(join(tmpdir(), 'rm-cosign-'));
  const calls = join(dir, 'calls');
  const signed = join(dir, 'signed');
  writeFileSync(calls, '');
  writeFileSync(signed, '');
  const command = join(dir, 'cosign');
  writeFileSync(
    command,
    [
      '#!/bin/sh',
      `for arg in "$@"; do printf '%s\\t' "$arg"; done >> '${calls}'`,
      `printf '\\n' >> '${calls}'`,
      'for ref in "$@"; do :; done',
      `grep -qxF -- "$ref" '${signed}' && exit 0`,
      'echo "Error: no matching signatures: none of the expected identities matched what was in the certificate" >&2',
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(command, 0o755);
  return {
    dir,
    command,
    sign: (ref) => writeFileSync(signed, `${ref}\n`, { flag: 'a' }),
    calls: () =>
      readFileSync(calls, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t').slice(0, -1)),
  };
}
