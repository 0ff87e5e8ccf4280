import type { EvidenceBundle, EvidenceEvent } from '@ringmaster/evidence';
import type { AppConfig } from './config.js';
import type { RunRepository } from './db/runs.js';
import { evidenceSigner, type EvidenceSigner } from './signing.js';
import type { OutFile, SlackOut } from './slack-out.js';
import type { SlackText } from './slack-text.js';

/** Slack errors worth another attempt later; any other platform error (channel_not_found, ...) will not change. */
const TRANSIENT_SLACK_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** A run's evidence cannot be bundled (its stored chain does not verify): trying again cannot help. */
export class BundleError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`the evidence bundle of ${runId} cannot be built: ${reason}`);
    this.name = 'BundleError';
  }
}

/** A failure that will not change on another attempt: a bundle that cannot be built, or a Slack error such as channel_not_found. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof BundleError) return true;
  const e = err as { code?: string; data?: { error?: string } };
  return e.code === 'slack_webapi_platform_error' && !TRANSIENT_SLACK_ERRORS.has(String(e.data?.error));
}

/** A failure's reason for the user: a bundle's reason, Slack's error code, or the message. */
export function failureText(err: unknown): string {
  if (err instanceof BundleError) return err.reason;
  const e = err as { data?: { error?: string }; message?: string };
  return String(e.data?.error ?? e.message ?? err);
}

/** The run's signed evidence bundle; a chain that does not verify is a BundleError. */
function bundleOf(runId: string, events: readonly EvidenceEvent[], signer: EvidenceSigner): EvidenceBundle {
  try {
    return signer.bundle(events);
  } catch (err) {
    throw new BundleError(runId, (err as Error).message);
  }
}

/** Uploads runs' signed evidence bundles (the closing upload and `/release export`). */
export class EvidencePublisher {
  constructor(
    private readonly repo: RunRepository,
    private readonly slack: SlackOut,
    private readonly config: AppConfig,
  ) {}

  /** Uploads a run's evidence bundle with `comment` into `target` (a channel, and a thread when given); returns the head hash. */
  async upload(runId: string, comment: SlackText, target: { channel: string; thread_ts?: string }): Promise<string> {
    const bundle = bundleOf(runId, await this.repo.events(runId), evidenceSigner(this.config.signing));
    const files: OutFile[] = [
      { filename: `${runId}-evidence.json`, title: `Evidence bundle ${runId}`, content: `${JSON.stringify(bundle, null, 2)}\n` },
      { filename: `${runId}-summary.md`, title: `Summary ${runId}`, content: bundle.summary_markdown },
      ...(bundle.postmortem_markdown ? [{ filename: `${runId}-postmortem.md`, title: `Post-mortem draft ${runId}`, content: bundle.postmortem_markdown }] : []),
    ];
    await this.slack.upload(target.channel, files, comment, target.thread_ts);
    return bundle.head.hash;
  }
}
