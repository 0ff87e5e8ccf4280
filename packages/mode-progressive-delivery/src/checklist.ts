import type { Checklist, ChecklistStep } from '@ringmaster/core';

export interface PromotionInput {
  /** The service released, or the services released together (each has its own canary, checked and approved on its own). */
  service: string | readonly string[];
  version: string;
  rings: readonly string[];
  /** Bake time per ring, in minutes (default 30). */
  bakeMinutes?: number;
  /** Per service, the command that lets its Rollout, paused at the end of each ring but the last, move on once approved. */
  resumeCommands?: Readonly<Record<string, string>>;
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

/** `a`, `a and b`, `a, b and c`. */
function namesInProse(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
}

/**
 * The release captain checklist (spec section 3.3), ring by ring: acknowledge the
 * page, then for each ring check the release markers, verify canary health at 5%,
 * bake, and approve promotion. Step ids are stable for the same rings.
 *
 * With several services, each service's Rollout has its own canary and waits for its
 * own promotion at each ring, so canary health and approval are one step per service
 * (ids end in the service's name); markers and the bake, which the services share,
 * stay one step per ring. One service keeps the ids without a suffix.
 */
export function promotionChecklist(input: PromotionInput): Checklist {
  const rings = input.rings.length > 0 ? input.rings : ['production'];
  const bake = input.bakeMinutes ?? 30;
  const slugs = ringSlugs(rings);
  const services = typeof input.service === 'string' ? [input.service] : [...input.service];
  const several = services.length > 1;
  const everyService = namesInProse(services);
  const perService = (id: string, service: string): string => (several ? `${id}-${service}` : id);
  const of = (service: string): string => (several ? ` of ${service}` : '');
  const steps: ChecklistStep[] = [
    {
      id: 'ack-page',
      title: 'Acknowledge the release page (PagerDuty / Opsgenie)',
      detail: `The release captain owns the promotion of ${everyService} ${input.version} from here on.`,
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
        detail: `A release marker for ${everyService} ${input.version} shows on the dashboards (Datadog or Grafana), so before and after are comparable.`,
        kind: 'task',
        role: 'release_captain',
        kb: ['KB_07#Release_Markers'],
      },
      ...services.map(
        (service): ChecklistStep => ({
          id: perService(`${slug}-canary-health`, service),
          title: `${ring}: verify canary health${of(service)} (5%)`,
          detail: `Error rate below 1%, p99 latency within the SLO, no burn-rate alert firing${several ? ` for ${service}'s canary` : ''}; otherwise abort and let the rollout roll back.`,
          kind: 'task',
          role: 'release_captain',
          kb: ['KB_18#Canary', 'KB_07#SLO_Burn'],
        }),
      ),
      {
        id: `${slug}-bake`,
        title: `${ring}: bake`,
        detail: 'Watch logs and golden signals while the release bakes.',
        kind: 'wait',
        waitMinutes: bake,
        kb: ['KB_18#Ring_Deployment'],
      },
      ...services.map((service): ChecklistStep => {
        const resume = next === undefined ? undefined : input.resumeCommands?.[service];
        return {
          id: perService(`${slug}-approve`, service),
          title: next === undefined ? `${ring}: approve completion of the rollout${of(service)}` : `${ring}: approve promotion${of(service)} to ${next}`,
          detail:
            'A second person approves (segregation of duties); the approval is recorded as evidence.' +
            (resume === undefined ? (several ? ` ${service}'s Rollout waits for its own promotion.` : '') : ` ${several ? `${service}'s` : 'The'} Rollout waits at the end of ${ring} until promoted: then run \`${resume}\`.`),
          kind: 'approval',
          role: 'approver',
          kb: ['KB_12#Promotion', 'KB_10#Segregation_Of_Duties'],
        };
      }),
    );
  });
  return {
    id: 'release-captain-promotion',
    title: `Release captain checklist: ${everyService} ${input.version}`,
    summary: `Promote ${everyService} ${input.version} ring by ring (${rings.join(' -> ')}), each ring healthy before the next${several ? ': every service is checked and approved in a ring before any moves to the next' : ''}.`,
    kb: ['KB_18#Ring_Deployment', 'KB_02#Progressive_Delivery'],
    steps,
  };
}
