import { describe, expect, it } from 'vitest';
import { actionEvidence, signatureEvidence, type ActionResult } from '@ringmaster/connector-gitops';

const digest = `sha256:${'a'.repeat(64)}`;
const result: ActionResult = {
  action: 'promote',
  status: 'committed',
  target: 'ring0',
  service: 'crm-web',
  image: 'ghcr.io/acme/web/crm-web',
  digest,
  previousDigest: null,
  commit: 'c0ffee',
  repository: 'https://github.com/acme/crm-deploy.git',
  branch: 'main',
  path: 'apps/crm-web/overlays/ring0/kustomization.yaml',
  attempts: 1,
  review: null,
  signature: { verified: true, image: 'ghcr.io/acme/web/crm-web', digest, signer: { kind: 'keyless', identity: 'https://github.com/acme/crm/.github/workflows/release-signing.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' }, reason: null },
};

describe('the evidence of a GitOps action', () => {
  it('lists the signature check first, then what was written where, for the service of the file', () => {
    expect(actionEvidence(result)).toEqual([
      { action: 'verify-signature', outcome: 'done', service: 'crm-web', ring: 'ring0', image: result.image, digest },
      { action: 'promote', outcome: 'done', service: 'crm-web', ring: 'ring0', repository: result.repository, path: result.path, commit: 'c0ffee', image: result.image, digest },
    ]);
  });

  it('says why nothing changed, and a dry run is not done', () => {
    const { signature: _none, ...unsigned } = result;
    expect(actionEvidence({ ...unsigned, status: 'unchanged', commit: null })).toEqual([expect.objectContaining({ outcome: 'done', reason: `ring0 already runs ${digest}` })]);
    expect(actionEvidence({ ...unsigned, status: 'dry-run', commit: null })[0]).toMatchObject({ outcome: 'dry-run' });
    expect(actionEvidence({ ...unsigned, status: 'dry-run', commit: null })[0]).not.toHaveProperty('commit');
  });

  it('records a refused signature with its reason', () => {
    expect(signatureEvidence({ verified: false, image: result.image, digest, signer: { kind: 'kms', keyUri: 'awskms:///alias/release-signing' }, reason: 'no matching signatures' }, 'ring0')).toEqual({ action: 'verify-signature', outcome: 'refused', ring: 'ring0', image: result.image, digest, reason: 'no matching signatures' });
  });
});
