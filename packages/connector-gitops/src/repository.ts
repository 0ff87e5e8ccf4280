import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GitOpsFailedError, GitOpsInputError } from './errors.js';
import { Git, GitCommandError, type GitCredentials } from './git.js';
import { discoverPromotionFiles, readDigest, writeDigest, type PromotionFile } from './layout.js';
import { reviewApi, type ReviewApi, type ReviewOptions, type ReviewRequest } from './review.js';
import { SignatureRefusedError, type SignatureCheck, type SignatureVerifier } from './signature.js';
import { checkDigest, checkId, checkImage, checkRepositoryUrl, checkServiceName, checkTargetName } from './validate.js';

/** One promotion of a target as the config repository's history shows it. */
export interface Promotion {
  digest: string;
  image: string;
  commit: string;
  /** Committer date, ISO 8601. */
  committedAt: string;
  /** From the commit's `Ringmaster-Run` / `Ringmaster-Step` trailers, when Ringmaster wrote it. */
  runId: string | null;
  stepId: string | null;
}

/** Which of a target's promotion files an action is about; optional when the target has exactly one. */
export interface FileSelector {
  /** Image repository without tag or digest. */
  image?: string;
  /** The service (its folder in the config repository: `apps/<service>/overlays/...`, `releases/<target>/<service>.image`). */
  service?: string;
}

export interface PromoteRequest extends FileSelector {
  target: string;
  digest: string;
  /** The run and step this action belongs to: written as commit trailers, and how a retried step finds its own commit. */
  runId: string;
  stepId: string;
  /** Say what would be done, write nothing. */
  dryRun?: boolean;
}

export interface RollbackRequest extends Omit<PromoteRequest, 'digest'> {
  /** A digest promoted to the target before; default: the one before the current digest. */
  to?: string;
}

export interface ActionResult {
  action: 'promote' | 'rollback';
  /**
   * committed: a new commit was pushed; review-requested: pushed to a review branch and a pull/merge request opened;
   * already-done: this run's step had committed it (or opened its request) before; unchanged: the target already ran
   * the digest; dry-run: nothing written.
   */
  status: 'committed' | 'review-requested' | 'already-done' | 'unchanged' | 'dry-run';
  target: string;
  /** The service whose promotion file changed (or would). */
  service: string;
  image: string;
  digest: string;
  previousDigest: string | null;
  /** The commit that carries the change (null for unchanged and dry-run). */
  commit: string | null;
  /** The repository URL (credential-free) and branch, and the file in it. */
  repository: string;
  branch: string;
  path: string;
  /** Push attempts (more than one when a concurrent commit moved the branch). */
  attempts: number;
  /** In review mode: the pull/merge request and its branch. */
  review: (ReviewRequest & { branch: string }) | null;
  /** With a verifier: the signature check of the digest (made before anything is written; absent when nothing was to be written). */
  signature?: SignatureCheck;
}

function checkSelector({ image, service }: FileSelector): void {
  if (image !== undefined) checkImage('image', image);
  if (service !== undefined) checkServiceName('service', service);
}

/** The GitOps config repository: what was promoted where, and promotion/rollback as commits. */
export interface GitOpsRepository {
  /** Digests promoted to a target, newest first (the file's history, one entry per change of digest). */
  history(target: string, select?: FileSelector): Promise<Promotion[]>;
  promote(request: PromoteRequest): Promise<ActionResult>;
  rollback(request: RollbackRequest): Promise<ActionResult>;
  /** Removes the local checkout. */
  close(): Promise<void>;
}

export interface GitRepositoryOptions {
  url: string;
  credentials?: GitCredentials;
  /** Branch promotions go to; default: the remote's default branch. */
  branch?: string;
  /** The promotion files (e.g. `promotionFilesOf(delivery)`); default: discovered from the repository's files. */
  files?: readonly PromotionFile[];
  author?: { name: string; email: string };
  /** Push attempts when concurrent commits move the branch. */
  maxAttempts?: number;
  /** For a repository that requires review: push a branch and open a pull/merge request instead of pushing to the branch. */
  review?: ReviewOptions;
  /**
   * Checks the signature of every digest a promotion or rollback would write (e.g. `cosignVerifier(delivery.ci.signing)`);
   * one that does not verify is refused (`SignatureRefusedError`) and nothing is written, also in a dry run.
   */
  verifier?: SignatureVerifier;
}

const UNPROMOTED_RE = /^sha256:0{64}$/;
const TRAILER = { run: 'Ringmaster-Run', step: 'Ringmaster-Step', target: 'Ringmaster-Target' } as const;
const FIELD_SEP = '\x1f';
const RECORD_SEP = '\x1e';

/** Opens the config repository (nothing is fetched until the first call). */
export function openGitOpsRepository(options: GitRepositoryOptions): GitOpsRepository {
  checkRepositoryUrl('url', options.url);
  return new GitRepository(options);
}

class GitRepository implements GitOpsRepository {
  private readonly git: Git;
  private checkout: string | null = null;
  private branch: string | null;
  private readonly review: ReviewApi | null;
  /** One action at a time on the one checkout (two clicks at once queue up). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GitRepositoryOptions) {
    this.git = new Git(options.credentials ?? {});
    this.branch = options.branch ?? null;
    this.review = options.review === undefined ? null : reviewApi(options.review);
  }

  async history(target: string, select: FileSelector = {}): Promise<Promotion[]> {
    checkTargetName('target', target);
    checkSelector(select);
    return this.exclusive(async () => {
      const dir = await this.sync();
      return this.promotions(dir, await this.fileFor(dir, target, select));
    });
  }

  async promote(request: PromoteRequest): Promise<ActionResult> {
    checkDigest('digest', request.digest);
    this.checkRequest(request);
    return this.exclusive(() => this.write('promote', request, () => Promise.resolve(request.digest)));
  }

  async rollback(request: RollbackRequest): Promise<ActionResult> {
    if (request.to !== undefined) checkDigest('to', request.to);
    this.checkRequest(request);
    return this.exclusive(() => this.write('rollback', request, async (dir, file, current) => {
      const earlier = (await this.promotions(dir, file)).filter((p) => p.digest !== current);
      if (request.to === undefined) {
        const previous = earlier[0];
        if (previous === undefined) throw new GitOpsInputError('target', `expected an earlier promotion of ${file.target} to roll back to, found none`);
        return previous.digest;
      }
      if (!earlier.some((p) => p.digest === request.to)) {
        const list = [...new Set(earlier.map((p) => p.digest))].join(', ') || 'none';
        throw new GitOpsInputError('to', `expected a digest promoted to ${file.target} before (${list}), found ${request.to}`);
      }
      return request.to;
    }));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.checkout !== null) await rm(dirname(this.checkout), { recursive: true, force: true });
      this.checkout = null;
    });
  }

  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    const run = this.queue.then(action, action);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkRequest(request: Omit<PromoteRequest, 'digest'>): void {
    checkTargetName('target', request.target);
    checkSelector(request);
    checkId('run', request.runId);
    checkId('step', request.stepId);
  }

  /** Clones once, then fetches and resets to the remote branch: every action starts from the remote head. */
  private async sync(): Promise<string> {
    if (this.checkout === null) {
      const parent = await mkdtemp(join(tmpdir(), 'ringmaster-config-'));
      const dir = join(parent, 'config');
      const branchArgs = this.branch === null ? [] : ['--branch', this.branch];
      try {
        await this.git.run(parent, ['clone', '--quiet', '--no-tags', ...branchArgs, '--', this.options.url, dir], 'git clone of the config repository');
      } catch (error) {
        await rm(parent, { recursive: true, force: true });
        throw error;
      }
      this.checkout = dir;
      if (this.branch === null) this.branch = (await this.git.run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
      return dir;
    }
    await this.git.run(this.checkout, ['fetch', '--quiet', '--no-tags', 'origin', this.remoteBranch()], 'git fetch of the config repository');
    await this.git.run(this.checkout, ['reset', '--quiet', '--hard', 'FETCH_HEAD']);
    return this.checkout;
  }

  private remoteBranch(): string {
    return this.branch ?? 'HEAD';
  }

  private async fileFor(dir: string, target: string, { image, service }: FileSelector): Promise<PromotionFile> {
    const files = this.options.files ?? (await this.discover(dir));
    const targets = [...new Set(files.map((f) => f.target))];
    const forTarget = files.filter((f) => f.target === target);
    if (forTarget.length === 0) throw new GitOpsInputError('target', `expected one of ${targets.join(', ') || '(no overlays found in the config repository)'}, found ${JSON.stringify(target)}`);
    const ofService = service === undefined ? forTarget : forTarget.filter((f) => f.service === service);
    if (ofService.length === 0) throw new GitOpsInputError('service', `expected one of ${[...new Set(forTarget.map((f) => f.service))].join(', ')} for target ${target}, found ${JSON.stringify(service)}`);
    const matching = image === undefined ? ofService : ofService.filter((f) => f.image === image);
    if (matching.length === 1) return matching[0] as PromotionFile;
    const images = ofService.map((f) => f.image).join(', ');
    throw new GitOpsInputError('image', `expected one of ${images} for target ${target}${service === undefined ? '' : ` and service ${service}`}, found ${image === undefined ? 'none given' : JSON.stringify(image)}`);
  }

  private async discover(dir: string): Promise<PromotionFile[]> {
    const paths = (await this.git.run(dir, ['ls-files', '-z'])).split('\0').filter((p) => p !== '');
    const texts = new Map<string, string>();
    for (const path of paths) if (/(?:kustomization\.ya?ml|\.image)$/.test(path)) texts.set(path, await readFile(join(dir, path), 'utf8'));
    return discoverPromotionFiles([...texts.keys()], (path) => texts.get(path) as string);
  }

  private async readAt(dir: string, commit: string, path: string): Promise<string | null> {
    try {
      return await this.git.run(dir, ['show', `${commit}:${path}`]);
    } catch (error) {
      if (error instanceof GitCommandError) return null; // the file did not exist at that commit
      throw error;
    }
  }

  private async readNow(dir: string, path: string): Promise<string | null> {
    try {
      return await readFile(join(dir, path), 'utf8');
    } catch {
      return null;
    }
  }

  private async log(dir: string, path: string): Promise<{ commit: string; committedAt: string; runId: string | null; stepId: string | null; target: string | null }[]> {
    const trailer = (key: string): string => `%(trailers:key=${key},valueonly,separator=%x2C)`;
    const format = ['%H', '%cI', trailer(TRAILER.run), trailer(TRAILER.step), trailer(TRAILER.target)].join('%x1f') + '%x1e';
    const out = await this.git.run(dir, ['log', `--format=${format}`, 'HEAD', '--', path]);
    return out
      .split(RECORD_SEP)
      .map((r) => r.trim())
      .filter((r) => r !== '')
      .map((record) => {
        const [commit, committedAt, runId, stepId, target] = record.split(FIELD_SEP).map((f) => f.trim());
        return { commit: commit as string, committedAt: committedAt as string, runId: runId || null, stepId: stepId || null, target: target || null };
      });
  }

  private async promotions(dir: string, file: PromotionFile): Promise<Promotion[]> {
    const entries = (await this.log(dir, file.path)).reverse();
    const promotions: Promotion[] = [];
    let last: string | null = null;
    for (const entry of entries) {
      const digest = readDigest(file, await this.readAt(dir, entry.commit, file.path));
      if (digest !== null && digest !== last && !UNPROMOTED_RE.test(digest)) {
        promotions.push({ digest, image: file.image, commit: entry.commit, committedAt: entry.committedAt, runId: entry.runId, stepId: entry.stepId });
      }
      last = digest;
    }
    return promotions.reverse();
  }

  private async write(
    action: ActionResult['action'],
    request: Omit<PromoteRequest, 'digest'>,
    digestFor: (dir: string, file: PromotionFile, current: string | null) => Promise<string>,
  ): Promise<ActionResult> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    // One check per digest, however many push attempts it takes.
    let signature: SignatureCheck | undefined;
    for (let attempt = 1; ; attempt++) {
      const dir = await this.sync();
      const file = await this.fileFor(dir, request.target, request);
      const text = await this.readNow(dir, file.path);
      const current = readDigest(file, text);
      const result = (status: ActionResult['status'], digest: string, commit: string | null, review: ActionResult['review'] = null): ActionResult => ({
        action,
        status,
        target: file.target,
        service: file.service,
        image: file.image,
        digest,
        previousDigest: current,
        commit,
        repository: this.git.redact(this.options.url),
        branch: this.branch as string,
        path: file.path,
        attempts: attempt,
        review,
        ...(signature === undefined ? {} : { signature }),
      });
      // A retried step finds the commit it made before and writes nothing.
      const own = (await this.log(dir, file.path)).find((e) => e.runId === request.runId && e.stepId === request.stepId && e.target === file.target);
      if (own) return result('already-done', readDigest(file, await this.readAt(dir, own.commit, file.path)) ?? '', own.commit);
      const digest = await digestFor(dir, file, current);
      if (digest === current) return result('unchanged', digest, null);
      if (this.options.verifier !== undefined && signature?.digest !== digest) {
        signature = await this.options.verifier.verify(file.image, digest);
        if (!signature.verified) throw new SignatureRefusedError(signature);
      }
      if (request.dryRun === true) return result('dry-run', digest, null);
      const reviewBranch = `ringmaster/${[file.target, request.runId, request.stepId].map((part) => part.replace(/[^A-Za-z0-9_-]+/g, '-')).join('/')}`;
      if (this.review !== null) {
        // A retried step finds the branch it pushed and the request it opened (or opens the one a failure left out).
        const pushed = (await this.git.run(dir, ['ls-remote', 'origin', `refs/heads/${reviewBranch}`], 'git ls-remote of the config repository')).split(/\s/)[0];
        if (pushed) {
          const existing = await this.review.find(reviewBranch);
          const opened = existing ?? (await this.review.open(this.reviewRequest(reviewBranch, action, file, digest, request)));
          return result(existing ? 'already-done' : 'review-requested', digest, pushed, { ...opened, branch: reviewBranch });
        }
      }

      const next = writeDigest(file, text, digest);
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await writeFile(join(dir, file.path), next);
      const base = (await this.git.run(dir, ['rev-parse', 'HEAD'])).trim();
      await this.git.run(dir, ['add', '--', file.path]);
      await this.git.run(dir, [...this.identity(), 'commit', '--quiet', '--no-verify', '-m', this.message(action, file, digest, request)]);
      const commit = (await this.git.run(dir, ['rev-parse', 'HEAD'])).trim();
      if (this.review !== null) {
        await this.git.run(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${reviewBranch}`], 'git push of the review branch');
        await this.git.run(dir, ['reset', '--quiet', '--hard', base]);
        const opened = await this.review.open(this.reviewRequest(reviewBranch, action, file, digest, request));
        return result('review-requested', digest, commit, { ...opened, branch: reviewBranch });
      }
      try {
        await this.git.run(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${this.branch as string}`], 'git push to the config repository');
        return result('committed', digest, commit);
      } catch (error) {
        // Retry only when a concurrent commit moved the branch; any other refusal is final.
        const moved = await this.remoteHead().then((head) => head !== base).catch(() => false);
        if (!moved || attempt >= maxAttempts) {
          await this.git.run(dir, ['reset', '--quiet', '--hard', base]);
          if (moved) throw new GitOpsFailedError(`git push to the config repository: the branch ${this.branch as string} kept moving; gave up after ${attempt} attempts`);
          throw error;
        }
      }
    }
  }

  private async remoteHead(): Promise<string> {
    const out = await this.git.run(this.checkout as string, ['ls-remote', 'origin', `refs/heads/${this.branch as string}`], 'git ls-remote of the config repository');
    return out.split(/\s/)[0] ?? '';
  }

  private identity(): string[] {
    const author = this.options.author ?? { name: 'Ringmaster', email: 'ringmaster@users.noreply.invalid' };
    return ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`];
  }

  private reviewRequest(branch: string, action: ActionResult['action'], file: PromotionFile, digest: string, request: Omit<PromoteRequest, 'digest'>): { branch: string; base: string; title: string; body: string } {
    const [title, ...body] = this.message(action, file, digest, request).split('\n');
    return { branch, base: this.branch as string, title: title as string, body: body.join('\n').trim() };
  }

  private message(action: ActionResult['action'], file: PromotionFile, digest: string, request: Omit<PromoteRequest, 'digest'>): string {
    return [
      `${action} ${file.service} to ${digest} on ${file.target}`,
      '',
      `Image: ${file.image}@${digest}`,
      '',
      `${TRAILER.run}: ${request.runId}`,
      `${TRAILER.step}: ${request.stepId}`,
      `${TRAILER.target}: ${file.target}`,
    ].join('\n');
  }
}
