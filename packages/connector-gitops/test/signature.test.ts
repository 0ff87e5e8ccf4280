import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosignVerifier, cosignVerifyArgs, GitOpsFailedError, GitOpsInputError, openGitOpsRepository, SignatureRefusedError, signerOfPlanDir, type GitOpsRepository } from '@ringmaster/connector-gitops';
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

  it("reads the signer from a plan --out folder's promotion script, only as the manifest lists it", () => {
    const signing = remote.delivery.ci.signing;
    if (signing.kind !== 'keyless') throw new Error('the test profile signs keyless');
    expect(signerOfPlanDir(remote.out)).toEqual({ kind: 'keyless', identity: signing.identity, issuer: signing.issuer });
    const refusal = (dir: string): string => {
      try {
        signerOfPlanDir(dir);
      } catch (error) {
        expect(error).toBeInstanceOf(GitOpsInputError);
        expect((error as GitOpsInputError).field).toBe('plan');
        return (error as Error).message;
      }
      throw new Error(`${dir} was accepted`);
    };
    expect(refusal(join(remote.root, 'missing'))).toMatch(/^plan: .*missing: expected the folder of a plan --out \(manifest\.json\), found no such file or directory$/);
    const edited = join(remote.root, 'edited-plan');
    cpSync(remote.out, edited, { recursive: true });
    const script = join(edited, 'scripts/promote.sh');
    writeFileSync(script, readFileSync(script, 'utf8').replace(/^readonly CERT_IDENTITY='[^']*'$/m, "readonly CERT_IDENTITY='https://github.com/mallory/x/.github/workflows/r.yml@refs/heads/main'"));
    expect(refusal(edited)).toMatch(/^plan: .*edited-plan: expected scripts\/promote\.sh as the plan wrote it \(sha256 [0-9a-f]{64} in manifest\.json\), found [0-9a-f]{64}: it was edited$/);
    writeFileSync(join(edited, 'manifest.json'), '{"files":');
    expect(refusal(edited)).toMatch(/: expected manifest\.json to be JSON, found invalid JSON$/);
    writeFileSync(join(edited, 'manifest.json'), '{"files":[]}');
    expect(refusal(edited)).toMatch(/: expected the plan's promotion script \(scripts\/promote\.sh or scripts\/scripted_deploy\.sh\) in manifest\.json, found none$/);
  });
});
