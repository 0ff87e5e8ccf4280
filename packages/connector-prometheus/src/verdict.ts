import type { CanaryHealth } from './health.js';

/** What a promotion under way does after a health check: go on, hold, or stop and open an incident. */
export type BurnRateDecision = 'continue' | 'pause' | 'open-incident';

export interface BurnRateVerdict {
  decision: BurnRateDecision;
  /** The plan's incident threshold (burn-rate factor), null when the plan states none. */
  threshold: number | null;
  /**
   * The burn rate the rule compares: the lowest over the incident rule's windows (a multiwindow
   * rule fires only when every window burns above the threshold). Null without data.
   */
  burnRate: number | null;
  /** One line, for a thread, a log or an exit message. */
  reason: string;
}

const rounded = (n: number): number => Number(n.toPrecision(3));

/**
 * The spec's Mode 7 rule over one health check, with the plan's own threshold (one source of
 * truth: the factor of the plan's alert labelled `action: open_incident`, 10x in the observability
 * mode's plans): open an incident when that alert holds or every window it compares burns above
 * the threshold; else pause when the canary fails its analysis or a paging burn alert holds; else
 * continue. Pure: the Slack app and the CLI decide the same way from the same `CanaryHealth`.
 */
export function burnRateVerdict(health: CanaryHealth): BurnRateVerdict {
  const threshold = health.incidentThreshold ?? null;
  const rates = health.burn.filter((b) => b.opensIncident === true).map((b) => b.burnRate);
  const burnRate = rates.length > 0 && rates.every((r): r is number => r !== null) ? Math.min(...rates) : null;
  const shown = burnRate === null ? 'no data' : `${rounded(burnRate)}x`;
  const incidentAlert = health.alerts.find((a) => a.opensIncident && a.holds);
  if (incidentAlert !== undefined || (threshold !== null && burnRate !== null && burnRate > threshold)) {
    const what =
      incidentAlert !== undefined
        ? `${incidentAlert.name} holds: error budget burn above the plan's ${threshold ?? '?'}x incident threshold (burn rate ${shown})`
        : `error budget burn rate ${shown} is above the plan's ${threshold as number}x incident threshold in every incident window`;
    return { decision: 'open-incident', threshold, burnRate, reason: `${what}: pause the promotion, open an incident and offer the rollback` };
  }
  if (health.verdict === 'fail') return { decision: 'pause', threshold, burnRate, reason: `the canary fails: ${health.reasons.join('; ')}` };
  return { decision: 'continue', threshold, burnRate, reason: `the canary passes its analysis; burn rate ${shown}${threshold === null ? '' : ` is within the plan's ${threshold}x incident threshold`}` };
}
