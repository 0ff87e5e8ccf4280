import type { IntentTable } from '@ringmaster/core';

/** How people ask for schema changes and database moves without downtime (monoliths: the mode's keywords). Phrase syntax: see intent.ts in core. */
export const migrationIntents: IntentTable = {
  outcome: 'a zero-downtime migration: expand/contract schema changes or a strangler-fig split of a monolith',
  intents: [
    {
      means: 'a schema change on live data',
      phrases: ['rename ... column*', 'add ... column*', 'drop ... column*', 'remov* ... column*', 'chang* ... column*', 'split ... column*', 'column type', 'not null', 'alter table', 'big table*', 'large table*', 'huge table*', '# tb', '# gb', 'billion* ... row*', 'million* ... row*', 'backfill*', 'add* ... index*', 'lock* ... table*', 'table lock*', 'data model', 'rename ... table*', 'split ... table*'],
    },
    {
      means: 'a database move or upgrade',
      phrases: ['upgrade ... postgres*', 'postgres* ... upgrade*', 'upgrade ... mysql', 'mysql ... upgrade*', 'major version upgrade*', 'move ... to aurora', 'move ... to rds', 'move ... off oracle', 'switch ... database*', 'cut over', 'cutover', 'dual write*', 'flyway', 'liquibase', 'alembic', 'prisma migrate', 'orm'],
    },
    {
      means: 'no downtime while users work',
      weight: 0.35,
      phrases: ['without downtime', 'no downtime', 'zero downtime', 'while ... customer* ... us*', 'while ... user* ... us*', 'while ... live', 'live traffic', 'online'],
    },
  ],
  // A database backed up, restored or failed over is disaster recovery, not a migration.
  falseFriends: ['database* ... backup*', 'backup* ... database*', 'db backup*', 'back up ... database*', 'restor* ... database*', 'database* ... restor*', 'restor* ... db', 'database* ... failover*', 'database* ... fail* over', 'database* ... down', 'database* ... outage*', 'database* ... credential*', 'database* password*', 'db password*', 'database* ... secret*', 'sql injection', 'corrupt* ... database*', 'database* ... corrupt*', 'json schema*', 'schema registry', 'database* ... cost*', 'database* ... latency', 'database* ... slow'],
};
