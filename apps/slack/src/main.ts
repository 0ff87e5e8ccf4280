import { connectorsFromEnv } from './actions/connectors.js';
import { createSlackApp } from './app.js';
import { ConfigError, parseConfig } from './config.js';
import { migrate } from './db/migrations.js';
import { openStore } from './db/store.js';
import { exportBundle } from './export.js';
import { createLogger } from './log.js';
import { loadRoles } from './roles.js';
import { evidenceSigner, signingKeySource, type EvidenceSigner } from './signing.js';

const dataDirFromEnv = (): string => process.env['RINGMASTER_DATA_DIR']?.trim() || '.ringmaster-data/';

/** The evidence signing key from the environment (see `signingKeySource`); a bad key is one line, exit 2. */
function signerFromEnv(create: boolean): EvidenceSigner {
  try {
    return evidenceSigner(signingKeySource(process.env, dataDirFromEnv()), { create });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`ringmaster-slack: ${err.message}\n`);
    process.exit(2);
  }
}

/** `public-key`: prints the PEM public key auditors pass to `ringmaster evidence verify --key` (made on first use). */
function publicKeyCommand(): void {
  const signer = signerFromEnv(true);
  process.stdout.write(signer.publicKeyPem);
  process.stderr.write(`ringmaster-slack: key id ${signer.keyId}${signer.publicKeyFile ? `; also in ${signer.publicKeyFile}` : ' (ephemeral: in-memory data dir)'}\n`);
}

/**
 * `export RUN_ID`: prints a run's evidence bundle from the app's database (DATABASE_URL, or
 * RINGMASTER_DATA_DIR for PGlite) and exits; 2 when there is no such run.
 */
async function exportCommand(runId: string | undefined): Promise<void> {
  if (!runId || !/^[\w.-]{1,100}$/.test(runId)) {
    process.stderr.write('ringmaster-slack: usage: export RUN_ID\n');
    process.exit(2);
  }
  const databaseUrl = process.env['DATABASE_URL']?.trim();
  const signer = signerFromEnv(false);
  const store = await openStore({ dataDir: dataDirFromEnv(), ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    await migrate(store);
    const bundle = await exportBundle(store, runId, signer);
    if (bundle === undefined) {
      process.stderr.write(`ringmaster-slack: no run ${runId}\n`);
      process.exitCode = 2;
    } else process.stdout.write(bundle);
  } finally {
    await store.close();
  }
}

/** Starts the Slack app from the environment; a configuration problem is one line naming the variable, exit 2. */
async function main(): Promise<void> {
  if (process.argv[2] === 'export') return exportCommand(process.argv[3]);
  if (process.argv[2] === 'public-key') return publicKeyCommand();
  let config;
  let roles;
  let signer;
  let connectors;
  try {
    const parsed = parseConfig(process.env);
    config = { ...parsed, signing: signingKeySource(process.env, parsed.dataDir) };
    roles = loadRoles(config.rolesFile);
    signer = evidenceSigner(config.signing);
    connectors = connectorsFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ringmaster-slack: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, redactTerms: config.redactTerms });
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  const applied = await migrate(store);
  log.info({ store: store.kind, migrations_applied: applied }, 'database ready');
  const rm = createSlackApp({ config, store, roles, log, connectors, ...(config.replicaId ? { replicaId: config.replicaId } : {}) });
  await rm.start();
  log.info(
    { mode: config.appToken ? 'socket' : 'http', port: config.appToken ? undefined : config.port, gitops: connectors.gitops !== undefined, canary_health: connectors.health !== undefined, dry_run: connectors.dryRun },
    'ringmaster slack app started',
  );
  log.info(
    { key_id: signer.keyId, created: signer.created, ephemeral: signer.ephemeral, public_key_file: signer.publicKeyFile, public_key: signer.publicKeyPem },
    'evidence bundles are signed with this key; auditors verify them with its public key (`public-key` prints it)',
  );
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await rm.stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
    await connectors.gitops?.close().catch(() => undefined);
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ringmaster-slack: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
