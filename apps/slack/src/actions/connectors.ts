import { cosignVerifier, credentialsFromEnv, DEFAULT_API_URL, GIT_ENV, GitOpsInputError, openGitOpsRepository, signerOfPlanDir, type GitOpsRepository, type ReviewOptions } from '@ringmaster/connector-gitops';
import { canaryHealth, healthChecksOf, MetricsInputError, planFilesOfDir, PROMETHEUS_ENV, prometheusClient, type CanaryHealth, type MetricsSource, type PlanFile } from '@ringmaster/connector-prometheus';
import { ConfigError } from '../config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Decides a target's canary health now, by Prometheus's clock (the plan's analysis queries and SLO burn-rate alerts). */
/** A canary's health on a target; `service` picks its canary when the plan releases several. */
export type HealthCheck = (target: string, service?: string) => Promise<CanaryHealth>;

/**
 * The connectors the acting steps use; each is off (absent) until configured. Bound in
 * the composition root; the credentials stay inside them (never in config, logs,
 * events or Slack).
 */
export interface Connectors {
  /**
   * The GitOps config repository (RINGMASTER_CONFIG_REPO): promotion and rollback commits, promotion
   * history. Every digest it writes is first verified with cosign against the signer of the plan in
   * RINGMASTER_PLAN_DIR (its `verifier`).
   */
  gitops?: GitOpsRepository;
  /** Canary health from Prometheus (RINGMASTER_PROMETHEUS_URL with RINGMASTER_PLAN_DIR). */
  health?: HealthCheck;
  /** RINGMASTER_ACTIONS_DRY_RUN: say what would be done, write nothing. */
  dryRun: boolean;
}

const VARIABLE_OF_FIELD: Readonly<Record<string, string>> = { plan: 'RINGMASTER_PLAN_DIR', url: 'RINGMASTER_CONFIG_REPO', 'api-url': 'RINGMASTER_CONFIG_API_URL', project: 'RINGMASTER_CONFIG_PROJECT' };

/** The plan folder's YAML files; a folder that is not one is a configuration error of RINGMASTER_PLAN_DIR. */
function planFilesIn(dir: string): PlanFile[] {
  try {
    return planFilesOfDir(dir);
  } catch (error) {
    throw error instanceof MetricsInputError ? new ConfigError('RINGMASTER_PLAN_DIR', error.message) : error;
  }
}

export const NO_CONNECTORS: Connectors = { dryRun: false };

/** The health check over a metrics source and the plan's files. */
export function healthCheckOf(source: MetricsSource, files: readonly PlanFile[]): HealthCheck {
  const checks = new Map<string, ReturnType<typeof healthChecksOf>>();
  return async (target, service) => {
    const key = service ?? '';
    if (!checks.has(key)) checks.set(key, healthChecksOf(files, {}, service));
    return canaryHealth(source, checks.get(key) as ReturnType<typeof healthChecksOf>, { target });
  };
}

/**
 * Review mode (RINGMASTER_CONFIG_REVIEW=github|gitlab, RINGMASTER_CONFIG_PROJECT, optional
 * RINGMASTER_CONFIG_API_URL): a promotion opens a pull/merge request instead of pushing
 * to the branch; the API token is RINGMASTER_GIT_TOKEN.
 */
function reviewFromEnv(env: Env, token: string | undefined): ReviewOptions | undefined {
  const provider = env['RINGMASTER_CONFIG_REVIEW']?.trim();
  if (!provider) return undefined;
  if (provider !== 'github' && provider !== 'gitlab') throw new ConfigError('RINGMASTER_CONFIG_REVIEW', `must be github or gitlab, got "${provider.slice(0, 40)}"`);
  const project = env['RINGMASTER_CONFIG_PROJECT']?.trim();
  if (!project) throw new ConfigError('RINGMASTER_CONFIG_PROJECT', `is not set (review mode needs the repository's path on ${provider})`);
  if (!token) throw new ConfigError(GIT_ENV.token, `is not set (review mode calls the ${provider} API with it)`);
  return { provider, apiUrl: env['RINGMASTER_CONFIG_API_URL']?.trim() || DEFAULT_API_URL[provider], project, token };
}

/** The connectors the environment configures; a bad setting is a ConfigError naming the variable. */
export function connectorsFromEnv(env: Env): Connectors {
  const url = env['RINGMASTER_CONFIG_REPO']?.trim();
  const branch = env['RINGMASTER_CONFIG_BRANCH']?.trim();
  const prometheus = env['RINGMASTER_PROMETHEUS_URL']?.trim();
  const planDir = env['RINGMASTER_PLAN_DIR']?.trim();
  const dryRunRaw = env['RINGMASTER_ACTIONS_DRY_RUN']?.trim().toLowerCase() ?? '';
  if (!['', '0', '1', 'true', 'false', 'yes', 'no'].includes(dryRunRaw)) throw new ConfigError('RINGMASTER_ACTIONS_DRY_RUN', `must be 1 or 0 (true or false), got "${dryRunRaw}"`);
  const out: Connectors = { dryRun: ['1', 'true', 'yes'].includes(dryRunRaw) };
  if (url) {
    if (!planDir) throw new ConfigError('RINGMASTER_PLAN_DIR', "is not set (RINGMASTER_CONFIG_REPO needs the plan --out folder whose promotion script names the signer every promoted digest is verified against)");
    const credentials = credentialsFromEnv(env as NodeJS.ProcessEnv);
    const review = reviewFromEnv(env, credentials.token);
    try {
      out.gitops = openGitOpsRepository({
        url,
        credentials,
        verifier: cosignVerifier(signerOfPlanDir(planDir)),
        ...(branch ? { branch } : {}),
        ...(review ? { review } : {}),
        author: { name: env[GIT_ENV.authorName]?.trim() || 'Ringmaster', email: env[GIT_ENV.authorEmail]?.trim() || 'ringmaster@users.noreply.invalid' },
      });
    } catch (err) {
      // The connector names its request field (`plan` for the plan folder); the app names the variable that carried it.
      if (err instanceof GitOpsInputError) throw new ConfigError(VARIABLE_OF_FIELD[err.field] ?? 'RINGMASTER_CONFIG_REPO', err.field in VARIABLE_OF_FIELD ? err.detail : err.message);
      throw new ConfigError('RINGMASTER_CONFIG_REPO', (err as Error).message);
    }
  }
  if (prometheus) {
    if (!planDir) throw new ConfigError('RINGMASTER_PLAN_DIR', 'is not set (RINGMASTER_PROMETHEUS_URL needs the plan --out folder whose analysis templates and SLO rules decide a canary)');
    try {
      const token = env[PROMETHEUS_ENV.token]?.trim();
      out.health = healthCheckOf(prometheusClient({ url: prometheus, ...(token ? { token } : {}) }), planFilesIn(planDir));
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError('RINGMASTER_PROMETHEUS_URL', (err as Error).message);
    }
  }
  return out;
}
