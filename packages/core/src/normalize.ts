import type { CiVendor, GitopsTool, NormalizedProfile, Profile, StoreFamily } from './profile.js';
import { pointerSegment } from './validate.js';

export interface Normalized {
  profile: NormalizedProfile;
  /** Section 4 assumptions, one sentence each, in a stable order. */
  assumptions: string[];
}

const UNKNOWN = 'unknown';

function canonical(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

export function ciVendorOf(ciPlatform: string | undefined): CiVendor {
  if (ciPlatform === undefined) return 'unknown';
  const c = canonical(ciPlatform);
  if (c === '' || c === 'unknown') return 'unknown';
  if (c.startsWith('github')) return 'github_actions';
  if (c.startsWith('gitlab')) return 'gitlab_ci';
  if (c.startsWith('azure') || c === 'ado' || c === 'vsts') return 'azure_devops';
  return 'other';
}

export function gitopsToolOf(tool: string | undefined): GitopsTool {
  if (tool === undefined) return 'unknown';
  const c = canonical(tool);
  if (c === '' || c === 'unknown') return 'unknown';
  if (c.startsWith('argo')) return 'argocd';
  if (c.startsWith('flux')) return 'flux';
  return 'other';
}

export function storeFamilyOf(store: string | undefined): StoreFamily {
  if (store === undefined) return 'unknown';
  const c = canonical(store);
  if (c === '' || c === 'unknown') return 'unknown';
  if (c.includes('postgres') || c.includes('aurorapostgres') || c === 'pg' || c.includes('cockroach')) return 'postgres';
  if (c.includes('mysql') || c.includes('mariadb') || c === 'aurora') return 'mysql';
  if (c.includes('sqlserver') || c.includes('mssql') || c.includes('azuresql')) return 'sqlserver';
  if (c.includes('oracle')) return 'oracle';
  if (c.includes('mongo')) return 'mongodb';
  if (c.includes('dynamo')) return 'dynamodb';
  return 'other';
}

const COMPLIANCE_ALIASES: ReadonlyArray<[RegExp, string]> = [
  [/^soc2?(type(i|ii|1|2))?$/, 'SOC2'],
  [/^iso(27001)?(2013|2022)?$/, 'ISO27001'],
  [/^hipaa$/, 'HIPAA'],
  [/^gdpr$/, 'GDPR'],
  [/^pci(dss)?(v?4(0)?)?$/, 'PCI_DSS'],
  [/^fedramp(low|moderate|high)?$/, 'FEDRAMP'],
  [/^sox$/, 'SOX'],
];

/** Canonical name of a compliance target: `soc 2` -> `SOC2`, `ISO` -> `ISO27001`; others upper-cased. */
export function complianceTargetOf(target: string): string {
  const c = canonical(target);
  for (const [pattern, name] of COMPLIANCE_ALIASES) if (pattern.test(c)) return name;
  return target.trim().toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

const sortedSet = (items: readonly string[] | undefined): string[] => [...new Set(items ?? [])].sort();

/** Collects the JSON pointers of every leaf the user gave. */
function pointers(value: unknown, base: string, out: string[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) pointers(child, `${base}/${pointerSegment(key)}`, out);
  } else {
    out.push(base);
  }
}

/**
 * Applies the spec's section 4 assumption policy and fills every absent field
 * with `"unknown"`. Pure: the same profile gives the same result, whatever the
 * order of its keys or of its set-like arrays.
 */
export function normalizeProfile(input: Profile, knownTopLevel: ReadonlySet<string>): Normalized {
  const assumptions: string[] = [];
  const crm = input.crm_profile;
  const infra = input.infra ?? {};
  const ring = input.release_policy?.ring_model ?? {};
  const provided: string[] = [];
  pointers(input, '', provided);

  if (crm === undefined) {
    assumptions.push('crm_profile not given: assumed the generic enterprise CRM pattern (API-first, relational database).');
  }
  const riskTier = input.risk_tier ?? 'high';
  if (input.risk_tier === undefined) {
    assumptions.push('risk_tier not given: assumed high, because data integrity is critical.');
  }
  const cloud = infra.cloud_provider ?? UNKNOWN;
  if (cloud === UNKNOWN) {
    assumptions.push('cloud_provider unknown: assumed cloud-agnostic containers on Kubernetes, with portable tools.');
  }

  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(input).sort()) if (!knownTopLevel.has(key)) extra[key] = input[key];

  const profile: NormalizedProfile = {
    goal: input.goal.trim(),
    crm: {
      pattern: crm === undefined ? 'generic_enterprise' : 'described',
      multi_tenant: crm?.multi_tenant ?? UNKNOWN,
      tenant_count: crm?.tenant_count ?? UNKNOWN,
      data_residency_regions: sortedSet(crm?.data_residency_regions),
      integrations: sortedSet(crm?.integrations),
      api_public: crm?.api_public ?? UNKNOWN,
    },
    infra: { cloud_provider: cloud, orchestrator: infra.orchestrator ?? UNKNOWN, regions: sortedSet(infra.regions) },
    data: {
      primary_store: input.data?.primary_store ?? UNKNOWN,
      store_family: storeFamilyOf(input.data?.primary_store),
      sharding_model: input.data?.sharding_model ?? UNKNOWN,
    },
    release_policy: {
      cadence: input.release_policy?.cadence ?? UNKNOWN,
      ring_model: {
        enabled: ring.enabled ?? UNKNOWN,
        rings: [...(ring.rings ?? [])],
        cohort_strategy: ring.cohort_strategy ?? UNKNOWN,
      },
      change_approval_level: input.release_policy?.change_approval_level ?? UNKNOWN,
    },
    stack: {
      languages: sortedSet(input.stack?.languages),
      runtime: input.stack?.runtime ?? UNKNOWN,
      repo_model: input.stack?.repo_model ?? UNKNOWN,
      build_system: input.stack?.build_system ?? UNKNOWN,
    },
    ci_platform: input.ci_platform ?? UNKNOWN,
    ci_vendor: ciVendorOf(input.ci_platform),
    cd_strategy: input.cd_strategy ?? UNKNOWN,
    gitops_tool: gitopsToolOf(input.gitops_tool),
    observability: {
      vendor: input.observability_stack?.vendor ?? UNKNOWN,
      tracing_backend: input.observability_stack?.tracing_backend ?? UNKNOWN,
      metrics_backend: input.observability_stack?.metrics_backend ?? UNKNOWN,
      log_backend: input.observability_stack?.log_backend ?? UNKNOWN,
    },
    compliance: {
      targets: sortedSet((input.compliance?.targets ?? []).map(complianceTargetOf)),
      audit_evidence_required: input.compliance?.audit_evidence_required ?? UNKNOWN,
    },
    risk_tier: riskTier,
    current_pain: sortedSet(input.current_pain) as NormalizedProfile['current_pain'],
    delivery: structuredClone(input.delivery ?? {}),
    provided: provided.sort(),
    extra,
  };
  return { profile, assumptions };
}

/** Deep-freezes a value so that no mode can change what another mode sees. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
