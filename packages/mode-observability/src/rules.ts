import type { ModeContext, NormalizedProfile, Rule } from '@ringmaster/core';

const known = (value: string): boolean => value !== 'unknown' && value.trim() !== '';

/** True when the profile's observability stack is Datadog (vendor or metrics backend). */
export function usesDatadog(profile: NormalizedProfile): boolean {
  return /datadog/i.test(profile.observability.vendor) || /datadog/i.test(profile.observability.metrics_backend);
}

/** Availability objective by risk tier: stricter when the blast radius is larger. */
export function availabilityTarget(profile: NormalizedProfile): number {
  return profile.risk_tier === 'high' ? 99.95 : 99.9;
}

/** Mode 7's decisions, one row each; the first matching row of a field wins. */
export const observabilityRules: readonly Rule[] = [
  {
    id: 'observability/slos-by-risk',
    field: 'observability_plan.slos',
    value: ({ profile }: ModeContext) => [`availability ${availabilityTarget(profile)}% over 30d`, 'p99 latency < 500ms over 30d'],
    why: 'Releases are judged against user-facing objectives: availability (stricter for a high risk tier) and p99 latency over a 30-day window.',
    kb: ['KB_07#SLO_Burn', 'KB_07#Observability'],
  },
  {
    id: 'observability/error-budget-freeze',
    field: 'observability_plan.error_budget_policy',
    value: 'freeze_features_when_budget_exhausted',
    why: 'When the 30-day error budget is spent, feature releases stop and only fixes and reliability work ship until it recovers.',
    kb: ['KB_07#Error_Budget_Policy'],
  },
  {
    id: 'observability/release-markers',
    field: 'observability_plan.release_markers',
    value: true,
    why: 'Every deploy posts a release marker so that a latency spike or error burst is visible next to the release that caused it.',
    kb: ['KB_07#Release_Markers'],
  },
  {
    id: 'observability/golden-signals',
    field: 'observability_plan.golden_signals',
    value: ['rate', 'errors', 'duration', 'saturation'],
    why: 'Rate, errors and duration (plus saturation) are the signals a rollout is watched on; they catch most regressions without bespoke dashboards.',
    kb: ['KB_07#Golden_Signals'],
  },
  {
    id: 'observability/burn-rate-incident',
    field: 'observability_plan.burn_rate_incident_threshold',
    value: 10,
    why: 'Spec Mode 7 step 5: an error budget burning faster than 10x the sustainable rate during a rollout opens an incident.',
    kb: ['KB_07#SLO_Burn'],
  },
  {
    id: 'observability/tracing-from-profile',
    field: 'observability_plan.tracing_backend',
    when: ({ profile }) => known(profile.observability.tracing_backend),
    value: ({ profile }: ModeContext) => profile.observability.tracing_backend,
    why: 'The profile names its trace backend; errors are traced to commits there.',
    kb: ['KB_07#Observability'],
  },
  {
    id: 'observability/tracing-datadog',
    field: 'observability_plan.tracing_backend',
    when: ({ profile }) => usesDatadog(profile),
    value: 'datadog_apm',
    why: 'The stack is Datadog, so traces go to Datadog APM next to its metrics and release markers.',
    kb: ['KB_07#Observability'],
  },
  {
    id: 'observability/tracing-default',
    field: 'observability_plan.tracing_backend',
    value: 'opentelemetry_tempo',
    why: 'No trace backend given: OpenTelemetry SDKs export to Grafana Tempo, a portable open-source default that any vendor can replace.',
    kb: ['KB_07#Observability'],
  },
  {
    id: 'observability/metrics-from-profile',
    field: 'observability_plan.metrics_backend',
    when: ({ profile }) => known(profile.observability.metrics_backend),
    value: ({ profile }: ModeContext) => profile.observability.metrics_backend,
    why: 'The profile names its metrics backend; release markers and burn-rate alerts go there.',
    kb: ['KB_07#Release_Markers'],
  },
  {
    id: 'observability/metrics-datadog',
    field: 'observability_plan.metrics_backend',
    when: ({ profile }) => usesDatadog(profile),
    value: 'datadog',
    why: 'The stack is Datadog, so release markers are Datadog events and SLOs are Datadog monitors.',
    kb: ['KB_07#Release_Markers'],
  },
  {
    id: 'observability/metrics-default',
    field: 'observability_plan.metrics_backend',
    value: 'prometheus',
    why: 'No metrics backend given: Prometheus with Grafana annotations as release markers, the portable default.',
    kb: ['KB_07#Release_Markers'],
  },
];
