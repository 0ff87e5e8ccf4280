import type { Checklist } from '@ringmaster/core';

export interface DrDrillChecklistInput {
  scenario: string;
  rto: string;
  rpo: string;
}

/** The Mode 9 drill, step by step; the Slack app starts the clock at the first step and measures elapsed time. */
export function drDrillChecklist(input: DrDrillChecklistInput): Checklist {
  const { scenario, rto, rpo } = input;
  return {
    id: 'dr-drill',
    title: `DR drill: ${scenario}`,
    summary: `Simulate ${scenario}, restore from point-in-time recovery and rebuild from infrastructure as code, then prove the recovery met RTO ${rto} and RPO ${rpo}.`,
    kb: ['KB_15#Drills', 'KB_15#Disaster_Recovery'],
    steps: [
      {
        id: 'trigger-disaster',
        title: `Trigger the simulated disaster: ${scenario}`,
        detail: 'Announce the drill, then simulate the failure in the drill environment (e.g. fail the primary region or corrupt a copy of the database); the clock starts now.',
        kind: 'task',
        role: 'incident_commander',
        marks: ['drill_start'],
        kb: ['KB_15#Drills'],
      },
      {
        id: 'run-runbook',
        title: 'Open the restore runbook and follow it as written',
        detail: 'Note every step where the runbook was wrong or missing; those notes are drill findings.',
        kind: 'task',
        role: 'incident_commander',
        kb: ['KB_15#Restore_Procedure'],
      },
      {
        id: 'pitr-restore',
        title: 'Restore the database with point-in-time recovery',
        detail: 'Restore to the latest restorable time (or to the minute before the simulated corruption) into a new instance; record the restore point.',
        kind: 'task',
        kb: ['KB_15#PITR'],
      },
      {
        id: 'reprovision-iac',
        title: 'Reprovision the infrastructure from IaC',
        detail: 'Apply the infrastructure code for the recovery region through the pipeline, point the services at the restored database and let GitOps deploy the current signed digests.',
        kind: 'task',
        kb: ['KB_15#IaC_Reprovisioning'],
      },
      {
        id: 'capture-evidence',
        title: 'Capture the evidence',
        detail: 'Export the drill log, the restore timings and the health checks (log exports or screenshots) into the evidence store.',
        kind: 'task',
        kb: ['KB_10#Evidence_Bundle'],
      },
      {
        id: 'verify-targets',
        title: `Verify against RTO ${rto} and RPO ${rpo}`,
        detail: `The service is back when its health checks pass: elapsed time must be under ${rto}, and the newest restored write must be at most ${rpo} older than the simulated failure. A miss is a finding with an owner.`,
        kind: 'approval',
        role: 'approver',
        marks: ['drill_end'],
        kb: ['KB_15#RTO_Tracking'],
      },
    ],
  };
}
