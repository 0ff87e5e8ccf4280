/** Types of the spec's section 3.1 profile, as given and as normalized. */

export const CLOUDS = ['aws', 'gcp', 'azure', 'on_prem', 'unknown'] as const;
export const ORCHESTRATORS = ['kubernetes', 'ecs', 'nomad', 'vm', 'serverless', 'unknown'] as const;
export const SHARDING_MODELS = ['shared_db', 'shared_schema', 'db_per_tenant', 'hybrid', 'unknown'] as const;
export const COHORT_STRATEGIES = ['tenant_cohort', 'traffic_percent', 'user_segment', 'hybrid'] as const;
export const APPROVAL_LEVELS = ['automated', 'peer_review', 'cab', 'unknown'] as const;
export const CD_STRATEGIES = ['gitops', 'push', 'manual'] as const;
export const RISK_TIERS = ['low', 'medium', 'high'] as const;
export const PAINS = [
  'pipeline_slow',
  'flaky_tests',
  'incidents',
  'audit_findings',
  'costs',
  'vuln_debt',
  'runner_risk',
  'manual_toil',
] as const;
export const CI_VENDORS = ['github_actions', 'gitlab_ci', 'azure_devops', 'other', 'unknown'] as const;
export const GITOPS_TOOLS = ['argocd', 'flux', 'other', 'unknown'] as const;

export type Cloud = (typeof CLOUDS)[number];
export type Orchestrator = (typeof ORCHESTRATORS)[number];
export type ShardingModel = (typeof SHARDING_MODELS)[number];
export type CohortStrategy = (typeof COHORT_STRATEGIES)[number];
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];
export type CdStrategy = (typeof CD_STRATEGIES)[number];
export type RiskTier = (typeof RISK_TIERS)[number];
export type Pain = (typeof PAINS)[number];
export type CiVendor = (typeof CI_VENDORS)[number];
export type GitopsTool = (typeof GITOPS_TOOLS)[number];
export type StoreFamily = 'postgres' | 'mysql' | 'sqlserver' | 'oracle' | 'mongodb' | 'dynamodb' | 'other' | 'unknown';
export type Tristate = boolean | 'unknown';

/** The team's own names (input schema `delivery`); every field optional. */
export interface ProfileDelivery {
  organization?: string;
  app_repository?: string;
  config_repository?: string;
  git_host?: string;
  registry?: string;
  services?: { name: string; port?: number; health_path?: string; image?: string; build_context?: string }[];
  environments?: { name: string; region?: string; cluster?: string; cluster_server?: string }[];
  cloud?: { aws_account_id?: string; gcp_project_id?: string; gcp_project_number?: string; azure_subscription_id?: string; azure_tenant_id?: string };
  github_ids?: { owner_id?: string; repository_id?: string };
  azure_devops_ids?: { subject_prefix?: string; organization_id?: string; service_connection_id?: string };
  api_host?: string;
  risk_acceptance_log?: string;
}

/** A profile as the user wrote it (validated against schemas/input.schema.json). */
export interface Profile {
  goal: string;
  crm_profile?: {
    multi_tenant: boolean;
    tenant_count?: number;
    data_residency_regions?: string[];
    integrations?: string[];
    api_public?: boolean;
  };
  infra?: { cloud_provider?: Cloud; orchestrator?: Orchestrator; regions?: string[] };
  data?: { primary_store?: string; sharding_model?: ShardingModel };
  release_policy?: {
    cadence?: string;
    ring_model?: { enabled?: boolean; rings?: string[]; cohort_strategy?: CohortStrategy };
    change_approval_level?: ApprovalLevel;
  };
  stack?: { languages?: string[]; runtime?: string; repo_model?: 'monorepo' | 'polyrepo'; build_system?: string };
  ci_platform?: string;
  cd_strategy?: CdStrategy;
  gitops_tool?: string;
  observability_stack?: { vendor?: string; tracing_backend?: string; metrics_backend?: string; log_backend?: string };
  compliance?: { targets?: string[]; audit_evidence_required?: boolean };
  risk_tier?: RiskTier;
  current_pain?: Pain[];
  delivery?: ProfileDelivery;
  [unknownKey: string]: unknown;
}

/**
 * The profile every mode sees: every field present, `"unknown"` where the user
 * said nothing, sets sorted, vendor names canonical. Frozen by the engine.
 */
export interface NormalizedProfile {
  goal: string;
  crm: {
    /** `generic_enterprise`: no CRM details given, so the spec's generic pattern (API-first, relational DB). */
    pattern: 'generic_enterprise' | 'described';
    multi_tenant: Tristate;
    tenant_count: number | 'unknown';
    data_residency_regions: readonly string[];
    integrations: readonly string[];
    api_public: Tristate;
  };
  infra: { cloud_provider: Cloud; orchestrator: Orchestrator; regions: readonly string[] };
  data: { primary_store: string; store_family: StoreFamily; sharding_model: ShardingModel };
  release_policy: {
    cadence: string;
    ring_model: { enabled: Tristate; rings: readonly string[]; cohort_strategy: CohortStrategy | 'unknown' };
    change_approval_level: ApprovalLevel;
  };
  stack: { languages: readonly string[]; runtime: string; repo_model: 'monorepo' | 'polyrepo' | 'unknown'; build_system: string };
  ci_platform: string;
  ci_vendor: CiVendor;
  cd_strategy: CdStrategy | 'unknown';
  gitops_tool: GitopsTool;
  observability: { vendor: string; tracing_backend: string; metrics_backend: string; log_backend: string };
  compliance: { targets: readonly string[]; audit_evidence_required: Tristate };
  risk_tier: RiskTier;
  current_pain: readonly Pain[];
  /** The team's names as given (`{}` when none); the engine turns them into the plan's DeliverySystem. */
  delivery: ProfileDelivery;
  /** JSON pointers of the fields the user actually gave. */
  provided: readonly string[];
  /** Top-level keys outside the input schema, kept as given. */
  extra: Readonly<Record<string, unknown>>;
}
