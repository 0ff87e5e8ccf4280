/** An action's outcome, recorded as an `action.performed` event. Same shape as @ringmaster/evidence ActionData. */
export interface ActionData {
  action: 'promote' | 'rollback' | 'canary-health' | 'verify-signature';
  outcome: 'done' | 'refused' | 'failed' | 'dry-run';
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
