import type { ModeContext, NormalizedProfile, Rule } from '@ringmaster/core';

const COST_TOOLS = /opencost|kubecost|cloudability|vantage|cloudhealth/i;

/**
 * Whether cost data exists to act on: a public cloud's billing data (AWS Cost Explorer / CUR,
 * GCP billing export, Azure Cost Management), or a Kubernetes cost tool in the observability stack.
 * Unknown or on-prem clouds without such a tool have none (spec section 10, Mode 10 fallback).
 */
export function costDataAvailable(p: NormalizedProfile): boolean {
  if (p.infra.cloud_provider === 'aws' || p.infra.cloud_provider === 'gcp' || p.infra.cloud_provider === 'azure') return true;
  const o = p.observability;
  return [o.vendor, o.metrics_backend, o.log_backend, o.tracing_backend].some((v) => COST_TOOLS.test(v));
}

const costsHurt = (ctx: ModeContext): boolean => ctx.profile.current_pain.includes('costs');

/** Mode 10 decisions: who may spend what on CI, and what happens when it runs out. */
export const finopsRules: readonly Rule[] = [
  {
    id: 'finops/budgets-hard-limit',
    field: 'finops_controls.budgets',
    when: costsHurt,
    value: 'enforce_hard_limit',
    why: 'Costs are already a pain, so the CI budget is enforced: alerts at 80% and non-critical pipelines blocked past 100%, instead of another report nobody acts on.',
    kb: ['KB_19#Cost_Controls', 'KB_19#Budgets'],
  },
  {
    id: 'finops/budgets-alert-only',
    field: 'finops_controls.budgets',
    value: 'alert_only',
    why: 'Without a cost problem, a budget that alerts the owners is enough; a hard limit would block delivery for no reason.',
    kb: ['KB_19#Budgets'],
  },
  {
    id: 'finops/first-step-tagging',
    field: 'finops_controls.first_step',
    when: (ctx) => !costDataAvailable(ctx.profile),
    value: 'resource_tagging',
    why: 'No cost data is available (no known cloud bill, no cost tool), so tagging every CI resource comes first: without it no budget can be attributed to CI (spec section 10).',
    kb: ['KB_19#Tagging', 'KB_19#FinOps_Controls'],
  },
  {
    id: 'finops/first-step-budget',
    field: 'finops_controls.first_step',
    value: 'budget_alerts',
    why: 'Cost data exists, so the first control is a budget on the CI cost center with an 80% alert, built on the tags.',
    kb: ['KB_19#Budgets'],
  },
  {
    id: 'finops/tagging-cost-center',
    field: 'finops_controls.tagging_policy',
    value: 'CostCenter=CRM',
    why: 'Every CI resource carries CostCenter=CRM so that spend is attributable and budgets can filter on it.',
    kb: ['KB_19#Tagging'],
  },
  {
    id: 'finops/ttl-preview',
    field: 'finops_controls.ttl_policies',
    value: '4h_preview',
    why: 'Preview environments are deleted four hours after creation: long enough to review a change, short enough that forgotten ones stop costing.',
    kb: ['KB_19#TTL_Policies', 'KB_12#Ephemeral_Environments'],
  },
  {
    id: 'finops/spot-stateless-ci',
    field: 'finops_controls.spot_strategy',
    value: 'spot_for_stateless_ci_jobs',
    why: 'Stateless, retryable CI jobs run on spot or preemptible capacity at a fraction of the price; release and stateful jobs stay on on-demand nodes.',
    kb: ['KB_19#Spot_Instances'],
  },
  {
    id: 'finops/alert-80',
    field: 'finops_controls.budget_alert_threshold',
    value: '80%',
    why: 'An alert at 80% of the monthly budget leaves time to act before the limit.',
    kb: ['KB_19#Budgets'],
  },
  {
    id: 'finops/over-budget-block',
    field: 'finops_controls.over_budget_action',
    when: costsHurt,
    value: 'block_non_critical_pipelines',
    why: 'Past 100% of an enforced budget, non-critical pipelines (previews, nightly and exploratory jobs) are blocked; release and hotfix pipelines keep running.',
    kb: ['KB_19#Cost_Controls'],
  },
  {
    id: 'finops/over-budget-escalate',
    field: 'finops_controls.over_budget_action',
    value: 'escalate_to_budget_owner',
    why: 'With an alert-only budget, going over 100% escalates to the budget owner, who decides on throttling.',
    kb: ['KB_19#Budgets'],
  },
];
