import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosignVerifier, cosignVerifyArgs, GitOpsFailedError, openGitOpsRepository, SignatureRefusedError, type GitOpsRepository } from '@ringmaster/connector-gitops';
import { cosignStub, type CosignStub } from './cosign-stub.js';
import { cloneOf, configRemote, digestOf, git, hasGit, type ConfigRemote } from './repo.js';

const title = hasGit ? 'signature verification before a promotion is written' : 'signature verification: SKIPPED, git is not installed';

/** The value of `readonly NAME='...'` in a generated script. */
const scriptVar = (text: string, name: string): string | undefined => new RegExp(`^readonly ${name}='([^']*)'$`, 'm').exec(text)?.[1];

describe.skipIf(!hasGit)(title, () => {
  let remote: ConfigRemote;
  let repo: GitOpsRepository;
  let cosign: CosignStub;
  const image = 'ghcr.io/acme/crm-api';
  let n = 0;
  const head = (): string => git(cloneOf(remote, `sig-${n++}`), 'rev-parse', 'HEAD').trim();

  beforeAll(async () => {
    remote = await configRemote();
    cosign = cosignStub();
    repo = openGitOpsRepository({ url: remote.url, verifier: cosignVerifier(remote.delivery.ci.signing, { command: cosign.command }) });
  }, 120_000);
  afterAll(() => repo?.close());

  it("asks cosign for exactly the plan's signer (the identity and issuer its pipeline signs with) and the digest, then commits", async () => {
    const signing = remote.delivery.ci.signing;
    if (signing.kind !== 'keyless') throw new Error('the test profile signs keyless');
    // The plan's own promote script verifies against the same signer.
    const script = readFileSync(join(remote.out, 'scripts/promote.sh'), 'utf8');
    expect([scriptVar(script, 'CERT_IDENTITY'), scriptVar(script, 'OIDC_ISSUER')]).toEqual([signing.identity, signing.issuer]);
    expect(signing.identity).toBe('https://github.com/acme/crm-platform/.github/workflows/release.yml@refs/heads/main');

    cosign.sign(`${image}@${digestOf('a')}`);
    const result = await repo.promote({ target: 'canary', digest: digestOf('a'), runId: 'run-s1', stepId: 'promote-canary' });
    expect(result).toMatchObject({ status: 'committed', signature: { image, digest: digestOf('a'), verified: true, reason: null } });
    expect(cosign.calls()).toEqual([['verify', '--certificate-identity', signing.identity, '--certificate-oidc-issuer', signing.issuer, `${image}@${digestOf('a')}`]]);
    expect(head()).toBe(result.commit);
  });

  it('refuses an unsigned digest before writing anything, also in a dry run and for a rollback', async () => {
    const before = head();
    const refused = await repo.promote({ target: 'canary', digest: digestOf('b'), runId: 'run-s2', stepId: 'promote-canary' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SignatureRefusedError);
    expect((refused as SignatureRefusedError).message).toBe(
      `${image}@${digestOf('b')}: signature not accepted (cosign verify: Error: no matching signatures: none of the expected identities matched what was in the certificate); nothing was written`,
    );
    expect((refused as SignatureRefusedError).check).toMatchObject({ verified: false, digest: digestOf('b') });
    await expect(repo.promote({ target: 'canary', digest: digestOf('b'), runId: 'run-s2', stepId: 'promote-canary', dryRun: true })).rejects.toThrow(SignatureRefusedError);
    expect(head()).toBe(before);

    // A retried step and a target already at the digest write nothing, so they check nothing.
    const calls = cosign.calls().length;
    expect(await repo.promote({ target: 'canary', digest: digestOf('a'), runId: 'run-s1', stepId: 'promote-canary' })).toMatchObject({ status: 'already-done' });
    expect(cosign.calls()).toHaveLength(calls);

    // A rollback goes only to a digest whose signature still verifies.
    cosign.sign(`${image}@${digestOf('c')}`);
    await repo.promote({ target: 'canary', digest: digestOf('c'), runId: 'run-s3', stepId: 'promote-canary' });
    const signedHead = head();
    const stale = cosignStub(); // a registry where the old signature is gone
    const strict = openGitOpsRepository({ url: remote.url, verifier: cosignVerifier(remote.delivery.ci.signing, { command: stale.command }) });
    try {
      await expect(strict.rollback({ target: 'canary', to: digestOf('a'), runId: 'incident-1', stepId: 'rollback-canary' })).rejects.toThrow(SignatureRefusedError);
      expect(head()).toBe(signedHead);
    } finally {
      await strict.close();
    }
    expect(await repo.rollback({ target: 'canary', to: digestOf('a'), runId: 'incident-1', stepId: 'rollback-canary' })).toMatchObject({ status: 'committed', signature: { verified: true } });
  });

  it('fails (does not pass) when cosign cannot run, and verifies a KMS-signed digest with the key', async () => {
    const missing = openGitOpsRepository({ url: remote.url, verifier: cosignVerifier(remote.delivery.ci.signing, { command: join(cosign.dir, 'not-there') }) });
    try {
      await expect(missing.promote({ target: 'general', digest: digestOf('d'), runId: 'run-s4', stepId: 'promote-general' })).rejects.toThrow(GitOpsFailedError);
    } finally {
      await missing.close();
    }
    expect(cosignVerifyArgs({ kind: 'kms', keyUri: 'awskms:///arn:aws:kms:eu-west-1:210987654321:alias/release-signing' }, `${image}@${digestOf('d')}`)).toEqual([
      'verify',
      '--key',
      'awskms:///arn:aws:kms:eu-west-1:210987654321:alias/release-signing',
      `${image}@${digestOf('d')}`,
    ]);
  });
});
