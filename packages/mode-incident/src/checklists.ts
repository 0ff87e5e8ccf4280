import type { Checklist, ChecklistStep } from '@ringmaster/core';
import type { Severity } from './rules.js';

export interface IncidentChecklistInput {
  service: string;
  severity: Severity;
  summary?: string;
  /** How the plan rolls a release back (`planRollback` of core); without it, the generic rollback through the config repository. */
  rollback?: string;
  /** The command that stops a canary's traffic at once without changing the desired state, when the plan has a canary. */
  trafficStop?: string;
}

export interface RollbackChecklistInput {
  service: string;
  version?: string;
  /** As in `IncidentChecklistInput`. */
  rollback?: string;
  trafficStop?: string;
}

/** The rollback when no plan names its script and files (a checklist started from Slack). */
const GENERIC_ROLLBACK =
  "Restore the previously promoted digest in the target's promotion file of the GitOps config repository (the plan's promotion script with `--rollback SERVICE TARGET`, or `ringmaster rollback --config-repo CONFIG_REPO_URL --target TARGET --to DIGEST`) and let the controller sync it; without a GitOps operator the pipeline's deploy job redeploys it. The previous signed digest runs again, nothing is rebuilt. Never `kubectl argo rollouts undo` (or any other change made only in the cluster): the controller's self-heal reverts what Git does not hold.";

/** Why a command against the cluster is not a rollback, and what may stop traffic meanwhile. */
function rollbackDetail(input: { rollback?: string; trafficStop?: string }): string {
  const stop = input.trafficStop === undefined ? '' : ` If the release is still a canary, \`${input.trafficStop}\` stops its traffic at once (it does not change the desired state); the rollback above is still needed.`;
  return `${input.rollback ?? GENERIC_ROLLBACK}${stop}`;
}

/** How often the status page is updated, by severity. */
const UPDATE_CADENCE: Readonly<Record<Severity, string>> = {
  sev1: 'every 30 minutes',
  sev2: 'every 60 minutes',
  sev3: 'at declaration and resolution, if customers can see it',
};

/** The Mode 8 incident checklist: acknowledge, evaluate, take the reversible action for the path chosen, stabilize, communicate, learn. */
export function incidentChecklist(input: IncidentChecklistInput): Checklist {
  const { service, severity } = input;
  const steps: ChecklistStep[] = [
    {
      id: 'acknowledge',
      title: 'Acknowledge the alert and take command',
      detail: `Ack the page in PagerDuty/Opsgenie, declare a ${severity} incident for ${service} and open the incident channel.`,
      kind: 'task',
      role: 'incident_commander',
      marks: ['acknowledged'],
      kb: ['KB_14#OnCall'],
    },
    {
      id: 'evaluate',
      title: 'Evaluate: code, config/flag or infrastructure?',
      detail: 'Compare the error-rate rise with the last release marker, the flag change log and the infrastructure events.',
      kind: 'choice',
      role: 'incident_commander',
      options: [
        { id: 'code', label: 'Code (a release)', enables: ['rollback-code'] },
        { id: 'config-flag', label: 'Config or feature flag', enables: ['toggle-flag'] },
        { id: 'infra', label: 'Infrastructure', enables: ['escalate-infra'] },
      ],
      kb: ['KB_14#Incident_Response', 'KB_07#Release_Markers'],
    },
    {
      id: 'rollback-code',
      title: 'Roll back the release',
      detail: rollbackDetail(input),
      kind: 'task',
      conditional: true,
      marks: ['mitigated'],
      kb: ['KB_14#Rollback', 'KB_01#Build_Once'],
    },
    {
      id: 'toggle-flag',
      title: 'Turn the feature flag off',
      detail: 'Switch the flag (or revert the config change) for the affected tenants, recording who changed it and why.',
      kind: 'task',
      conditional: true,
      marks: ['mitigated'],
      kb: ['KB_02#Feature_Flags'],
    },
    {
      id: 'escalate-infra',
      title: 'Escalate to the infrastructure on-call',
      detail: 'Page the platform team; fail over or scale through infrastructure as code, not by console.',
      kind: 'task',
      conditional: true,
      kb: ['KB_14#OnCall', 'KB_15#IaC_Reprovisioning'],
    },
    {
      id: 'stabilize',
      title: 'Stabilize: confirm the error rate drops',
      detail: 'Watch the error rate and latency SLOs return under their thresholds for at least 15 minutes before calling it mitigated.',
      kind: 'wait',
      waitMinutes: 15,
      marks: ['resolved'],
      kb: ['KB_07#Golden_Signals'],
    },
    {
      id: 'communicate',
      title: 'Communicate: update the status page',
      detail: `Post on the status page ${UPDATE_CADENCE[severity]} until resolved; say what customers see, not internal hostnames or tenant names.`,
      kind: 'task',
      role: 'incident_commander',
      kb: ['KB_14#Status_Communication'],
    },
    {
      id: 'post-mortem',
      title: 'Schedule the blameless post-mortem',
      detail: 'Book the review within 5 business days, assign the post-mortem owner and attach this thread as the timeline.',
      kind: 'task',
      role: 'incident_commander',
      kb: ['KB_14#Post_Mortem'],
    },
  ];
  const summary = input.summary?.trim() ? input.summary.trim() : `Respond to a ${severity} incident on ${service}, from acknowledgement to post-mortem.`;
  return { id: `incident-${severity}`, title: `Incident response: ${service} (${severity})`, summary, kb: ['KB_14#Incident_Response', 'KB_14#Post_Mortem'], steps };
}

/** Rolls back to a previously promoted, signed digest: never a rebuild, never a console change. */
export function rollbackChecklist(input: RollbackChecklistInput): Checklist {
  const { service, version } = input;
  const target = version?.trim() ? `the digest released as ${version.trim()}` : 'the last digest that was healthy in production';
  const steps: ChecklistStep[] = [
    {
      id: 'identify-digest',
      title: 'Identify the last good digest',
      detail: `Find ${target} in the GitOps history or the registry's promotion record; roll back to that digest, never to a tag or a rebuild.`,
      kind: 'task',
      role: 'release_captain',
      kb: ['KB_13#Digest_Pinning', 'KB_01#Build_Once'],
    },
    {
      id: 'verify-signature',
      title: 'Verify its signature',
      detail: 'Run `cosign verify` on the digest against the release identity (certificate identity and OIDC issuer) before anything deploys it.',
      kind: 'task',
      role: 'release_captain',
      kb: ['KB_04#Signing'],
    },
    {
      id: 'approve',
      title: 'Approve the rollback',
      detail: 'A second person, not the requester, approves the target digest (segregation of duties).',
      kind: 'approval',
      role: 'approver',
      kb: ['KB_10#Segregation_Of_Duties'],
    },
    {
      id: 'revert',
      title: 'Restore the previous digest in the config repository',
      detail: rollbackDetail(input),
      kind: 'task',
      role: 'release_captain',
      kb: ['KB_14#Rollback', 'KB_06#GitOps'],
    },
    {
      id: 'verify-health',
      title: 'Verify health',
      detail: 'Confirm the running pods use the target digest and that error rate and latency are back under their SLO thresholds.',
      kind: 'wait',
      waitMinutes: 10,
      kb: ['KB_07#Golden_Signals'],
    },
    {
      id: 'communicate',
      title: 'Communicate the rollback',
      detail: 'Post the rollback, its digest and the health result to the release channel and the status page if customers were affected.',
      kind: 'task',
      role: 'release_captain',
      kb: ['KB_14#Status_Communication'],
    },
  ];
  return {
    id: 'rollback',
    title: `Rollback: ${service}`,
    summary: `Roll ${service} back to ${target}, verified and approved, through Git.`,
    kb: ['KB_14#Rollback', 'KB_01#Build_Once'],
    steps,
  };
}
