import { createSlackApp } from './app.js';
import { ConfigError, parseConfig } from './config.js';
import { migrate } from './db/migrations.js';
import { openStore } from './db/store.js';
import { createLogger } from './log.js';
import { loadRoles } from './roles.js';

/** Starts the Slack app from the environment; a configuration problem is one line naming the variable, exit 2. */
async function main(): Promise<void> {
  let config;
  let roles;
  try {
    config = parseConfig(process.env);
    roles = loadRoles(config.rolesFile);
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
  const rm = createSlackApp({ config, store, roles, log });
  await rm.start();
  log.info({ mode: config.appToken ? 'socket' : 'http', port: config.appToken ? undefined : config.port }, 'ringmaster slack app started');
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await rm.stop().catch((err: unknown) => log.error({ err }, 'stop failed'));
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
