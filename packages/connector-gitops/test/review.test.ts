import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitOpsFailedError, openGitOpsRepository } from '@ringmaster/connector-gitops';
import { configRemote, digestOf, git, hasGit, type ConfigRemote } from './repo.js';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A local stand-in for the GitHub and GitLab REST APIs: records every request, keeps the requests it opened. */
function fakeProvider(): { server: Server; requests: Recorded[]; url: () => string } {
  const requests: Recorded[] = [];
  const opened: { branch: string; number: number }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers, body });
      const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (url.pathname === '/repos/acme/crm-deploy/pulls' && req.method === 'GET') {
        const branch = (url.searchParams.get('head') ?? '').replace(/^acme:/, '');
        return json(200, opened.filter((o) => o.branch === branch).map((o) => ({ number: o.number, html_url: `https://github.example/acme/crm-deploy/pull/${o.number}` })));
      }
      if (url.pathname === '/repos/acme/crm-deploy/pulls' && req.method === 'POST') {
        opened.push({ branch: (body as { head: string }).head, number: opened.length + 1 });
        return json(201, { number: opened.length, html_url: `https://github.example/acme/crm-deploy/pull/${opened.length}` });
      }
      if (url.pathname === '/api/v4/projects/acme-group%2Fcrm%2Fcrm-deploy/merge_requests' && req.method === 'POST') {
        return json(201, { iid: 7, web_url: 'https://gitlab.example/acme-group/crm/crm-deploy/-/merge_requests/7' });
      }
      if (url.pathname.startsWith('/api/v4/projects/acme-group%2Fcrm%2Fcrm-deploy/merge_requests')) return json(200, []);
      return json(403, { message: `forbidden with ${req.headers.authorization ?? req.headers['private-token'] ?? ''}` });
    });
  });
  return { server, requests, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!hasGit)(hasGit ? 'review mode: a branch and a pull/merge request instead of a push to the branch' : 'review mode: SKIPPED, git is not installed', () => {
  let remote: ConfigRemote;
  const provider = fakeProvider();
  const token = 'glpat-ReviewS3cret0123';
  beforeAll(async () => {
    await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
    remote = await configRemote();
  }, 120_000);
  afterAll(() => provider.server.close());

  it('GitHub: pushes a review branch, opens one pull request with the run and step, and a retry finds it', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    const repo = openGitOpsRepository({ url: remote.url, review: { provider: 'github', apiUrl: provider.url(), project: 'acme/crm-deploy', token } });
    try {
      const mainBefore = git(remote.bare, 'rev-parse', 'refs/heads/main').trim();
      const result = await repo.promote({ target, digest: digestOf('a'), runId: 'run:9', stepId: 'promote-ring-0' });
      const branch = `ringmaster/${target}/run-9/promote-ring-0`;
      expect(result).toMatchObject({ status: 'review-requested', review: { url: 'https://github.example/acme/crm-deploy/pull/1', number: 1, branch } });
      expect(git(remote.bare, 'rev-parse', 'refs/heads/main').trim()).toBe(mainBefore);
      expect(git(remote.bare, 'rev-parse', `refs/heads/${branch}`).trim()).toBe(result.commit);
      expect(git(remote.bare, 'show', `${branch}:${result.path}`)).toContain(`digest: ${digestOf('a')}`);

      const post = provider.requests.find((r) => r.method === 'POST');
      expect(post?.path).toBe('/repos/acme/crm-deploy/pulls');
      expect(post?.headers.authorization).toBe(`Bearer ${token}`);
      expect(post?.headers['x-github-api-version']).toBe('2022-11-28');
      expect(post?.body).toEqual({
        title: `promote crm-api to ${digestOf('a')} on ${target}`,
        head: branch,
        base: 'main',
        body: `Image: ghcr.io/acme/crm-api@${digestOf('a')}\n\nRingmaster-Run: run:9\nRingmaster-Step: promote-ring-0\nRingmaster-Target: ${target}`,
      });

      const retried = await repo.promote({ target, digest: digestOf('a'), runId: 'run:9', stepId: 'promote-ring-0' });
      expect(retried).toMatchObject({ status: 'already-done', commit: result.commit, review: { number: 1 } });
      expect(provider.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    } finally {
      await repo.close();
    }
  });

  it('GitLab: opens a merge request on the project path; a refusal is a clear error without the token', async () => {
    const target = remote.delivery.targets[1]?.name as string;
    const gitlab = openGitOpsRepository({ url: remote.url, review: { provider: 'gitlab', apiUrl: `${provider.url()}/api/v4`, project: 'acme-group/crm/crm-deploy', token } });
    try {
      const result = await gitlab.rollback({ target, to: undefined, runId: 'r1', stepId: 's1' }).catch((e: unknown) => e);
      expect((result as Error).message).toBe(`target: expected an earlier promotion of ${target} to roll back to, found none`);
      const promoted = await gitlab.promote({ target, digest: digestOf('b'), runId: 'r2', stepId: 's2' });
      expect(promoted.review?.url).toBe('https://gitlab.example/acme-group/crm/crm-deploy/-/merge_requests/7');
      const post = provider.requests.filter((r) => r.method === 'POST').at(-1);
      expect(post?.path).toBe('/api/v4/projects/acme-group%2Fcrm%2Fcrm-deploy/merge_requests');
      expect(post?.headers['private-token']).toBe(token);
      expect(post?.body).toMatchObject({ source_branch: `ringmaster/${target}/r2/s2`, target_branch: 'main', title: `promote crm-api to ${digestOf('b')} on ${target}`, remove_source_branch: true });
    } finally {
      await gitlab.close();
    }
    const refused = openGitOpsRepository({ url: remote.url, review: { provider: 'github', apiUrl: provider.url(), project: 'acme/other', token } });
    try {
      const error = await refused.promote({ target, digest: digestOf('c'), runId: 'r3', stepId: 's3' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitOpsFailedError);
      expect((error as Error).message).toMatch(/^github API: POST repos\/acme\/other\/pulls answered HTTP 403: /);
      expect((error as Error).message).not.toContain(token);
    } finally {
      await refused.close();
    }
  });
});
