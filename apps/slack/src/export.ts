import { RunRepository } from './db/runs.js';
import type { Store } from './db/store.js';
import { evidenceSigner, type EvidenceSigner } from './signing.js';

/**
 * The evidence bundle of one run, straight from the database the app uses: the same
 * bundle `/release export` posts, for auditors and scripts without Slack access.
 * Undefined when there is no such run. Signed by `signer` (by default the one of a
 * configuration that names no key, as in tests).
 */
export async function exportBundle(store: Store, runId: string, signer: EvidenceSigner = evidenceSigner(undefined)): Promise<string | undefined> {
  const repo = new RunRepository(store, 0);
  if (!(await repo.getRun(runId))) return undefined;
  return `${JSON.stringify(signer.bundle(await repo.events(runId)), null, 2)}\n`;
}
