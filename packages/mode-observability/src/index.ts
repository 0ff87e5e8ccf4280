import { defineMode, modeModule } from '@ringmaster/core';
import { observabilityArtifacts } from './artifacts.js';
import { observabilityRules, usesDatadog } from './rules.js';
import { observabilityIntents } from './intents.js';

export { availabilityTarget, observabilityRules, usesDatadog } from './rules.js';
export { observabilityArtifacts, releaseMarker, sloBurnAlerts } from './artifacts.js';

/** Mode 7: release observability. Connects deployments to business impact. */
export const observabilityMode = defineMode({
  id: 'observability',
  sections: [{ id: 'observability_plan' }],
  title: 'Release Observability',
  specMode: 7,
  kb: ['KB_07#Observability', 'KB_07#Release_Markers'],
  dependsOn: { inputs: ['/observability_stack', '/risk_tier'], asks: [] },
  intents: observabilityIntents,
  keywords: [
    'observab*',
    'monitor*',
    'slo',
    'slos',
    'sli',
    'slis',
    'metric*',
    'alert*',
    'telemetry',
    'otel',
    'opentelemetry',
    'tracing',
    'dashboard*',
    'error budget*',
    'burn rate*',
    'release marker*',
    'golden signal*',
    'apm',
  ],
  signals: [
    { id: 'pain:incidents', weight: 0.3, when: (p) => p.current_pain.includes('incidents') },
    { id: 'profile:observability_stack', weight: 0.3, when: (p) => p.provided.some((ptr) => ptr.startsWith('/observability_stack/')) },
  ],
  rules: observabilityRules,
  artifacts: observabilityArtifacts,
  risks: () => ['deployment-failed'],
  notes: ({ profile }) => {
    const warnings: string[] = [];
    if (usesDatadog(profile)) {
      warnings.push('observability: slo_burn_alerts.yaml is a PrometheusRule; on Datadog, create the same 14.4x/6x/10x burn-rate monitors on a Datadog SLO.');
    }
    return { warnings };
  },
});

export const observabilityModule = modeModule(observabilityMode);
