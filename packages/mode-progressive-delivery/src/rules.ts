import { evaluateRules, matchKeywords, type ModeContext, type Rule } from '@ringmaster/core';

/** Rings when the profile names none: internal users, early adopters, everyone. */
export const DEFAULT_RINGS = ['ring0_internal', 'ring1_early_adopters', 'ring2_ga'] as const;
export const CANARY_STEPS = [5, 25, 50, 100] as const;

const ringsEnabled = ({ profile }: ModeContext): boolean => profile.release_policy.ring_model.enabled === true;
const ringsDisabled = ({ profile }: ModeContext): boolean => profile.release_policy.ring_model.enabled === false;
const multiTenant = ({ profile }: ModeContext): boolean => profile.crm.multi_tenant === true;
const flagsAreTheGoal = ({ intent }: ModeContext): boolean =>
  matchKeywords(intent, ['feature flag*', 'feature toggle*', 'flag*', 'toggle*', 'dark launch*', 'openfeature']).length > 0;

/** Rows for `rollout_strategy.mechanism`, also used to decide the fields that depend on it. */
export const mechanismRules: readonly Rule[] = [
  {
    id: 'progressive-delivery/canary-for-rings',
    field: 'rollout_strategy.mechanism',
    when: ringsEnabled,
    value: 'canary',
    why: 'A ring model is enabled: each ring is a canary cohort that must stay healthy before the next one sees the release.',
    kb: ['KB_18#Ring_Deployment', 'KB_18#Canary'],
  },
  {
    id: 'progressive-delivery/flags-without-rings',
    field: 'rollout_strategy.mechanism',
    when: (ctx) => ringsDisabled(ctx) && flagsAreTheGoal(ctx),
    value: 'feature-flags',
    why: 'Rings are off and the goal is flags: deploy dark and release by toggling a flag, which rolls back in under a minute.',
    kb: ['KB_02#Feature_Flags'],
  },
  {
    id: 'progressive-delivery/blue-green-asked',
    field: 'rollout_strategy.mechanism',
    when: ({ intent }) => matchKeywords(intent, ['blue green', 'bluegreen', 'blue*green']).length > 0,
    value: 'blue-green',
    why: 'The goal asks for blue-green: a full green environment is verified, then traffic switches at once and blue stays ready for instant rollback.',
    kb: ['KB_02#Blue_Green'],
  },
  {
    id: 'progressive-delivery/canary-asked',
    field: 'rollout_strategy.mechanism',
    when: ({ intent }) => matchKeywords(intent, ['canar*']).length > 0,
    value: 'canary',
    why: 'The goal asks for a canary: a small share of traffic gets the release first and automated analysis decides each promotion.',
    kb: ['KB_18#Canary'],
  },
  {
    id: 'progressive-delivery/canary-for-tenants',
    field: 'rollout_strategy.mechanism',
    when: multiTenant,
    value: 'canary',
    why: 'One multi-tenant deployment serves every tenant, so a release goes to a small tenant cohort first to keep the blast radius small.',
    kb: ['KB_18#Tenant_Canary', 'KB_18#Ring_Deployment'],
  },
  {
    id: 'progressive-delivery/blue-green-on-vms',
    field: 'rollout_strategy.mechanism',
    when: ({ profile }) => profile.infra.orchestrator === 'vm',
    value: 'blue-green',
    why: 'A VM fleet has no mesh for fine-grained traffic splits: stand up the green fleet, health-check it, then switch the load balancer and keep blue for instant rollback.',
    kb: ['KB_02#Blue_Green'],
  },
  {
    id: 'progressive-delivery/canary-default',
    field: 'rollout_strategy.mechanism',
    value: 'canary',
    why: 'A canary at 5% of traffic with automated analysis is the safest default: a bad release reaches few users and rolls back by itself.',
    kb: ['KB_01#Canary', 'KB_02#Progressive_Delivery'],
  },
];

/** The mechanism the rows above decide for a profile. */
export function mechanismOf(ctx: ModeContext): string {
  return String(evaluateRules(mechanismRules, ctx)[0]?.value ?? 'canary');
}

const isCanary = (ctx: ModeContext): boolean => mechanismOf(ctx) === 'canary';
const onKubernetes = ({ profile }: ModeContext): boolean => profile.infra.orchestrator === 'kubernetes' || profile.infra.orchestrator === 'unknown';

/** Mode 6's decisions, one row each; the first matching row of a field wins. */
export const progressiveDeliveryRules: readonly Rule[] = [
  ...mechanismRules,
  {
    id: 'progressive-delivery/rollback-on-error-rate',
    field: 'rollout_strategy.rollback_trigger',
    value: 'error_rate > 1%',
    why: 'The canary is judged on its SLO: more than 1% errors aborts the step and sends all traffic back to stable.',
    kb: ['KB_18#Canary', 'KB_14#Rollback'],
  },
  {
    id: 'progressive-delivery/cohort-from-profile',
    field: 'rollout_strategy.cohort_strategy',
    when: ({ profile }) => profile.release_policy.ring_model.cohort_strategy !== 'unknown',
    value: ({ profile }: ModeContext) => profile.release_policy.ring_model.cohort_strategy,
    why: 'The release policy names how cohorts are chosen, so the rollout follows it.',
    kb: ['KB_18#Cohorts'],
  },
  {
    id: 'progressive-delivery/cohort-tenants',
    field: 'rollout_strategy.cohort_strategy',
    when: multiTenant,
    value: 'tenant_cohort',
    why: 'In a multi-tenant CRM a tenant sees one version at a time: cohorts of whole tenants avoid a user flipping between versions mid-session.',
    kb: ['KB_18#Cohorts', 'KB_18#Tenant_Canary'],
  },
  {
    id: 'progressive-delivery/cohort-traffic',
    field: 'rollout_strategy.cohort_strategy',
    value: 'traffic_percent',
    why: 'Without tenants to group, a random percentage of requests is the simplest representative canary sample.',
    kb: ['KB_18#Cohorts'],
  },
  {
    id: 'progressive-delivery/rings-from-profile',
    field: 'rollout_strategy.rings',
    when: ({ profile }) => profile.release_policy.ring_model.rings.length > 0,
    value: ({ profile }: ModeContext) => [...profile.release_policy.ring_model.rings],
    why: 'The release policy names its rings; promotion follows them in the given order.',
    kb: ['KB_18#Ring_Deployment'],
  },
  {
    id: 'progressive-delivery/rings-default',
    field: 'rollout_strategy.rings',
    value: [...DEFAULT_RINGS],
    why: 'Three rings (internal, early adopters, general availability) catch most defects on people who expect them before everyone else.',
    kb: ['KB_18#Ring_Deployment'],
  },
  {
    id: 'progressive-delivery/canary-steps',
    field: 'rollout_strategy.canary_steps',
    when: isCanary,
    value: [...CANARY_STEPS],
    why: 'Traffic doubles roughly at each step after a 5% start, with analysis between steps, so a regression shows while few requests are exposed.',
    kb: ['KB_18#Canary'],
  },
  {
    id: 'progressive-delivery/bake-high-risk',
    field: 'rollout_strategy.bake_time',
    when: ({ profile }) => profile.risk_tier === 'high',
    value: '30m',
    why: 'High risk tier: each step bakes 30 minutes so slow failures (queues, batch jobs, integrations) show before promotion.',
    kb: ['KB_18#Ring_Deployment'],
  },
  {
    id: 'progressive-delivery/bake-default',
    field: 'rollout_strategy.bake_time',
    value: '15m',
    why: 'Fifteen minutes per step covers several scrape and analysis intervals without stalling delivery.',
    kb: ['KB_18#Ring_Deployment'],
  },
  {
    id: 'progressive-delivery/controller-ecs',
    field: 'rollout_strategy.controller',
    when: ({ profile }) => profile.infra.orchestrator === 'ecs',
    value: 'aws_codedeploy',
    why: 'On ECS, CodeDeploy shifts traffic between task sets and rolls back on CloudWatch alarms.',
    kb: ['KB_02#Progressive_Delivery'],
  },
  {
    id: 'progressive-delivery/controller-load-balancer',
    field: 'rollout_strategy.controller',
    when: (ctx) => !onKubernetes(ctx),
    value: 'load_balancer',
    why: 'Outside Kubernetes the load balancer (weighted target groups or a blue/green switch) moves traffic between versions.',
    kb: ['KB_02#Blue_Green'],
  },
  {
    id: 'progressive-delivery/controller-argo-rollouts',
    field: 'rollout_strategy.controller',
    value: 'argo_rollouts',
    why: 'Argo Rollouts runs canary steps declaratively from Git, queries the metrics between steps and aborts by itself.',
    kb: ['KB_18#Canary', 'KB_06#GitOps'],
  },
  {
    id: 'progressive-delivery/router-istio',
    field: 'rollout_strategy.traffic_router',
    when: onKubernetes,
    value: 'istio',
    why: 'Istio splits traffic by exact weight and routes a tenant cohort by header, independent of replica counts.',
    kb: ['KB_18#Tenant_Canary'],
  },
  {
    id: 'progressive-delivery/router-load-balancer',
    field: 'rollout_strategy.traffic_router',
    value: 'load_balancer',
    why: 'Without a mesh, the load balancer holds the traffic weights.',
    kb: ['KB_02#Blue_Green'],
  },
  {
    id: 'progressive-delivery/feature-flags',
    field: 'rollout_strategy.feature_flags',
    value: true,
    why: 'Separate release from deploy: code ships dark and a flag turns it on ring by ring, so the fastest rollback is a toggle.',
    kb: ['KB_02#Feature_Flags'],
  },
  {
    id: 'progressive-delivery/auto-rollback',
    field: 'rollout_strategy.auto_rollback',
    value: true,
    why: 'A failed analysis or health check aborts the rollout without waiting for a human.',
    kb: ['KB_14#Rollback', 'KB_18#Canary'],
  },
  {
    id: 'progressive-delivery/gate-canary-analysis',
    field: 'pipeline_blueprint.gates',
    when: isCanary,
    value: ['canary_analysis'],
    why: 'Promotion past each canary step is gated on the automated analysis of error rate and latency.',
    kb: ['KB_18#Canary'],
  },
  {
    id: 'progressive-delivery/gate-health-check',
    field: 'pipeline_blueprint.gates',
    value: ['health_check'],
    why: 'The new version must pass its health check before traffic or a flag moves to it.',
    kb: ['KB_02#Progressive_Delivery'],
  },
];
