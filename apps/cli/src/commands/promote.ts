import { Option, type Command } from 'commander';
import { deliverySystem, KNOWN_TOP_LEVEL_KEYS, normalizeProfile, parseProfileText, validateProfile } from '@ringmaster/core';
import type { ActionResult, GitOpsRepository, PromotionFile, RollbackRequest } from '@ringmaster/connector-gitops';
import type { ActionData } from '@ringmaster/evidence';
import { evidenceRecorder, type ActionRecorder } from '../evidence-log.js';
import { readProfileText } from '../io.js';
import { formatOption } from './options.js';

/**
 * `ringmaster promote` and `ringmaster rollback`: the GitOps connector from a terminal or a
 * pipeline. Credentials come only from the environment (RINGMASTER_GIT_TOKEN, RINGMASTER_GIT_SSH_KEY_FILE, ...).
 */

interface RepoOptions {
  configRepo: string;
  target: string;
  image?: string;
  branch?: string;
  profile?: string;
  run?: string;
  step?: string;
  dryRun?: boolean;
  review?: 'github' | 'gitlab';
  apiUrl?: string;
  project?: string;
  evidence?: string;
  format: string;
}

function repoOptions(command: Command): Command {
  return command
    .requiredOption('--config-repo <url>', 'the GitOps config repository (https://, ssh://, git@host:path, file://); credentials from the environment only')
    .requiredOption('--target <name>', 'the ring, region or environment (an overlay of the config repository)')
    .option('--image <repository>', "the image repository without tag or digest (default: the one the target's overlay names)")
    .option('--branch <name>', "branch to commit to (default: the repository's default branch)")
    .option('--profile <file>', 'the delivery profile: use exactly its overlays (default: found in the repository)')
    .option('--run <id>', 'run id written as the Ringmaster-Run trailer; the same --run and --step again finds its commit and writes nothing')
    .option('--step <id>', 'step id written as the Ringmaster-Step trailer (default: promote-<target> / rollback-<target>)')
    .option('--dry-run', 'say what would be committed, write nothing')
    .addOption(new Option('--review <provider>', 'the repository requires review: push a branch and open a pull/merge request (token: RINGMASTER_GIT_TOKEN)').choices(['github', 'gitlab']))
    .option('--api-url <url>', 'with --review: the REST API base (default https://api.github.com, https://gitlab.com/api/v4)')
    .option('--project <path>', 'with --review: owner/repo or group/project on the provider')
    .option('--evidence <file>', "the run's evidence log (hash-chained JSON Lines): created if missing, one action.performed event appended per action; its run id is the commit's Ringmaster-Run")
    .addOption(formatOption(['text', 'json'], 'text'));
}

/** The promotion files of the profile's delivery system (the selected modes do not change the layout). */
function filesOfProfile(file: string, promotionFilesOf: (d: ReturnType<typeof deliverySystem>) => PromotionFile[]): PromotionFile[] {
  const { profile } = normalizeProfile(validateProfile(parseProfileText(readProfileText(file))).profile, KNOWN_TOP_LEVEL_KEYS);
  return promotionFilesOf(deliverySystem(profile, []));
}

async function withRepository<T>(options: RepoOptions, act: (repo: GitOpsRepository) => Promise<T>): Promise<T> {
  const { credentialsFromEnv, DEFAULT_API_URL, GIT_ENV, GitOpsInputError, openGitOpsRepository, promotionFilesOf } = await import('@ringmaster/connector-gitops');
  const env = process.env;
  const credentials = credentialsFromEnv(env);
  let repo: GitOpsRepository | null = null;
  try {
    if ((options.apiUrl !== undefined || options.project !== undefined) && options.review === undefined) throw new GitOpsInputError('--review', 'expected github or gitlab with --api-url/--project, found none');
    if (options.review !== undefined && options.project === undefined) throw new GitOpsInputError('--project', `expected the repository's path on ${options.review} with --review, found none`);
    if (options.review !== undefined && credentials.token === undefined) throw new GitOpsInputError(GIT_ENV.token, `expected a token for the ${options.review} API with --review, found none`);
    repo = openGitOpsRepository({
      url: options.configRepo,
      credentials,
      ...(options.review !== undefined ? { review: { provider: options.review, apiUrl: options.apiUrl ?? DEFAULT_API_URL[options.review], project: options.project as string, token: credentials.token as string } } : {}),
      ...(options.branch ? { branch: options.branch } : {}),
      ...(options.profile ? { files: filesOfProfile(options.profile, promotionFilesOf) } : {}),
      author: { name: env[GIT_ENV.authorName] || 'Ringmaster', email: env[GIT_ENV.authorEmail] || 'ringmaster@users.noreply.invalid' },
    });
    return await act(repo);
  } catch (error) {
    // The connector names the request field; the CLI names the option that carries it.
    if (error instanceof GitOpsInputError && error.field in OPTION_OF) throw new GitOpsInputError(OPTION_OF[error.field] as string, error.detail);
    throw error;
  } finally {
    await repo?.close();
  }
}

const OPTION_OF: Record<string, string> = { 'api-url': '--api-url', project: '--project', url: '--config-repo', target: '--target', image: '--image', digest: '--digest', to: '--to', run: '--run', step: '--step' };

/**
 * The request fields both actions share. The run id is --run, else the evidence log's run, else
 * the time (then only the same digest again is a no-op).
 */
function requestOf(options: RepoOptions, action: ActionResult['action'], recorder: ActionRecorder): RollbackRequest {
  return {
    target: options.target,
    runId: options.run ?? recorder.runId ?? `cli-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`,
    stepId: options.step ?? `${action}-${options.target}`,
    dryRun: options.dryRun === true,
    ...(options.image ? { image: options.image } : {}),
  };
}

/** The evidence of a finished action: what was written (or found) where. */
function actionData(result: ActionResult): ActionData {
  return {
    action: result.action,
    outcome: result.status === 'dry-run' ? 'dry-run' : 'done',
    service: result.image.split('/').at(-1) as string,
    ring: result.target,
    repository: result.repository,
    path: result.path,
    ...(result.commit === null ? {} : { commit: result.commit }),
    ...(result.review === null ? {} : { review_url: result.review.url }),
    image: result.image,
    digest: result.digest,
  };
}

/**
 * Opens the evidence log (refusing one that does not verify before anything is done), runs the
 * action, and records its outcome: done or dry-run, refused (the connector refused the request) or
 * failed (git or the provider failed). The error, if any, is the command's.
 */
async function recorded(options: RepoOptions, action: ActionResult['action'], about: Partial<ActionData>, act: (recorder: ActionRecorder) => Promise<ActionResult>): Promise<void> {
  const recorder = await evidenceRecorder(options.evidence, { kind: action === 'promote' ? 'promotion' : 'rollback', title: `${action} ${options.target}`, params: { target: options.target } }, options.run);
  const step = options.step ?? `${action}-${options.target}`;
  let result: ActionResult;
  try {
    result = await act(recorder);
  } catch (error) {
    const { GitOpsInputError } = await import('@ringmaster/connector-gitops');
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    await recorder.record({ step, data: { action, outcome: error instanceof GitOpsInputError ? 'refused' : 'failed', ring: options.target, ...about, reason } });
    throw error;
  }
  await recorder.record({ step, data: actionData(result) });
  report(result, options.format);
}

function report(result: ActionResult, format: string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const ref = `${result.image}@${result.digest}`;
  const where = `${result.repository} ${result.branch}:${result.path}`;
  const lines: Record<ActionResult['status'], string> = {
    committed: `${result.action}: ${result.target} now runs ${ref} (commit ${result.commit}, ${where})`,
    'review-requested': `${result.action}: review requested for ${ref} on ${result.target}: ${result.review?.url ?? ''} (branch ${result.review?.branch ?? ''}, commit ${result.commit})`,
    'already-done': `${result.action}: this step already ${result.review ? `requested review of ${ref} on ${result.target}: ${result.review.url}` : `committed ${ref} to ${result.target}`} (commit ${result.commit}, ${where}); nothing written`,
    unchanged: `${result.action}: ${result.target} already runs ${ref}; nothing written`,
    'dry-run': `${result.action} (dry run): would commit ${ref} to ${result.target} (now ${result.previousDigest ?? 'no digest'}) in ${where}`,
  };
  process.stdout.write(`${lines[result.status]}\n`);
}

export function registerPromote(program: Command): void {
  repoOptions(program.command('promote').description('Promote a built, signed image digest to one target: one commit to the GitOps config repository'))
    .requiredOption('--digest <sha256>', 'the image digest (sha256:<64 hex>)')
    .action((options: RepoOptions & { digest: string }) =>
      recorded(options, 'promote', { digest: options.digest, ...(options.image ? { image: options.image } : {}) }, (recorder) =>
        withRepository(options, (repo) => repo.promote({ ...requestOf(options, 'promote', recorder), digest: options.digest })),
      ),
    );
}

export function registerRollback(program: Command): void {
  repoOptions(program.command('rollback').description('Without --to: list the digests promoted to a target, newest first. With --to: commit the target back to one of them'))
    .option('--to <sha256>', 'a digest promoted to the target before')
    .action(async (options: RepoOptions & { to?: string }) => {
      const to = options.to;
      if (to !== undefined) {
        await recorded(options, 'rollback', { digest: to, ...(options.image ? { image: options.image } : {}) }, (recorder) =>
          withRepository(options, (repo) => repo.rollback({ ...requestOf(options, 'rollback', recorder), to })),
        );
        return;
      }
      await withRepository(options, async (repo) => {
        const history = await repo.history(options.target, options.image);
        if (options.format === 'json') process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
        else if (history.length === 0) process.stdout.write(`${options.target}: nothing promoted yet\n`);
        else {
          history.forEach((p, i) => process.stdout.write(`${p.digest}  ${p.committedAt}  ${p.commit.slice(0, 12)}${p.runId ? `  run ${p.runId}` : ''}${i === 0 ? '  (current)' : ''}\n`));
        }
      });
    });
}
