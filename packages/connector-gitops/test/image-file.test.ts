import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGitOpsRepository, promotionFilesOf, type GitOpsRepository } from '@ringmaster/connector-gitops';
import { cloneOf, configRemote, digestOf, hasGit, PROFILE, type ConfigRemote } from './repo.js';

/** Without a GitOps operator (push to VMs) promotion writes `releases/<target>/<service>.image`, which the scripted deploy reads. */
describe.skipIf(!hasGit)(hasGit ? 'GitOps repository connector without an operator: the release image file' : 'image file: SKIPPED, git is not installed', () => {
  let remote: ConfigRemote;
  let repo: GitOpsRepository;
  beforeAll(async () => {
    remote = await configRemote({ ...PROFILE, infra: { cloud_provider: 'aws', orchestrator: 'vm' }, cd_strategy: 'push', gitops_tool: undefined });
    repo = openGitOpsRepository({ url: remote.url, files: promotionFilesOf(remote.delivery) });
  }, 120_000);
  afterAll(() => repo?.close());

  it('creates the file on the first promotion, lists it, and rolls back', async () => {
    expect(remote.delivery.gitops.tool).toBe('none');
    const target = remote.delivery.targets[0]?.name as string;
    const image = remote.delivery.services[0].image;
    expect(await repo.history(target)).toEqual([]);
    const first = await repo.promote({ target, digest: digestOf('1'), runId: 'r1', stepId: 'deploy' });
    expect(first).toMatchObject({ status: 'committed', previousDigest: null, path: remote.delivery.gitops.imageFile(remote.delivery.services[0].name, target) });
    await repo.promote({ target, digest: digestOf('2'), runId: 'r2', stepId: 'deploy' });
    expect((await repo.history(target)).map((p) => p.digest)).toEqual([digestOf('2'), digestOf('1')]);
    await repo.rollback({ target, runId: 'r3', stepId: 'rollback' });
    expect(readFileSync(join(cloneOf(remote, 'check'), remote.delivery.gitops.imageFile(remote.delivery.services[0].name, target)), 'utf8')).toBe(`${image}@${digestOf('1')}\n`);
    await expect(repo.promote({ target: 'elsewhere', digest: digestOf('3'), runId: 'r4', stepId: 'deploy' })).rejects.toThrow(/^target: expected one of /);
  });
});
