import { execFile } from 'node:child_process';
import { RingmasterError, type SigningModel } from '@ringmaster/core';
import { GitOpsFailedError } from './errors.js';

/**
 * Who must have signed a digest: the identity and OIDC issuer of a keyless signature, or the key.
 * A plan's `DeliverySystem.ci.signing` is one.
 */
export type Signer = Pick<Extract<SigningModel, { kind: 'keyless' }>, 'kind' | 'identity' | 'issuer'> | Extract<SigningModel, { kind: 'kms' }>;

/** The outcome of verifying one image digest's signature against the plan's release signer. */
export interface SignatureCheck {
  image: string;
  digest: string;
  /** Who had to have signed it: the plan's release signer. */
  signer: Signer;
  verified: boolean;
  /** One line: why the signature was not accepted (null when verified). */
  reason: string | null;
}

/** Checks that `image@digest` carries a signature by one signer (the one the release pipeline signs with). */
export interface SignatureVerifier {
  readonly signer: Signer;
  /** Resolves with the check (verified or not); rejects only when the check could not be made (the verifier is not installed). */
  verify(image: string, digest: string): Promise<SignatureCheck>;
}

/** The signature of the digest to promote did not verify: nothing was written. Exit 1 at the CLI edge, like a failing verdict. */
export class SignatureRefusedError extends RingmasterError {
  constructor(readonly check: SignatureCheck) {
    super('signature_refused', `${check.image}@${check.digest}: signature not accepted (${check.reason ?? 'not verified'}); nothing was written`);
  }
}

/** The arguments of `cosign verify` that accept `ref` only if the signer signed it (the same command the plan's promote.sh runs). */
export function cosignVerifyArgs(signer: Signer, ref: string): string[] {
  return signer.kind === 'keyless'
    ? ['verify', '--certificate-identity', signer.identity, '--certificate-oidc-issuer', signer.issuer, ref]
    : ['verify', '--key', signer.keyUri, ref];
}

export interface CosignOptions {
  /** The cosign binary (default: `cosign` on PATH). */
  command?: string;
  timeoutMs?: number;
}

/** `cosign verify` (the real binary, no shell) with the identity and issuer, or the key, of the plan's signer. */
export function cosignVerifier(signer: Signer, options: CosignOptions = {}): SignatureVerifier {
  const command = options.command ?? 'cosign';
  return {
    signer,
    verify(image: string, digest: string): Promise<SignatureCheck> {
      const ref = `${image}@${digest}`;
      return new Promise((resolve, reject) => {
        execFile(command, cosignVerifyArgs(signer, ref), { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, _stdout, stderr) => {
          if (!error) return resolve({ image, digest, signer, verified: true, reason: null });
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return reject(new GitOpsFailedError(`cosign verify: ${command} is not installed or not on PATH; the signature of ${ref} cannot be checked`));
          const lines = `${stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
          const why = lines.find((l) => /^Error:/i.test(l)) ?? lines.at(-1) ?? (error.killed ? 'timed out' : `exit ${String(error.code)}`);
          resolve({ image, digest, signer, verified: false, reason: `cosign verify: ${why.slice(0, 300)}` });
        });
      });
    },
  };
}
