import type { Rule } from '@ringmaster/core';

/** Severity levels the incident checklists use, most severe first. */
export const SEVERITY_LEVELS = ['sev1', 'sev2', 'sev3'] as const;
export type Severity = (typeof SEVERITY_LEVELS)[number];

/** The spec's Mode 8 steps, with the infra escalation path its "code or infra?" question implies. */
export const INCIDENT_STEPS = ['acknowledge', 'evaluate', 'rollback_code', 'toggle_flag', 'escalate_infra', 'stabilize', 'communicate', 'post_mortem'] as const;

/** Mode 8 decisions: what an on-call engineer does, in which order, and how production is touched in an emergency. */
export const incidentRules: readonly Rule[] = [
  {
    id: 'incident/mode8-steps',
    field: 'incident_response.steps',
    value: [...INCIDENT_STEPS],
    why: 'Acknowledge, decide whether code, config or infrastructure broke, take the matching reversible action, confirm recovery on the error rate, then communicate and learn: the shortest path to a low MTTR.',
    kb: ['KB_14#Incident_Response', 'KB_14#OnCall'],
  },
  {
    id: 'incident/rollback-gitops',
    field: 'incident_response.rollback_methods',
    when: (ctx) => ctx.delivery.gitops.tool !== 'none',
    value: ['restore_previous_digest_in_config_repo', 'flag_toggle'],
    why: 'The cluster follows the config repository: the rollback commits the previously promoted, signed digest back into the target\'s overlay (the promotion script\'s --rollback, or `ringmaster rollback`) and the controller syncs it. A command against the cluster such as `kubectl argo rollouts undo` is reverted by self-heal; `kubectl argo rollouts abort` only stops the canary\'s traffic. Flags turn off a bad feature without a deploy.',
    kb: ['KB_14#Rollback', 'KB_06#GitOps', 'KB_02#Feature_Flags'],
  },
  {
    id: 'incident/rollback-pipeline',
    field: 'incident_response.rollback_methods',
    value: ['redeploy_previous_signed_digest', 'flag_toggle'],
    why: 'Without a GitOps operator the pipeline deploys: the rollback puts the previously released, signed digest back in the config repository and the deploy job redeploys it (never a rebuild); flags turn off a bad feature without a deploy.',
    kb: ['KB_14#Rollback', 'KB_01#Build_Once', 'KB_02#Feature_Flags'],
  },
  {
    id: 'incident/status-page',
    field: 'incident_response.communication',
    value: 'status_page',
    why: 'Customers and support read one place: the status page is updated at declaration and on a fixed cadence (30 minutes for sev1, 60 for sev2) until resolved.',
    kb: ['KB_14#Status_Communication'],
  },
  {
    id: 'incident/blameless-post-mortem',
    field: 'incident_response.post_mortem',
    value: 'blameless_within_5_business_days',
    why: 'A blameless review within five business days, while the timeline is fresh, turns the incident into tracked action items instead of blame.',
    kb: ['KB_14#Post_Mortem'],
  },
  {
    id: 'incident/break-glass-cab',
    field: 'incident_response.break_glass',
    when: (ctx) => ctx.profile.release_policy.change_approval_level === 'cab',
    value: 'jit_role_two_person_approval_retro_cab_review',
    why: 'An emergency cannot wait for the CAB: a time-boxed just-in-time role with two-person approval fixes production through the pipeline, and the change goes to the next CAB as a retroactive emergency change.',
    kb: ['KB_11#Break_Glass', 'KB_11#CAB', 'KB_10#Segregation_Of_Duties'],
  },
  {
    id: 'incident/break-glass-high-risk',
    field: 'incident_response.break_glass',
    when: (ctx) => ctx.profile.risk_tier === 'high',
    value: 'jit_role_two_person_approval_max_1h',
    why: 'At high risk, elevated access is a just-in-time role approved by a second person, expiring after one hour, with every session recorded; the fix still ships through the pipeline, never by console.',
    kb: ['KB_11#Break_Glass', 'KB_10#Segregation_Of_Duties', 'KB_06#GitOps'],
  },
  {
    id: 'incident/break-glass-default',
    field: 'incident_response.break_glass',
    value: 'jit_role_two_person_approval_max_4h',
    why: 'Elevated access is a just-in-time role approved by a second person and expiring after four hours, with sessions recorded; the fix ships through the pipeline, never by console.',
    kb: ['KB_11#Break_Glass', 'KB_10#Segregation_Of_Duties'],
  },
  {
    id: 'incident/severity-levels',
    field: 'incident_response.severity_levels',
    value: [...SEVERITY_LEVELS],
    why: 'Three levels keep the paging decision fast: sev1 customer-facing outage or data-integrity risk, sev2 degraded for some tenants, sev3 minor with a workaround.',
    kb: ['KB_14#OnCall'],
  },
];
