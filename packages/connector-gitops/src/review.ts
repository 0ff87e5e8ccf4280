import { GitOpsFailedError, GitOpsInputError } from './errors.js';

/** A pull request (GitHub) or merge request (GitLab). */
export interface ReviewRequest {
  url: string;
  number: number;
}

/** Where a repository that requires review gets its promotions: a branch and a pull/merge request through the provider's REST API. */
export interface ReviewOptions {
  provider: 'github' | 'gitlab';
  /** REST API base: `https://api.github.com`, `https://github.example.com/api/v3`, `https://gitlab.com/api/v4`. */
  apiUrl: string;
  /** The repository on the provider: `owner/repo` (GitHub) or the project path `group/sub/project` (GitLab). */
  project: string;
  /** API token (from the environment); sent as a header, never in a message. */
  token: string;
}

export const DEFAULT_API_URL = { github: 'https://api.github.com', gitlab: 'https://gitlab.com/api/v4' } as const;

export interface ReviewApi {
  /** The open or merged request from `branch`, if one exists. */
  find(branch: string): Promise<ReviewRequest | null>;
  open(request: { branch: string; base: string; title: string; body: string }): Promise<ReviewRequest>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function reviewApi(options: ReviewOptions): ReviewApi {
  let base: URL;
  try {
    base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
  } catch {
    throw new GitOpsInputError('api-url', `expected the provider's REST API URL, found ${JSON.stringify(options.apiUrl.slice(0, 80))}`);
  }
  if (!(base.protocol === 'https:' || (base.protocol === 'http:' && LOOPBACK.has(base.hostname))) || base.username !== '' || base.password !== '') {
    throw new GitOpsInputError('api-url', `expected an https:// URL without credentials (http:// only on loopback), found ${base.protocol}//${base.host}`);
  }
  if (!/^[\w.-]+(?:\/[\w.-]+)+$/.test(options.project)) throw new GitOpsInputError('project', `expected owner/repo or group/project, found ${JSON.stringify(options.project.slice(0, 80))}`);
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> =
      options.provider === 'github'
        ? { authorization: `Bearer ${options.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
        : { 'private-token': options.token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, base), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GitOpsFailedError(`${options.provider} API at ${base.origin}: unreachable (${cause?.code ?? cause?.message ?? (error as Error).message})`);
    }
    const text = await response.text();
    if (!response.ok) {
      const reason = text.split(options.token).join('[REDACTED]').replace(/\s+/g, ' ').slice(0, 200);
      throw new GitOpsFailedError(`${options.provider} API: ${method} ${path.split('?')[0]} answered HTTP ${response.status}: ${reason}`);
    }
    return JSON.parse(text) as unknown;
  };
  if (options.provider === 'github') {
    const [owner] = options.project.split('/');
    const repo = `repos/${options.project}`;
    return {
      async find(branch) {
        const found = (await call('GET', `${repo}/pulls?state=all&head=${encodeURIComponent(`${owner}:${branch}`)}`)) as { html_url: string; number: number }[];
        const pr = found[0];
        return pr ? { url: pr.html_url, number: pr.number } : null;
      },
      async open({ branch, base: target, title, body }) {
        const pr = (await call('POST', `${repo}/pulls`, { title, head: branch, base: target, body })) as { html_url: string; number: number };
        return { url: pr.html_url, number: pr.number };
      },
    };
  }
  const project = `projects/${encodeURIComponent(options.project)}`;
  return {
    async find(branch) {
      const found = (await call('GET', `${project}/merge_requests?source_branch=${encodeURIComponent(branch)}`)) as { web_url: string; iid: number }[];
      const mr = found[0];
      return mr ? { url: mr.web_url, number: mr.iid } : null;
    },
    async open({ branch, base: target, title, body }) {
      const mr = (await call('POST', `${project}/merge_requests`, { source_branch: branch, target_branch: target, title, description: body, remove_source_branch: true })) as { web_url: string; iid: number };
      return { url: mr.web_url, number: mr.iid };
    },
  };
}
