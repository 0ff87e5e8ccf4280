import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_SCRIPT, FS_ERRORS, PROMOTION_SCRIPT } from '@ringmaster/core';
import { GitOpsInputError } from './errors.js';
import type { Signer } from './signature.js';

/**
 * The signer a `plan --out` folder's release pipeline signs with, as its promotion script verifies
 * it: read only from a script the folder's manifest lists with the same sha256 (an edited script is
 * refused, not trusted). Errors are `GitOpsInputError` with the field `plan` (the CLI names its
 * `--plan` option, the Slack app its `RINGMASTER_PLAN_DIR`).
 */

/** The plan's scripts that verify a digest before it is promoted or deployed, in the order they are looked for. */
const VERIFYING_SCRIPTS = [PROMOTION_SCRIPT, DEPLOY_SCRIPT] as const;

const inputError = (dir: string, detail: string): GitOpsInputError => new GitOpsInputError('plan', `${dir}: ${detail}`);

function readIn(dir: string, path: string, what: string): string {
  try {
    return readFileSync(join(dir, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw inputError(dir, `expected ${what} (${path}), found ${FS_ERRORS[code] ?? `an unreadable path (${code || 'error'})`}`);
  }
}

/** `readonly NAME='value'` as the renderer writes a script's variables (single-quoted, `'\''` for a quote). */
function scriptVariable(script: string, name: string): string | undefined {
  const m = new RegExp(`^readonly ${name}='((?:[^']|'\\\\'')*)'$`, 'm').exec(script);
  return m?.[1]?.replaceAll(`'\\''`, "'");
}

/** The signer named by the promotion (or deploy) script of the `plan --out` folder `dir`. */
export function signerOfPlanDir(dir: string): Signer {
  let manifest: { files?: { path?: unknown; sha256?: unknown }[] };
  const text = readIn(dir, 'manifest.json', 'the folder of a plan --out');
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    throw inputError(dir, 'expected manifest.json to be JSON, found invalid JSON');
  }
  const listed = new Map((Array.isArray(manifest?.files) ? manifest.files : []).map((f) => [f?.path, f?.sha256]));
  const path = VERIFYING_SCRIPTS.find((p) => listed.has(p));
  if (path === undefined) throw inputError(dir, `expected the plan's promotion script (${VERIFYING_SCRIPTS.join(' or ')}) in manifest.json, found none`);
  const script = readIn(dir, path, "the plan's promotion script");
  const sha256 = createHash('sha256').update(script, 'utf8').digest('hex');
  if (sha256 !== listed.get(path)) throw inputError(dir, `expected ${path} as the plan wrote it (sha256 ${String(listed.get(path))} in manifest.json), found ${sha256}: it was edited`);
  const key = scriptVariable(script, 'SIGNING_KEY');
  if (key !== undefined) return { kind: 'kms', keyUri: key };
  const identity = scriptVariable(script, 'CERT_IDENTITY');
  const issuer = scriptVariable(script, 'OIDC_ISSUER');
  if (identity === undefined || issuer === undefined) throw inputError(dir, `expected CERT_IDENTITY and OIDC_ISSUER (or SIGNING_KEY) in ${path}, found ${identity === undefined ? 'no CERT_IDENTITY' : 'no OIDC_ISSUER'}`);
  return { kind: 'keyless', identity, issuer };
}
