import { matchKeywords, type ModeContext, type Rule } from '@ringmaster/core';

/** Goal words that mean breaking up or modernizing a monolith, rather than changing a schema. */
export const MODERNIZE_WORDS = ['monolith*', 'moderni*', 'decompos*', 'strangler*', 'microservice*', 'micro services', 'replatform*'] as const;

export const EXPAND_CONTRACT_PHASES = ['expand', 'migrate', 'contract'] as const;
export const STRANGLER_PHASES = ['identify_seam', 'decouple', 'route_traffic', 'retire_legacy'] as const;

export const isStrangler = (ctx: ModeContext): boolean => matchKeywords(ctx.intent, MODERNIZE_WORDS).length > 0;

const RELATIONAL = new Set(['postgres', 'mysql', 'sqlserver', 'oracle', 'unknown']);
/** Relational, or not said (the generic enterprise CRM pattern assumes a relational database). */
export const relationalStore = (ctx: ModeContext): boolean => RELATIONAL.has(ctx.profile.data.store_family);

const sharding = (...models: string[]) => (ctx: ModeContext) => models.includes(ctx.profile.data.sharding_model);

/** Migration decisions: how a change to data or architecture ships without downtime and with a way back. */
export const migrationRules: readonly Rule[] = [
  {
    id: 'migration/approach-strangler',
    field: 'migration_plan.approach',
    when: isStrangler,
    value: 'strangler_fig',
    why: 'A monolith is modernized piece by piece: a proxy routes one seam at a time to the new service, so every step is small, observable and reversible, unlike a big-bang rewrite.',
    kb: ['KB_01#Strangler_Fig', 'KB_01#Architecture'],
  },
  {
    id: 'migration/approach-expand-contract',
    field: 'migration_plan.approach',
    value: 'expand-contract',
    why: 'Schema changes ship as expand (additive), migrate (dual write, backfill, switch reads) and contract (remove the old shape), so old and new application versions run against the same schema with zero downtime.',
    kb: ['KB_08#Expand_Contract', 'KB_08#ZeroDowntime'],
  },
  {
    id: 'migration/phases-strangler',
    field: 'migration_plan.phases',
    when: isStrangler,
    value: [...STRANGLER_PHASES],
    why: 'Find a seam with clear boundaries, decouple it into a service with its own data, shift traffic to it through the proxy behind a flag, and retire the legacy path only when no traffic reaches it.',
    kb: ['KB_01#Strangler_Fig'],
  },
  {
    id: 'migration/phases-expand-contract',
    field: 'migration_plan.phases',
    value: [...EXPAND_CONTRACT_PHASES],
    why: 'Expand adds the new column nullable with a dual-write trigger; migrate backfills in batches and moves reads; contract drops the old column only after every running version uses the new one.',
    kb: ['KB_08#Expand_Contract', 'KB_08#Dual_Write'],
  },
  {
    id: 'migration/rollback-route-back',
    field: 'migration_plan.rollback_strategy',
    when: isStrangler,
    value: 'route_back_to_legacy',
    why: 'Until the legacy path is retired, rollback is turning the use_new_service flag off (or the route back), which sends traffic to the monolith again within seconds.',
    kb: ['KB_01#Strangler_Fig', 'KB_02#Feature_Flags'],
  },
  {
    id: 'migration/rollback-backward-compatible',
    field: 'migration_plan.rollback_strategy',
    value: 'backward_compatible_schema',
    why: 'Every schema step stays compatible with the previous application version, so rolling back is reverting the app, never restoring the database.',
    kb: ['KB_08#ZeroDowntime', 'KB_14#Rollback'],
  },
  {
    id: 'migration/linter-atlas',
    field: 'migration_plan.schema_linter',
    when: relationalStore,
    value: 'atlas',
    why: 'Atlas lints every new migration in CI and fails the build on destructive or backward-incompatible changes, the detection control of the destructive-migration risk.',
    kb: ['KB_08#Schema_Linting'],
  },
  {
    id: 'migration/tenancy-single',
    field: 'migration_plan.tenancy_rollout',
    when: (ctx) => ctx.profile.crm.multi_tenant === false,
    value: 'single_run',
    why: 'One tenant, one database: each phase runs once.',
    kb: ['KB_08#Expand_Contract'],
  },
  {
    id: 'migration/tenancy-db-per-tenant',
    field: 'migration_plan.tenancy_rollout',
    when: sharding('db_per_tenant'),
    value: 'per_tenant_waves_by_cohort',
    why: 'Each tenant has its own database, so each phase walks the tenants in waves by cohort (internal first), and a failing tenant stops the wave before it reaches the rest.',
    kb: ['KB_01#Multi_Tenancy', 'KB_18#Cohorts'],
  },
  {
    id: 'migration/tenancy-hybrid',
    field: 'migration_plan.tenancy_rollout',
    when: sharding('hybrid'),
    value: 'per_shard_waves_then_shared',
    why: 'Dedicated tenant databases go in cohort waves, and the shared database once, after the first wave proved the migration.',
    kb: ['KB_01#Multi_Tenancy', 'KB_18#Cohorts'],
  },
  {
    id: 'migration/tenancy-shared',
    field: 'migration_plan.tenancy_rollout',
    when: sharding('shared_schema', 'shared_db'),
    value: 'once_behind_expand',
    why: 'All tenants share the schema, so each phase runs once for everyone; the expand step keeps it safe because nothing removes or changes what running code uses.',
    kb: ['KB_01#Multi_Tenancy', 'KB_08#Expand_Contract'],
  },
  {
    id: 'migration/tenancy-ask',
    field: 'migration_plan.tenancy_rollout',
    value: 'pending_clarification',
    why: 'How tenants map to databases decides whether a migration runs once or in tenant waves; the profile does not say, so it is asked (section 4, multi-tenancy).',
    kb: ['KB_01#Multi_Tenancy'],
  },
];
