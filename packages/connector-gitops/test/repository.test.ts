import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitOpsFailedError, GitOpsInputError, openGitOpsRepository, promotionFilesOf, type GitOpsRepository } from '@ringmaster/connector-gitops';
import { cloneOf, configRemote, digestOf, git, hasGit, hasKubectl, type ConfigRemote } from './repo.js';

const title = hasGit ? 'GitOps repository connector against a real config repository' : 'GitOps repository connector: SKIPPED, git is not installed (run scripts/install-system-deps.sh)';

describe.skipIf(!hasGit)(title, () => {
  let remote: ConfigRemote;
  let repo: GitOpsRepository;
  const image = 'ghcr.io/acme/crm-api';
  const commits = (dir: string): number => Number(git(dir, 'rev-list', '--count', 'HEAD').trim());
  let n = 0;
  const fresh = (): string => cloneOf(remote, `check-${n++}`);

  beforeAll(async () => {
    remote = await configRemote();
    repo = openGitOpsRepository({ url: remote.url });
  }, 120_000);
  afterAll(() => repo?.close());

  it('discovers exactly the overlays the plan defines, and nothing is promoted yet', async () => {
    const [first, second] = remote.delivery.targets.map((t) => t.name) as [string, string];
    expect(await repo.history(first)).toEqual([]);
    await expect(repo.history('nowhere')).rejects.toThrow(`target: expected one of ${first}, ${second}, found "nowhere"`);
    expect(promotionFilesOf(remote.delivery).map((f) => f.path)).toEqual(remote.delivery.targets.map((t) => `${remote.delivery.gitops.overlayPath(remote.delivery.services[0].name, t.name)}/kustomization.yaml`));
  });

  it('promotes as one commit that names the run and step, changing only the digest line; a retried step writes nothing', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    const path = `${remote.delivery.gitops.overlayPath(remote.delivery.services[0].name, target)}/kustomization.yaml`;
    const before = readFileSync(join(remote.out, remote.delivery.gitops.configDir, path), 'utf8');
    const result = await repo.promote({ target, image, digest: digestOf('a'), runId: 'run-1', stepId: 'promote-ring-0' });
    expect(result).toMatchObject({ action: 'promote', status: 'committed', target, image, digest: digestOf('a'), previousDigest: remote.delivery.unpromotedDigest, path, branch: 'main', attempts: 1, repository: remote.url });

    const dir = fresh();
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(result.commit);
    const message = git(dir, 'log', '-1', '--format=%B');
    expect(message).toContain(`promote crm-api to ${digestOf('a')} on ${target}`);
    expect(message).toMatch(/Ringmaster-Run: run-1\nRingmaster-Step: promote-ring-0\nRingmaster-Target: /);
    const after = readFileSync(join(dir, path), 'utf8');
    expect(after).toBe(before.replace(remote.delivery.unpromotedDigest, digestOf('a')));
    if (hasKubectl) expect(execFileSync('kubectl', ['kustomize', join(dir, remote.delivery.gitops.overlayPath(remote.delivery.services[0].name, target))], { encoding: 'utf8' })).toContain(`image: ${image}@${digestOf('a')}`);

    const count = commits(dir);
    const retried = await repo.promote({ target, image, digest: digestOf('a'), runId: 'run-1', stepId: 'promote-ring-0' });
    expect(retried).toMatchObject({ status: 'already-done', commit: result.commit, digest: digestOf('a') });
    const again = await repo.promote({ target, digest: digestOf('a'), runId: 'run-2', stepId: 'promote-ring-0' });
    expect(again).toMatchObject({ status: 'unchanged', commit: null });
    expect(commits(fresh())).toBe(count);
  });

  it('lists promotions newest first and rolls back to the previous digest, or to one named', async () => {
    const target = remote.delivery.targets[1]?.name as string;
    await repo.promote({ target, image, digest: digestOf('b'), runId: 'run-3', stepId: 's1' });
    await repo.promote({ target, image, digest: digestOf('c'), runId: 'run-4', stepId: 's1' });
    expect((await repo.history(target)).map((p) => [p.digest, p.runId, p.stepId])).toEqual([
      [digestOf('c'), 'run-4', 's1'],
      [digestOf('b'), 'run-3', 's1'],
    ]);

    const dry = await repo.rollback({ target, runId: 'run-5', stepId: 'rollback', dryRun: true });
    expect(dry).toMatchObject({ action: 'rollback', status: 'dry-run', digest: digestOf('b'), previousDigest: digestOf('c'), commit: null });
    const count = commits(fresh());
    expect(count).toBeGreaterThan(0);

    const rolled = await repo.rollback({ target, runId: 'run-5', stepId: 'rollback' });
    expect(rolled).toMatchObject({ status: 'committed', digest: digestOf('b'), previousDigest: digestOf('c') });
    expect(commits(fresh())).toBe(count + 1);
    expect((await repo.history(target)).map((p) => p.digest)).toEqual([digestOf('b'), digestOf('c'), digestOf('b')]);
    expect(git(fresh(), 'log', '-1', '--format=%s').trim()).toBe(`rollback crm-api to ${digestOf('b')} on ${target}`);

    await expect(repo.rollback({ target, to: digestOf('f'), runId: 'run-6', stepId: 'rollback' })).rejects.toThrow(
      `to: expected a digest promoted to ${target} before (${digestOf('c')}), found ${digestOf('f')}`,
    );
    expect((await repo.rollback({ target, to: digestOf('c'), runId: 'run-6', stepId: 'rollback' })).digest).toBe(digestOf('c'));
  });

  it('queues concurrent calls on one repository object: two steps at once make two commits, not a broken checkout', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    const [x, y] = await Promise.all([
      repo.promote({ target, digest: digestOf('7'), runId: 'run-8', stepId: 'a' }),
      repo.promote({ target, digest: digestOf('8'), runId: 'run-8', stepId: 'b' }),
    ]);
    expect([x.status, y.status]).toEqual(['committed', 'committed']);
    expect((await repo.history(target)).slice(0, 2).map((p) => p.digest)).toEqual([digestOf('8'), digestOf('7')]);
  });

  it('refuses bad input before touching anything', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    const untouched = openGitOpsRepository({ url: 'file:///nonexistent/never-cloned.git' });
    await expect(untouched.promote({ target, digest: 'sha256:xyz', runId: 'r', stepId: 's' })).rejects.toThrow('digest: expected sha256: and 64 lower-case hex digits, found "sha256:xyz"');
    await expect(untouched.promote({ target, digest: digestOf('a'), runId: 'two words', stepId: 's' })).rejects.toBeInstanceOf(GitOpsInputError);
    await expect(untouched.promote({ target, image: 'ghcr.io/acme/crm-api:latest', digest: digestOf('a'), runId: 'r', stepId: 's' })).rejects.toThrow('image: expected an image repository');
    await expect(repo.promote({ target, image: 'ghcr.io/acme/other', digest: digestOf('d'), runId: 'r', stepId: 's' })).rejects.toThrow(`image: expected one of ${image} for target ${target}`);
    expect(() => openGitOpsRepository({ url: 'https://user:pw@example.com/acme/crm-deploy.git' })).toThrow('expected a URL without credentials');
    expect(() => openGitOpsRepository({ url: 'http://example.com/acme/crm-deploy.git' })).toThrow('http:// only on loopback');
  });

  it('retries a push rejected by a concurrent commit on the new head', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    // A pre-push hook (through a global config only this test uses) lands another commit on the remote once, right before the connector's push.
    const hooks = join(remote.root, 'hooks');
    mkdirSync(hooks, { recursive: true });
    const other = cloneOf(remote, 'concurrent');
    const marker = join(remote.root, 'concurrent-done');
    writeFileSync(
      join(hooks, 'pre-push'),
      `#!/bin/sh\n[ -e '${marker}' ] && exit 0\ntouch '${marker}'\ncd '${other}' && echo change >> README.concurrent && GIT_CONFIG_GLOBAL=/dev/null git add -A && GIT_CONFIG_GLOBAL=/dev/null git -c user.name=other -c user.email=other@example.invalid commit -q -m 'concurrent change' && GIT_CONFIG_GLOBAL=/dev/null git push -q origin HEAD:main\n`,
    );
    chmodSync(join(hooks, 'pre-push'), 0o755);
    const globalConfig = join(remote.root, 'gitconfig');
    writeFileSync(globalConfig, `[core]\n\thooksPath = ${hooks}\n`);
    const previous = process.env['GIT_CONFIG_GLOBAL'];
    process.env['GIT_CONFIG_GLOBAL'] = globalConfig;
    const racing = openGitOpsRepository({ url: remote.url });
    try {
      const result = await racing.promote({ target, image, digest: digestOf('e'), runId: 'run-7', stepId: 'promote' });
      expect(result).toMatchObject({ status: 'committed', attempts: 2 });
      const dir = fresh();
      expect(git(dir, 'log', '-2', '--format=%s').trim().split('\n')).toEqual([`promote crm-api to ${digestOf('e')} on ${target}`, 'concurrent change']);
      expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(result.commit);
    } finally {
      if (previous === undefined) delete process.env['GIT_CONFIG_GLOBAL'];
      else process.env['GIT_CONFIG_GLOBAL'] = previous;
      await racing.close();
    }
  });

  it('uses the SSH key file from the environment through GIT_SSH_COMMAND', async () => {
    // A stand-in ssh on PATH records the arguments git gives it, then refuses the connection.
    const bin = join(remote.root, 'ssh-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(bin, 'ssh.log');
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\necho 'Permission denied (publickey).' >&2\nexit 255\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    const previous = process.env['PATH'];
    process.env['PATH'] = `${bin}:${previous ?? ''}`;
    const key = join(remote.root, "deploy key's file");
    const ssh = openGitOpsRepository({ url: 'git@git.example.internal:acme/crm-deploy.git', credentials: { sshKeyFile: key } });
    try {
      await expect(ssh.history('canary')).rejects.toThrow(/^git clone of the config repository failed: .*Permission denied \(publickey\)/);
      const args = readFileSync(log, 'utf8').split('\n');
      expect(args.slice(0, 8)).toEqual(['-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes']);
      expect(args).toContain('git@git.example.internal');
    } finally {
      process.env['PATH'] = previous;
      await ssh.close();
    }
  });

  it('sends the HTTPS token as a header, never in argv, URL or errors', async () => {
    const token = 'ghp_S3cretTokenValue0123456789abcdef';
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`forbidden for ${req.headers.authorization ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const http = openGitOpsRepository({ url: `http://127.0.0.1:${port}/acme/crm-deploy.git`, credentials: { token } });
      const error = await http.history('canary').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitOpsFailedError);
      expect(String((error as Error).message)).not.toContain(token);
      expect(String((error as Error).message)).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'));
      expect(seen).toContain(`Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`);
    } finally {
      server.close();
    }
  });
});
