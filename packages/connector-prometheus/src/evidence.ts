import type { ActionData } from '@ringmaster/core';
import type { CanaryHealth } from './health.js';

/**
 * The evidence of one health check: every value measured (analysis values by metric, burn rates
 * by recording rule, rounded to 4 decimals so that the log does not carry float noise) and the
 * verdict as the outcome; `reason` is the caller's one-line decision when the canary does not pass.
 */
export function healthEvidence(health: CanaryHealth, reason: string | null, service?: string): ActionData {
  const measurements: Record<string, number> = {};
  for (const a of health.analysis) if (a.value !== null) measurements[a.name] = a.value;
  for (const b of health.burn) if (b.burnRate !== null) measurements[`burn_rate:${b.record}`] = Number(b.burnRate.toFixed(4));
  return {
    action: 'canary-health',
    outcome: health.verdict === 'pass' ? 'done' : 'refused',
    ...(service === undefined ? {} : { service }),
    ring: health.target,
    measurements,
    ...(reason === null ? {} : { reason }),
  };
}
