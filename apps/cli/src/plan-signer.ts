import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliverySystem, KNOWN_TOP_LEVEL_KEYS, normalizeProfile, parseProfileText, RingmasterError, validateProfile, type DeliverySystem } from '@ringmaster/core';
import type { Signer } from '@ringmaster/connector-gitops';
import { FS_ERRORS } from './paths.js';
import { readProfileText } from './io.js';

/**
 * Who the release pipeline signs with, as the plan says: never a value of the CLI's own. From a
 * profile, the delivery model of its plan (`DeliverySystem.ci.signing`, with the modes the plan
 * selects: the supply-chain mode moves signing to its own workflow). From a `plan --out` folder,
 * the signer its promotion script verifies against, read only from a script the folder's
 * manifest lists with the same sha256 (an edited script is refused, not trusted).
 */

export class PlanSignerInputError extends RingmasterError {
  constructor(message: string) {
    super('plan_input', message);
  }
}

/** The delivery system of a profile's plan: its overlays and its signer. */
export async function deliveryOfProfile(file: string): Promise<DeliverySystem> {
  const input = parseProfileText(readProfileText(file));
  const { createEngine } = await import('@ringmaster/modes');
  const selected = createEngine().plan(structuredClone(input)).output.decision_log.modes.map((m) => m.id);
  return deliverySystem(normalizeProfile(validateProfile(input).profile, KNOWN_TOP_LEVEL_KEYS).profile, selected);
}

/** The plan's scripts that verify a digest before it is promoted or deployed, in the order they are looked for. */
const VERIFYING_SCRIPTS = ['scripts/promote.sh', 'scripts/scripted_deploy.sh'] as const;

function readIn(dir: string, path: string, what: string): string {
  try {
    return readFileSync(join(dir, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new PlanSignerInputError(`--plan ${dir}: expected ${what} (${path}), found ${FS_ERRORS[code] ?? `an unreadable path (${code || 'error'})`}`);
  }
}

/** `readonly NAME='value'` as the renderer writes a script's variables (single-quoted, `'\''` for a quote). */
function scriptVariable(script: string, name: string): string | undefined {
  const m = new RegExp(`^readonly ${name}='((?:[^']|'\\\\'')*)'$`, 'm').exec(script);
  return m?.[1]?.replaceAll(`'\\''`, "'");
}

export function signerOfPlanFolder(dir: string): Signer {
  let manifest: { files?: { path?: unknown; sha256?: unknown }[] };
  try {
    manifest = JSON.parse(readIn(dir, 'manifest.json', 'the folder of a plan --out')) as typeof manifest;
  } catch (error) {
    if (error instanceof PlanSignerInputError) throw error;
    throw new PlanSignerInputError(`--plan ${dir}: expected manifest.json to be JSON, found invalid JSON`);
  }
  const listed = new Map((Array.isArray(manifest.files) ? manifest.files : []).map((f) => [f.path, f.sha256]));
  const path = VERIFYING_SCRIPTS.find((p) => listed.has(p));
  if (path === undefined) throw new PlanSignerInputError(`--plan ${dir}: expected the plan's promotion script (${VERIFYING_SCRIPTS.join(' or ')}) in manifest.json, found none`);
  const script = readIn(dir, path, "the plan's promotion script");
  const sha256 = createHash('sha256').update(script, 'utf8').digest('hex');
  if (sha256 !== listed.get(path)) throw new PlanSignerInputError(`--plan ${dir}: expected ${path} as the plan wrote it (sha256 ${String(listed.get(path))} in manifest.json), found ${sha256}: it was edited`);
  const key = scriptVariable(script, 'SIGNING_KEY');
  if (key !== undefined) return { kind: 'kms', keyUri: key };
  const identity = scriptVariable(script, 'CERT_IDENTITY');
  const issuer = scriptVariable(script, 'OIDC_ISSUER');
  if (identity === undefined || issuer === undefined) throw new PlanSignerInputError(`--plan ${dir}: expected CERT_IDENTITY and OIDC_ISSUER (or SIGNING_KEY) in ${path}, found ${identity === undefined ? 'no CERT_IDENTITY' : 'no OIDC_ISSUER'}`);
  return { kind: 'keyless', identity, issuer };
}
