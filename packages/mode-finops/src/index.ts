import { defineMode, modeModule } from '@ringmaster/core';
import { finopsArtifacts } from './artifacts.js';
import { finopsRules } from './rules.js';
import { finopsIntents } from './intents.js';

export { costDataAvailable, finopsRules } from './rules.js';
export { budgetAlert, spotConfig, taggingPolicy, ttlEnforcer } from './artifacts.js';

/** Mode 10: FinOps for CI/CD. Budgets, tags, TTLs and spot capacity. */
export const finopsMode = defineMode({
  id: 'finops',
  sections: [{ id: 'finops_controls' }],
  title: 'FinOps CI/CD',
  specMode: 10,
  kb: ['KB_19#Cost_Controls', 'KB_19#FinOps_Controls'],
  dependsOn: {
    inputs: ['/current_pain', '/infra/cloud_provider', '/ci_platform', '/observability_stack'],
    asks: ['cloud_provider'],
  },
  intents: finopsIntents,
  keywords: ['cost*', 'spend*', 'budget*', 'finops', 'bill', 'bills', 'billing', 'cheap*', 'saving*', 'expens*', 'overspend*'],
  signals: [{ id: 'pain:costs', weight: 0.6, when: (p) => p.current_pain.includes('costs') }],
  rules: finopsRules,
  artifacts: finopsArtifacts,
  risks: () => ['finops-overrun'],
  notes: (ctx, decided) =>
    decided.get('finops_controls.first_step') === 'resource_tagging'
      ? { fallbacks: ['finops: no cloud cost data available, so resource tagging (CostCenter) is step 1 (spec section 10).'] }
      : {},
});

export const finopsModule = modeModule(finopsMode);
