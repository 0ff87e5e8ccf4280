import type { PlanOutput, PlanResult } from '@ringmaster/core';

export const SAMPLE_OUTPUT: PlanOutput = {
  pipeline_blueprint: { stages: ['build', 'test', 'security', 'deploy'], gates: ['opa_policy_check', 'manual_approval'], caching_strategy: 'scoped_keys' },
  rollout_strategy: { mechanism: 'canary', rings: ['internal', 'early_access', 'ga'], rollback_trigger: 'error_rate > 1%' },
  decision_log: {
    assumptions: ['risk_tier not given: assumed "high"'],
    risk_tier: 'high',
    needs_clarification: [],
    modes: [{ id: 'blueprint', score: 0.9, signals: ['goal:pipeline'] }],
    decisions: [
      { field: 'pipeline_blueprint.stages', value: ['build', 'test', 'security', 'deploy'], rule: 'blueprint/stages', mode: 'blueprint', reason: 'Security scanning is its own stage | gated.', kb: ['KB_01#Architecture'] },
      { field: 'rollout_strategy.mechanism', value: 'canary', rule: 'blueprint/canary', mode: 'blueprint', reason: 'Multi-tenant: canary by tenant cohort.', kb: ['KB_18#Tenant_Canary'] },
    ],
    conflicts: [],
    warnings: ['unknown input key "foo" kept'],
    fallbacks: [],
  },
  risks: [{ id: 'deployment-failed', trigger: 'Deployment Failed', risk: 'Outage', blast_radius: 'Med (Availability)', controls: 'Canary / Blue-Green', detection: 'Automated Health Check', fallback: 'Auto-Rollback (Argo)', kb: 'KB_01#Canary' }],
  artifacts_to_generate: [{ name: 'health_check.sh', type: 'template', content_skeleton: '#!/usr/bin/env bash\n', path: 'scripts/health_check.sh', format: 'shell', mode: 'blueprint', kb: ['KB_18#Tenant_Canary'] }],
  kb_references: ['KB_01#Architecture', 'KB_01#Canary', 'KB_18#Tenant_Canary'],
};

export function samplePlan(files: PlanResult['files'] = [{ path: 'scripts/health_check.sh', content: '#!/usr/bin/env bash\nset -euo pipefail\n', artifact: 'health_check.sh', kb: ['KB_18#Tenant_Canary'] }]): PlanResult {
  return { output: SAMPLE_OUTPUT, files, requestId: '0123456789abcdef' };
}
