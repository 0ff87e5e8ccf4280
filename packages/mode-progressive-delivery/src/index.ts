import { defineMode, modeModule } from '@ringmaster/core';
import { progressiveDeliveryArtifacts } from './artifacts.js';
import { progressiveDeliveryRules } from './rules.js';
import { progressiveDeliveryIntents } from './intents.js';

export { CANARY_STEPS, DEFAULT_RINGS, mechanismOf, mechanismRules, progressiveDeliveryRules } from './rules.js';
export { promotionChecklist, ringSlugs, type PromotionInput } from './checklist.js';
export {
  canaryAnalysis,
  featureFlags,
  healthCheck,
  minutesOf,
  progressiveDeliveryArtifacts,
  releaseCaptainChecklist,
  RING_HEADER,
  rolloutManifest,
  trafficSplit,
} from './artifacts.js';

/** Mode 6: progressive delivery. Separates release from deploy: rings, canaries, flags, automatic rollback. */
export const progressiveDeliveryMode = defineMode({
  id: 'progressive-delivery',
  sections: [{ id: 'rollout_strategy' }],
  title: 'Progressive Delivery',
  specMode: 6,
  kb: ['KB_02#Feature_Flags', 'KB_18#Tenant_Canary', 'KB_02#Progressive_Delivery', 'KB_18#Canary'],
  dependsOn: {
    inputs: ['/release_policy/ring_model', '/crm_profile/multi_tenant', '/infra/orchestrator', '/risk_tier'],
    asks: ['multi_tenancy', 'orchestrator'],
  },
  intents: progressiveDeliveryIntents,
  keywords: [
    'canar*',
    'rollout*',
    'roll out',
    'ring',
    'rings',
    'ring based',
    'deploy strateg*',
    'deployment strateg*',
    'release strateg*',
    'rollout strateg*',
    'progressive*',
    'feature flag*',
    'feature toggle*',
    'blue green',
    'bluegreen',
    'dark launch*',
    'cohort*',
    'safe deploy*',
  ],
  signals: [
    { id: 'profile:ring_model.enabled', weight: 0.6, when: (p) => p.release_policy.ring_model.enabled === true },
    { id: 'profile:multi_tenant', weight: 0.3, when: (p) => p.crm.multi_tenant === true },
    { id: 'profile:cohort_strategy', weight: 0.3, when: (p) => p.release_policy.ring_model.cohort_strategy !== 'unknown' },
  ],
  rules: progressiveDeliveryRules,
  artifacts: progressiveDeliveryArtifacts,
  risks: () => ['deployment-failed'],
  notes: (ctx, decided) => {
    const warnings: string[] = [];
    const fallbacks: string[] = [];
    if (decided.get('rollout_strategy.controller') !== 'argo_rollouts') {
      fallbacks.push(
        `progressive-delivery: orchestrator ${ctx.profile.infra.orchestrator} has no Argo Rollouts: ${String(decided.get('rollout_strategy.mechanism'))} through the ${String(decided.get('rollout_strategy.controller'))}; no Kubernetes rollout manifests are generated.`,
      );
    }
    if (ctx.profile.release_policy.ring_model.rings.length === 0) {
      warnings.push('progressive-delivery: no rings given: assumed ring0_internal, ring1_early_adopters, ring2_ga.');
    }
    return { warnings, fallbacks };
  },
});

export const progressiveDeliveryModule = modeModule(progressiveDeliveryMode);
