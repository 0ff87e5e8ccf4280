import type { KbTrace } from './kb.js';

/** One row of the spec's section 7 risk matrix. */
export interface RiskRow {
  id: RiskId;
  trigger: string;
  risk: string;
  blast_radius: string;
  controls: string;
  detection: string;
  fallback: string;
  kb: KbTrace;
}

export type RiskId =
  | 'destructive-migration'
  | 'runner-compromise'
  | 'static-secret-leak'
  | 'dependency-confusion'
  | 'policy-false-positive'
  | 'deployment-failed'
  | 'integration-rate-limit'
  | 'residency-breach'
  | 'dr-restore-failure'
  | 'finops-overrun'
  | 'cache-poisoning'
  | 'audit-gap';

/** The spec's section 7, row for row. */
export const RISK_MATRIX: readonly RiskRow[] = [
  { id: 'destructive-migration', trigger: 'Destructive DB Migration', risk: 'Data Loss', blast_radius: 'High (Permanent)', controls: 'Expand-Migrate-Contract', detection: 'Schema Linter (Atlas)', fallback: 'Restore from Backup (RPO)', kb: 'KB_08#ZeroDowntime' },
  { id: 'runner-compromise', trigger: 'Runner Compromise', risk: 'Supply Chain Attack', blast_radius: 'High (All Repos)', controls: 'Ephemeral Runners (1 job=1 VM)', detection: 'Egress Monitoring', fallback: 'Kill Switch / Rotate OIDC', kb: 'KB_17#Runners' },
  { id: 'static-secret-leak', trigger: 'Static Secret Leak', risk: 'Unauth Access', blast_radius: 'High (Cloud Acct)', controls: 'OIDC (No Static Keys)', detection: 'Pre-commit Scanning', fallback: 'Revoke & Rotate', kb: 'KB_05#OIDC' },
  { id: 'dependency-confusion', trigger: 'Dependency Confusion', risk: 'Malicious Code', blast_radius: 'High (App Logic)', controls: 'Private Artifactory Proxy', detection: 'SCA / SBOM Scanning', fallback: 'Rollback to Last Known', kb: 'KB_04#Dependencies' },
  { id: 'policy-false-positive', trigger: 'Policy False Positive', risk: 'Blocked Deploy', blast_radius: 'Med (Velocity)', controls: '"Break Glass" Procedure', detection: 'Pipeline Logs', fallback: 'Manual Override (Audit)', kb: 'KB_06#Policy' },
  { id: 'deployment-failed', trigger: 'Deployment Failed', risk: 'Outage', blast_radius: 'Med (Availability)', controls: 'Canary / Blue-Green', detection: 'Automated Health Check', fallback: 'Auto-Rollback (Argo)', kb: 'KB_01#Canary' },
  { id: 'integration-rate-limit', trigger: 'Integration Rate Limit', risk: 'Cascading Failure', blast_radius: 'Med (Partner)', controls: 'Circuit Breakers / Mocks', detection: '429 Rate Monitor', fallback: 'Degradation / Cache', kb: 'KB_09#Resilience' },
  { id: 'residency-breach', trigger: 'Data Residency Breach', risk: 'Legal/Compliance', blast_radius: 'High (Fines)', controls: 'Policy-as-Code (OPA)', detection: 'CloudTrail / Audit Logs', fallback: 'Halt Pipeline', kb: 'KB_18#Residency' },
  { id: 'dr-restore-failure', trigger: 'DR Restore Failure', risk: 'BCP Failed', blast_radius: 'Critical (Existential)', controls: 'Weekly Automated Drills', detection: 'Job Status Alert', fallback: 'Manual Runbook', kb: 'KB_15#Drills' },
  { id: 'finops-overrun', trigger: 'FinOps Overrun', risk: 'Budget Exhaustion', blast_radius: 'Low (Admin)', controls: 'Quotas / TTLs / Spot', detection: 'Budget Alert (80%)', fallback: 'Kill Low-Prio Jobs', kb: 'KB_19#Budgets' },
  { id: 'cache-poisoning', trigger: 'Cache Poisoning', risk: 'Malicious Artifact', blast_radius: 'High (Supply Chain)', controls: 'Scoped Caches / Signing', detection: 'Hash Mismatch Alert', fallback: 'Flush Cache', kb: 'KB_17#Caching' },
  { id: 'audit-gap', trigger: 'Audit Gap', risk: 'Compliance Fail', blast_radius: 'High (Certification)', controls: 'Automated Evidence Bundle', detection: 'Missing Evidence Alert', fallback: 'Manual Collection', kb: 'KB_10#Audit' },
];

export function riskRow(id: RiskId): RiskRow {
  const row = RISK_MATRIX.find((r) => r.id === id);
  if (!row) throw new Error(`unknown risk ${id}`);
  return row;
}
