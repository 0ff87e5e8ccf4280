import { defineMode, modeModule } from '@ringmaster/core';
import { migrationArtifacts } from './artifacts.js';
import { migrationRules } from './rules.js';
import { migrationIntents } from './intents.js';

export { EXPAND_CONTRACT_PHASES, migrationRules, MODERNIZE_WORDS, STRANGLER_PHASES } from './rules.js';
export { EXAMPLE, featureFlagMigration, ingressRouting, migrationContract, migrationScript, rollbackPlan, schemaLinter, stranglerPattern } from './artifacts.js';

/** Zero-downtime data migrations (expand-contract) and monolith modernization (strangler fig). Not numbered in the spec. */
export const migrationMode = defineMode({
  id: 'migration',
  sections: [{ id: 'migration_plan' }],
  title: 'Zero-Downtime Migrations',
  specMode: null,
  kb: ['KB_08#ZeroDowntime', 'KB_01#Architecture'],
  dependsOn: {
    inputs: ['/goal', '/data/primary_store', '/data/sharding_model', '/crm_profile/multi_tenant', '/release_policy/ring_model', '/ci_platform'],
    asks: ['multi_tenancy'],
  },
  intents: migrationIntents,
  keywords: ['migrat*', 'schema*', 'database*', 'db', 'dbs', 'sql', 'monolith*', 'moderni*', 'decompos*', 'strangler*', 'microservice*', 'micro services', 'replatform*', 'expand contract'],
  signals: [{ id: 'data:primary_store', weight: 0.3, when: (p) => p.data.primary_store !== 'unknown' }],
  rules: migrationRules,
  artifacts: migrationArtifacts,
  risks: (_ctx, decided) => (decided.get('migration_plan.approach') === 'strangler_fig' ? ['deployment-failed'] : ['destructive-migration']),
  notes: (ctx, decided) =>
    decided.get('migration_plan.approach') === 'expand-contract' && !['postgres', 'unknown'].includes(ctx.profile.data.store_family)
      ? { warnings: [`migration: the expand/contract SQL is written for PostgreSQL; write it in the dialect of ${ctx.profile.data.primary_store} (the phases and rollback plan apply as they are).`] }
      : {},
});

export const migrationModule = modeModule(migrationMode);
