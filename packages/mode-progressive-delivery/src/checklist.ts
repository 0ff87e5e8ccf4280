import type { Checklist, ChecklistStep } from '@ringmaster/core';

export interface PromotionInput {
  service: string;
  version: string;
  rings: readonly string[];
  /** Bake time per ring, in minutes (default 30). */
  bakeMinutes?: number;
}

/** Step-id slugs for ring names: lower-case kebab, unique in order (`ga`, `ga-2`). */
export function ringSlugs(rings: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return rings.map((ring) => {
    const base =
      ring
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'ring';
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/**
 * The release captain checklist (spec section 3.3), ring by ring: acknowledge the
 * page, then for each ring check the release markers, verify canary health at 5%,
 * bake, and approve promotion. Step ids are stable for the same rings.
 */
export function promotionChecklist(input: PromotionInput): Checklist {
  const rings = input.rings.length > 0 ? input.rings : ['production'];
  const bake = input.bakeMinutes ?? 30;
  const slugs = ringSlugs(rings);
  const steps: ChecklistStep[] = [
    {
      id: 'ack-page',
      title: 'Acknowledge the release page (PagerDuty / Opsgenie)',
      detail: `The release captain owns the promotion of ${input.service} ${input.version} from here on.`,
      kind: 'task',
      role: 'release_captain',
      marks: ['acknowledged'],
      kb: ['KB_14#OnCall'],
    },
  ];
  rings.forEach((ring, i) => {
    const slug = `ring-${slugs[i] as string}`;
    const next = rings[i + 1];
    steps.push(
      {
        id: `${slug}-markers`,
        title: `${ring}: check the release markers`,
        detail: `A release marker for ${input.service} ${input.version} shows on the dashboards (Datadog or Grafana), so before and after are comparable.`,
        kind: 'task',
        role: 'release_captain',
        kb: ['KB_07#Release_Markers'],
      },
      {
        id: `${slug}-canary-health`,
        title: `${ring}: verify canary health (5%)`,
        detail: 'Error rate below 1%, p99 latency within the SLO, no burn-rate alert firing; otherwise abort and let the rollout roll back.',
        kind: 'task',
        role: 'release_captain',
        kb: ['KB_18#Canary', 'KB_07#SLO_Burn'],
      },
      {
        id: `${slug}-bake`,
        title: `${ring}: bake`,
        detail: 'Watch logs and golden signals while the release bakes.',
        kind: 'wait',
        waitMinutes: bake,
        kb: ['KB_18#Ring_Deployment'],
      },
      {
        id: `${slug}-approve`,
        title: next === undefined ? `${ring}: approve completion of the rollout` : `${ring}: approve promotion to ${next}`,
        detail: 'A second person approves (segregation of duties); the approval is recorded as evidence.',
        kind: 'approval',
        role: 'approver',
        kb: ['KB_12#Promotion', 'KB_10#Segregation_Of_Duties'],
      },
    );
  });
  return {
    id: 'release-captain-promotion',
    title: `Release captain checklist: ${input.service} ${input.version}`,
    summary: `Promote ${input.service} ${input.version} ring by ring (${rings.join(' -> ')}), each ring healthy before the next.`,
    kb: ['KB_18#Ring_Deployment', 'KB_02#Progressive_Delivery'],
    steps,
  };
}
