import type { ActionData } from '@ringmaster/core';
import type { ActionResult } from './repository.js';
import type { SignatureCheck } from './signature.js';

/** The evidence of the signature check made before a digest is written (`service` when the caller knows it). */
export function signatureEvidence(check: SignatureCheck, ring: string, service?: string): ActionData {
  return {
    action: 'verify-signature',
    outcome: check.verified ? 'done' : 'refused',
    ...(service === undefined ? {} : { service }),
    ring,
    image: check.image,
    digest: check.digest,
    ...(check.reason === null ? {} : { reason: check.reason }),
  };
}

/** The evidence of a finished promotion or rollback: its signature check first (when one was made), then what was written (or found) where. */
export function actionEvidence(result: ActionResult): ActionData[] {
  const signature = result.signature === undefined ? [] : [signatureEvidence(result.signature, result.target, result.service)];
  return [
    ...signature,
    {
      action: result.action,
      outcome: result.status === 'dry-run' ? 'dry-run' : 'done',
      service: result.service,
      ring: result.target,
      repository: result.repository,
      path: result.path,
      ...(result.commit === null ? {} : { commit: result.commit }),
      ...(result.review === null ? {} : { review_url: result.review.url }),
      image: result.image,
      digest: result.digest,
      ...(result.status === 'unchanged' ? { reason: `${result.target} already runs ${result.digest}` } : {}),
    },
  ];
}
