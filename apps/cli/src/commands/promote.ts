import { Option, type Command } from 'commander';
import { RingmasterError } from '@ringmaster/core';
import type { ActionResult, FileSelector, GitOpsRepository, RollbackRequest, SignatureVerifier } from '@ringmaster/connector-gitops';
import type { ActionData } from '@ringmaster/evidence';
import { evidenceRecorder, type ActionRecorder } from '../evidence-log.js';
import { deliveryOfProfile, PlanSignerInputError } from '../plan-signer.js';
import { formatOption } from './options.js';

/**
 * `ringmaster promote` and `ringmaster rollback`: the GitOps connector from a terminal or a
 * pipeline. Credentials come only from the environment (RINGMASTER_GIT_TOKEN, RINGMASTER_GIT_SSH_KEY_FILE, ...).
 */

interface RepoOptions {
  configRepo: string;
  target: string;
  service?: string;
  image?: string;
  branch?: string;
  profile?: string;
  plan?: string;
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
    .option('--service <name>', "the service whose overlay to change, when the target has several (apps/<service>/overlays/<target>)")
    .option('--image <repository>', "the image repository without tag or digest (default: the one the target's overlay names)")
    .option('--branch <name>', "branch to commit to (default: the repository's default branch)")
    .option('--profile <file>', "the delivery profile: use exactly its overlays (default: found in the repository), and verify the digest's signature against its plan's release signer")
    .option('--plan <dir>', "a plan --out folder: verify the digest's signature against the signer its promotion script names")
    .option('--run <id>', 'run id written as the Ringmaster-Run trailer; the same --run and --step again finds its commit and writes nothing')
    .option('--step <id>', 'step id written as the Ringmaster-Step trailer (default: promote-<target> / rollback-<target>)')
    .option('--dry-run', 'say what would be committed, write nothing')
    .addOption(new Option('--review <provider>', 'the repository requires review: push a branch and open a pull/merge request (token: RINGMASTER_GIT_TOKEN)').choices(['github', 'gitlab']))
    .option('--api-url <url>', 'with --review: the REST API base (default https://api.github.com, https://gitlab.com/api/v4)')
    .option('--project <path>', 'with --review: owner/repo or group/project on the provider')
    .option('--evidence <file>', "the run's evidence log (hash-chained JSON Lines): created if missing, one action.performed event appended per action; its run id is the commit's Ringmaster-Run")
    .addOption(formatOption(['text', 'json'], 'text'));
}

/**
 * Opens the config repository for `act`. With `verify` (promote, rollback --to), every digest to be
 * written is first checked with `cosign verify` against the signer the plan's release pipeline
 * signs with (from --profile or --plan; there is no other source, and no way around it).
 */
async function withRepository<T>(options: RepoOptions, act: (repo: GitOpsRepository) => Promise<T>, verify = false): Promise<T> {
  const { cosignVerifier, credentialsFromEnv, DEFAULT_API_URL, GIT_ENV, GitOpsInputError, openGitOpsRepository, promotionFilesOf, signerOfPlanDir } = await import('@ringmaster/connector-gitops');
  const env = process.env;
  const credentials = credentialsFromEnv(env);
  let repo: GitOpsRepository | null = null;
  try {
    if (options.profile !== undefined && options.plan !== undefined) throw new PlanSignerInputError('expected one of --plan DIR or --profile FILE, found both');
    const delivery = options.profile === undefined ? undefined : await deliveryOfProfile(options.profile);
    let verifier: SignatureVerifier | undefined;
    if (verify) {
      const signer = delivery?.ci.signing ?? (options.plan === undefined ? undefined : signerOfPlanDir(options.plan));
      if (signer === undefined) throw new PlanSignerInputError("expected --plan DIR or --profile FILE: the digest's signature is verified against the signer of the plan's release pipeline, found neither");
      verifier = cosignVerifier(signer);
    }
    if ((options.apiUrl !== undefined || options.project !== undefined) && options.review === undefined) throw new GitOpsInputError('--review', 'expected github or gitlab with --api-url/--project, found none');
    if (options.review !== undefined && options.project === undefined) throw new GitOpsInputError('--project', `expected the repository's path on ${options.review} with --review, found none`);
    if (options.review !== undefined && credentials.token === undefined) throw new GitOpsInputError(GIT_ENV.token, `expected a token for the ${options.review} API with --review, found none`);
    repo = openGitOpsRepository({
      url: options.configRepo,
      credentials,
      ...(options.review !== undefined ? { review: { provider: options.review, apiUrl: options.apiUrl ?? DEFAULT_API_URL[options.review], project: options.project as string, token: credentials.token as string } } : {}),
      ...(options.branch ? { branch: options.branch } : {}),
      ...(delivery === undefined ? {} : { files: promotionFilesOf(delivery) }),
      ...(verifier === undefined ? {} : { verifier }),
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

const OPTION_OF: Record<string, string> = { plan: '--plan', 'api-url': '--api-url', project: '--project', url: '--config-repo', target: '--target', service: '--service', image: '--image', digest: '--digest', to: '--to', run: '--run', step: '--step' };

/** The step id written as the Ringmaster-Step trailer and on the evidence events. */
const stepOf = (options: RepoOptions, action: ActionResult['action']): string => options.step ?? `${action}-${options.target}`;

/**
 * The request fields both actions share. The run id is --run, else the evidence log's run, else
 * the time (then only the same digest again is a no-op).
 */
function requestOf(options: RepoOptions, action: ActionResult['action'], recorder: ActionRecorder): RollbackRequest {
  return {
    target: options.target,
    runId: options.run ?? recorder.runId ?? `cli-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`,
    stepId: stepOf(options, action),
    dryRun: options.dryRun === true,
    ...selectorOf(options),
  };
}

/** Which of the target's promotion files: --service and/or --image, as given. */
function selectorOf(options: RepoOptions): FileSelector {
  return { ...(options.service ? { service: options.service } : {}), ...(options.image ? { image: options.image } : {}) };
}

/**
 * Opens the evidence log (refusing one that does not verify before anything is done), runs the
 * action, and records the signature check (when one was made) and the action's outcome: done or
 * dry-run, refused (invalid request, or a signature that does not verify) or failed (git, cosign
 * or the provider failed). The error, if any, is the command's.
 */
async function recorded(options: RepoOptions, action: ActionResult['action'], about: Partial<ActionData>, act: (recorder: ActionRecorder) => Promise<ActionResult>): Promise<void> {
  const recorder = await evidenceRecorder(options.evidence, { kind: action === 'promote' ? 'promotion' : 'rollback', title: `${action} ${options.target}`, params: { target: options.target } }, options.run);
  const step = stepOf(options, action);
  let result: ActionResult;
  const { actionEvidence, SignatureRefusedError, signatureEvidence } = await import('@ringmaster/connector-gitops');
  try {
    result = await act(recorder);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] as string) : String(error);
    const refused = error instanceof SignatureRefusedError || (error instanceof RingmasterError && error.code.endsWith('_input'));
    const signature = error instanceof SignatureRefusedError ? [{ step, data: signatureEvidence(error.check, options.target, options.service) }] : [];
    const image = error instanceof SignatureRefusedError ? { image: error.check.image } : {};
    await recorder.record(...signature, { step, data: { action, outcome: refused ? 'refused' : 'failed', ring: options.target, ...about, ...image, reason } });
    throw error;
  }
  await recorder.record(...actionEvidence(result).map((data) => ({ step, data })));
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
  const signer = result.signature?.signer;
  const signed = signer === undefined ? '' : `  signature verified by cosign: signed by ${signer.kind === 'keyless' ? `${signer.identity} (issuer ${signer.issuer})` : `the key ${signer.keyUri}`}\n`;
  process.stdout.write(`${lines[result.status]}\n${signed}`);
}

export function registerPromote(program: Command): void {
  repoOptions(program.command('promote').description('Promote a built, signed image digest to one target: one commit to the GitOps config repository'))
    .requiredOption('--digest <sha256>', 'the image digest (sha256:<64 hex>)')
    .action((options: RepoOptions & { digest: string }) =>
      recorded(options, 'promote', { digest: options.digest, ...selectorOf(options) }, (recorder) =>
        withRepository(options, (repo) => repo.promote({ ...requestOf(options, 'promote', recorder), digest: options.digest }), true),
      ),
    );
}

export function registerRollback(program: Command): void {
  repoOptions(program.command('rollback').description('Without --to: list the digests promoted to a target, newest first. With --to: commit the target back to one of them'))
    .option('--to <sha256>', 'a digest promoted to the target before')
    .action(async (options: RepoOptions & { to?: string }) => {
      const to = options.to;
      if (to !== undefined) {
        await recorded(options, 'rollback', { digest: to, ...selectorOf(options) }, (recorder) =>
          withRepository(options, (repo) => repo.rollback({ ...requestOf(options, 'rollback', recorder), to }), true),
        );
        return;
      }
      await withRepository(options, async (repo) => {
        const history = await repo.history(options.target, selectorOf(options));
        if (options.format === 'json') process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
        else if (history.length === 0) process.stdout.write(`${options.target}: nothing promoted yet\n`);
        else {
          history.forEach((p, i) => process.stdout.write(`${p.digest}  ${p.committedAt}  ${p.commit.slice(0, 12)}${p.runId ? `  run ${p.runId}` : ''}${i === 0 ? '  (current)' : ''}\n`));
        }
      });
    });
}
