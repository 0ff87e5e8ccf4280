import { buildBundle } from '@ringmaster/evidence';
import { RunRepository } from './db/runs.js';
import type { Store } from './db/store.js';

/**
 * The evidence bundle of one run, straight from the database the app uses: the same
 * bundle `/release export` posts, for auditors and scripts without Slack access.
 * Undefined when there is no such run.
 */
export async function exportBundle(store: Store, runId: string): Promise<string | undefined> {
  const repo = new RunRepository(store, 0);
  if (!(await repo.getRun(runId))) return undefined;
  return `${JSON.stringify(buildBundle(await repo.events(runId)), null, 2)}\n`;
}
