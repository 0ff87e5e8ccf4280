import { createEngine } from '@ringmaster/modes';
import type { PlanFile } from '@ringmaster/connector-prometheus';

export const PROFILE = {
  goal: 'Canary rollout to tenant rings with automated analysis, SLO burn rate alerts and GitOps',
  crm_profile: { multi_tenant: true },
  infra: { cloud_provider: 'aws', orchestrator: 'kubernetes' },
  release_policy: { ring_model: { enabled: true, rings: ['canary', 'general'] } },
  ci_platform: 'github_actions',
  cd_strategy: 'gitops',
  gitops_tool: 'argocd',
  observability: { metrics: 'prometheus' },
  delivery: { organization: 'acme', app_repository: 'acme/crm-platform', config_repository: 'acme/crm-deploy', registry: 'ghcr.io/acme', services: [{ name: 'crm-api' }], cloud: { aws_account_id: '210987654321' } },
};

/** The files of a real plan with the progressive-delivery and observability modes. */
export function planFiles(profile: Record<string, unknown> = PROFILE): PlanFile[] {
  return createEngine().plan(structuredClone(profile)).files;
}
