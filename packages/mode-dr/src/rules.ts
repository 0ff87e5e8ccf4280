import type { ModeContext, RiskTier, Rule } from '@ringmaster/core';

export interface DrTargets {
  rpo: string;
  rto: string;
  drill_schedule: 'weekly' | 'monthly' | 'quarterly';
}

/** Spec Mode 9 steps 1-2: recovery targets and drill cadence by risk tier. */
const TARGETS: Readonly<Record<RiskTier, DrTargets>> = {
  high: { rpo: '15m', rto: '1h', drill_schedule: 'weekly' },
  medium: { rpo: '1h', rto: '4h', drill_schedule: 'monthly' },
  low: { rpo: '24h', rto: '24h', drill_schedule: 'quarterly' },
};

/** The RPO, RTO and drill cadence for a risk tier (the Slack app looks targets up here). */
export function drTargets(riskTier: RiskTier): DrTargets {
  return { ...TARGETS[riskTier] };
}

const tier = (t: RiskTier) => (ctx: ModeContext) => ctx.profile.risk_tier === t;

/** What an auditor accepts as proof that a drill met its targets. */
export const EVIDENCE_ARTIFACTS = ['drill_log', 'restore_timings', 'rto_rpo_measured_vs_target', 'screenshots_or_log_exports'] as const;

function scenarios(ctx: ModeContext): string[] {
  const out = ['region_failure', 'database_corruption', 'accidental_data_deletion'];
  if (ctx.profile.crm.data_residency_regions.length > 0) out.push('in_region_restore_for_residency');
  if (ctx.profile.risk_tier === 'high') out.push('credential_compromise');
  return out;
}

/** Mode 9 decisions: how much data and time we may lose, how often we prove it, and how we rebuild. */
export const drRules: readonly Rule[] = [
  ...(['high', 'medium', 'low'] as const).flatMap((t): Rule[] => [
    {
      id: `dr/rpo-${t}`,
      field: 'dr_plan.rpo',
      when: tier(t),
      value: TARGETS[t].rpo,
      why: `At ${t} risk the business may lose at most ${TARGETS[t].rpo} of data, which continuous WAL/transaction-log backup with point-in-time recovery can hold.`,
      kb: ['KB_15#RTO_Tracking', 'KB_15#PITR'],
    },
    {
      id: `dr/rto-${t}`,
      field: 'dr_plan.rto',
      when: tier(t),
      value: TARGETS[t].rto,
      why: `At ${t} risk the service must be back within ${TARGETS[t].rto}; the drill measures it from declaration to a passing health check.`,
      kb: ['KB_15#RTO_Tracking'],
    },
    {
      id: `dr/drill-${t}`,
      field: 'dr_plan.drill_schedule',
      when: tier(t),
      value: TARGETS[t].drill_schedule,
      why: `A ${TARGETS[t].drill_schedule} drill at ${t} risk keeps the restore path proven often enough that a failed restore is found by a drill, not by a disaster.`,
      kb: ['KB_15#Drills'],
    },
  ]),
  {
    id: 'dr/evidence',
    field: 'dr_plan.evidence_artifacts',
    value: [...EVIDENCE_ARTIFACTS],
    why: 'A drill only counts when it leaves evidence: the log, the restore timings and the measured RTO/RPO against target, exported for the audit trail.',
    kb: ['KB_15#Drills', 'KB_10#Evidence_Bundle'],
  },
  {
    id: 'dr/restore-pitr',
    field: 'dr_plan.restore_method',
    value: 'point_in_time_recovery',
    why: 'Point-in-time recovery restores to the minute before the corruption or deletion, which snapshots alone cannot do within a short RPO.',
    kb: ['KB_15#PITR', 'KB_15#Restore_Procedure'],
  },
  {
    id: 'dr/reprovision-iac',
    field: 'dr_plan.reprovisioning',
    value: 'infrastructure_as_code',
    why: 'Rebuilding the platform from infrastructure as code in another region is repeatable and reviewable; a hand-built recovery environment is neither.',
    kb: ['KB_15#IaC_Reprovisioning'],
  },
  {
    id: 'dr/scenarios',
    field: 'dr_plan.scenarios',
    value: scenarios,
    why: 'Drills rotate through the failures that actually end businesses: losing a region, corrupting or deleting data, and, at high risk, losing control of credentials; residency adds an in-region restore.',
    kb: ['KB_15#Disaster_Recovery', 'KB_15#Drills'],
  },
];
