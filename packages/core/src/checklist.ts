import type { KbTrace } from './kb.js';

/** Roles a checklist step may require (mapped to Slack users or groups by the app's roles file). */
export type ChecklistRole = 'release_captain' | 'incident_commander' | 'approver';

/**
 * What finishing a step means for a run's metrics. The evidence bundle measures
 * from these markers only, never from step titles: MTTA ends at the first step
 * marked `acknowledged` done, time to mitigate at `mitigated`, MTTR at `resolved`;
 * a drill's measured RTO runs from `drill_start` to `drill_end`.
 */
export type StepMarker = 'acknowledged' | 'mitigated' | 'resolved' | 'drill_start' | 'drill_end';

/** One step of an operational checklist. */
export interface ChecklistStep {
  id: string;
  title: string;
  detail?: string;
  /** task: tick when done; approval: needs `role` and segregation of duties; choice: pick one option; wait: a bake timer. */
  kind: 'task' | 'approval' | 'choice' | 'wait';
  role?: ChecklistRole;
  /** For `choice`: each option names the steps that its path enables. */
  options?: readonly { id: string; label: string; enables: readonly string[] }[];
  /** Steps that only show when a choice enabled them. */
  conditional?: boolean;
  /** For `wait`: the bake time in minutes. */
  waitMinutes?: number;
  /** Metric markers: finishing this step is the moment named (several steps may carry one; the first done counts). */
  marks?: readonly StepMarker[];
  kb?: readonly KbTrace[];
}

/**
 * An operational checklist owned by a mode package (incident, DR drill, promotion,
 * rollback). The renderer turns it into Markdown; the Slack app into Block Kit.
 */
export interface Checklist {
  id: string;
  title: string;
  summary: string;
  kb: readonly KbTrace[];
  steps: readonly ChecklistStep[];
}
