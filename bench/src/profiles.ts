import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOUDS, ORCHESTRATORS, RISK_TIERS, type Pain } from '@ringmaster/core';

export interface NamedProfile {
  id: string;
  input: Record<string, unknown>;
}

/** The spec's 27 section-11 profiles (12 smoke, 15 golden). */
export function seedProfiles(root: string): NamedProfile[] {
  const file = join(root, 'conformance/seed-cases.json');
  const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: { id: string; input: Record<string, unknown> }[] };
  return cases.map((c) => ({ id: c.id, input: c.input }));
}

/** CI platforms as users write them; `undefined` leaves the key out (vendor unknown). */
const CI = ['github_actions', 'gitlab-ci', 'Azure DevOps', 'jenkins', undefined] as const;
/** GitOps tools as users write them; `undefined` leaves the key out. */
const GITOPS = ['argocd', 'flux', 'spinnaker', undefined] as const;
const PAIN_MIXES: readonly (readonly Pain[])[] = [
  [],
  ['flaky_tests'],
  ['pipeline_slow', 'costs'],
  ['incidents', 'audit_findings'],
  ['vuln_debt', 'runner_risk'],
  ['manual_toil', 'incidents', 'flaky_tests'],
  ['costs', 'vuln_debt', 'audit_findings', 'runner_risk'],
  ['pipeline_slow', 'flaky_tests', 'incidents', 'audit_findings', 'costs', 'vuln_debt', 'runner_risk', 'manual_toil'],
];
const GOALS = [
  'Setup CI pipeline',
  'Canary rollout to tenant cohorts',
  'Reduce flakiness',
  'Audit security and supply chain',
  'Disaster recovery drill',
  'Cut CI costs',
  'Observability and SLOs',
  'Zero-downtime schema migration',
  'Incident response runbook',
  'Vulnerability management SLAs',
  'GitOps delivery',
];

/**
 * Every cloud x CI vendor x orchestrator x GitOps tool x risk tier (5 x 5 x 6 x 4 x 3 = 1,800
 * profiles); the pain mix (8) and the goal (11) cycle with the index, so every pain mix and
 * goal meets every other dimension many times.
 */
export function matrixProfiles(): NamedProfile[] {
  const out: NamedProfile[] = [];
  for (const cloud of CLOUDS)
    for (const ci of CI)
      for (const orchestrator of ORCHESTRATORS)
        for (const gitops of GITOPS)
          for (const risk of RISK_TIERS) {
            const i = out.length;
            const pains = PAIN_MIXES[i % PAIN_MIXES.length] as readonly Pain[];
            const goal = GOALS[i % GOALS.length] as string;
            const input: Record<string, unknown> = {
              goal,
              crm_profile: { multi_tenant: i % 3 !== 0, tenant_count: 50 + (i % 7) * 300, data_residency_regions: i % 2 ? ['eu-central-1'] : [], integrations: ['salesforce', 'hubspot'], api_public: i % 2 === 0 },
              infra: { cloud_provider: cloud, orchestrator, regions: ['eu-central-1', 'us-east-1'] },
              data: { primary_store: i % 4 === 0 ? 'mysql' : 'postgres', sharding_model: i % 5 === 0 ? 'db_per_tenant' : 'shared_schema' },
              release_policy: { cadence: 'weekly', ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' }, change_approval_level: risk === 'high' ? 'cab' : 'peer_review' },
              stack: { languages: ['typescript', 'java'], runtime: 'jvm', repo_model: 'monorepo', build_system: 'gradle' },
              cd_strategy: gitops ? 'gitops' : 'push',
              observability_stack: { vendor: 'datadog', tracing_backend: 'tempo', metrics_backend: 'prometheus', log_backend: 'loki' },
              compliance: { targets: risk === 'high' ? ['SOC2', 'GDPR'] : [], audit_evidence_required: risk !== 'low' },
              risk_tier: risk,
              current_pain: [...pains],
            };
            if (ci) input['ci_platform'] = ci;
            if (gitops) input['gitops_tool'] = gitops;
            out.push({ id: `matrix-${i}:${cloud}/${ci ?? '-'}/${orchestrator}/${gitops ?? '-'}/${risk}`, input });
          }
  return out;
}
