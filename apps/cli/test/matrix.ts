/** The profile matrix the CLI tests share: every cloud x CI vendor x orchestrator x GitOps tool, with a goal that selects many modes; every other case has two services. */

export interface Case {
  id: string;
  input: Record<string, unknown>;
}

export const CLOUDS = ['aws', 'gcp', 'azure', 'on_prem', 'unknown'] as const;
export const CI_PLATFORMS = ['github', 'gitlab', 'azure devops', 'unknown'] as const;
export const ORCHESTRATORS = ['kubernetes', 'vm', 'unknown'] as const;
export const GITOPS_TOOLS = ['argocd', 'flux', 'none'] as const;

/** Every other case releases two services, so that every property over the matrix covers several services too. */
const TWO_SERVICES = [{ name: 'crm-api' }, { name: 'crm-web', port: 3000, image: 'web/crm-web' }];

const GOAL = 'Design a multi-tenant CRM CI/CD blueprint: quality gates and contract tests, supply chain security with SLSA and signing, vulnerability policy, GitOps, canary rollout, release observability, incident response, DR plan, cost control and DB migrations';
export function matrix(): Case[] {
  const out: Case[] = [];
  for (const cloud of CLOUDS) {
    for (const ci of CI_PLATFORMS) {
      for (const orchestrator of ORCHESTRATORS) {
        for (const gitops of GITOPS_TOOLS) {
          out.push({
            id: `${cloud}/${ci}/${orchestrator}/${gitops}${out.length % 2 === 1 ? ', two services' : ''}`,
            input: {
              goal: GOAL,
              crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'], integrations: ['salesforce'] },
              infra: { cloud_provider: cloud, orchestrator },
              data: { primary_store: 'postgres', sharding_model: 'shared_schema' },
              release_policy: { ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' }, change_approval_level: 'peer_review' },
              ci_platform: ci,
              cd_strategy: gitops === 'none' ? 'push' : 'gitops',
              gitops_tool: gitops,
              compliance: { targets: ['SOC2'], audit_evidence_required: true },
              risk_tier: 'high',
              current_pain: ['flaky_tests', 'incidents', 'costs', 'vuln_debt', 'runner_risk'],
              ...(out.length % 2 === 1 ? { delivery: { services: TWO_SERVICES } } : {}),
            },
          });
        }
      }
    }
  }
  return out;
}

