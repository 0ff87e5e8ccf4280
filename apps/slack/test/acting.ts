import { rmSync } from 'node:fs';
import { cosignStub, type CosignStub } from '../../../packages/connector-gitops/test/cosign-stub.js';
import type { ConfigRemote } from '../../../packages/connector-gitops/test/repo.js';
import { connectorsFromEnv, type Connectors, type HealthCheck } from '../src/actions/connectors.js';
import { openStore, type Store } from '../src/db/store.js';
import { startHarness, type Harness } from './harness.js';

/** The Slack app with acting steps, and what a test needs to look inside it. */
export interface ActingApp {
  h: Harness;
  store: Store;
  connectors: Connectors;
  /** cosign is not installable here: a stand-in first on PATH records what it is asked to verify. */
  cosign: CosignStub;
  stop(): Promise<void>;
}

/**
 * Starts the app with its GitOps connector on `remote` as its environment configures it (the
 * verifier takes the signer of RINGMASTER_PLAN_DIR; `env` adds to it), the stand-in cosign having
 * signed `signed` (`image@digest`), and `health` when given.
 */
export async function startActingApp(remote: ConfigRemote, signed: readonly string[], options: { env?: Record<string, string>; health?: HealthCheck } = {}): Promise<ActingApp> {
  const cosign = cosignStub();
  const path = process.env['PATH'];
  process.env['PATH'] = `${cosign.dir}:${path ?? ''}`;
  for (const ref of signed) cosign.sign(ref);
  const connectors: Connectors = {
    gitops: connectorsFromEnv({ RINGMASTER_CONFIG_REPO: remote.url, RINGMASTER_PLAN_DIR: remote.out, ...options.env }).gitops!,
    ...(options.health ? { health: options.health } : {}),
    dryRun: false,
  };
  const store = await openStore({ dataDir: 'memory://' });
  const h = await startHarness({ store, app: { connectors } });
  return {
    h,
    store,
    connectors,
    cosign,
    async stop() {
      await h.close();
      await store.close();
      await h.fake.stop();
      await connectors.gitops?.close();
      process.env['PATH'] = path;
      rmSync(cosign.dir, { recursive: true, force: true });
    },
  };
}
