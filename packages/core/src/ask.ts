import type { NormalizedProfile } from './profile.js';

/** The spec's section 4 ask-criteria: what is worth asking when it is unknown. */
export interface AskCriterion {
  id: AskCriterionId;
  question: string;
  isUnknown(profile: NormalizedProfile): boolean;
}

export type AskCriterionId = 'cloud_provider' | 'ci_vendor' | 'orchestrator' | 'compliance_targets' | 'multi_tenancy' | 'data_residency';

export const ASK_CRITERIA: Readonly<Record<AskCriterionId, AskCriterion>> = {
  cloud_provider: {
    id: 'cloud_provider',
    question: 'Which cloud: AWS, Azure, GCP or on-prem? It decides IAM federation, runner placement and network controls.',
    isUnknown: (p) => p.infra.cloud_provider === 'unknown',
  },
  ci_vendor: {
    id: 'ci_vendor',
    question: 'Which CI/CD vendor: GitHub Actions, GitLab CI or Azure DevOps? It decides the OIDC token exchange and runner scaling.',
    isUnknown: (p) => p.ci_vendor === 'unknown',
  },
  orchestrator: {
    id: 'orchestrator',
    question: 'Is the platform on Kubernetes? It decides GitOps and admission control.',
    isUnknown: (p) => p.infra.orchestrator === 'unknown',
  },
  compliance_targets: {
    id: 'compliance_targets',
    question: 'Which compliance targets apply (SOC2, HIPAA, GDPR, ISO 27001)? They decide evidence retention and segregation of duties.',
    isUnknown: (p) => p.compliance.targets.length === 0,
  },
  multi_tenancy: {
    id: 'multi_tenancy',
    question: 'One codebase for all tenants, and how is data sharded? It decides canary cohorts and the migration strategy.',
    isUnknown: (p) => p.crm.multi_tenant === 'unknown' || p.data.sharding_model === 'unknown',
  },
  data_residency: {
    id: 'data_residency',
    question: 'Do tenants need data residency (EU/US forks)? It decides runner placement and region gates.',
    isUnknown: (p) => p.crm.pattern === 'generic_enterprise',
  },
};

/** `needs_clarification` lines for the given criteria, in the spec's order, unknown ones only. */
export function clarificationsFor(ids: Iterable<AskCriterionId>, profile: NormalizedProfile): string[] {
  const wanted = new Set(ids);
  return (Object.keys(ASK_CRITERIA) as AskCriterionId[])
    .filter((id) => wanted.has(id) && ASK_CRITERIA[id].isUnknown(profile))
    .map((id) => `${id}: ${ASK_CRITERIA[id].question}`);
}
