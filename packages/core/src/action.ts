/**
 * The `data` of an evidence log's `action.performed` event: one thing Ringmaster did (or refused, failed, or
 * only said it would do) outside the run, with what an auditor needs to find it again. Never a
 * credential: the repository URL carries no user information.
 */
export interface ActionData {
  action: 'promote' | 'rollback' | 'canary-health' | 'verify-signature';
  outcome: 'done' | 'refused' | 'failed' | 'dry-run';
  /** What the action was about. */
  service?: string;
  ring?: string;
  /** Config repository URL (no credentials) and overlay file path. */
  repository?: string;
  path?: string;
  /** The commit SHA written / found, or the PR/MR URL. */
  commit?: string;
  review_url?: string;
  /** Image reference and sha256 digest promoted / rolled back to. */
  image?: string;
  digest?: string;
  /** Query values (success rate, latency, burn rate ...). */
  measurements?: Record<string, number>;
  /** One line: why refused/failed. */
  reason?: string;
}
