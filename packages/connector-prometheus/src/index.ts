export { canaryHealth, type AlertOutcome, type AnalysisOutcome, type BurnOutcome, type CanaryHealth } from './health.js';
export { healthChecksOf, type AlertCheck, type AnalysisCheck, type BurnWindow, type HealthChecks, type PlanFile } from './checks.js';
export { PROMETHEUS_ENV, prometheusClient, type MetricsSource, type PrometheusOptions, type QueryResult } from './client.js';
export { parseCondition, type Condition } from './condition.js';
export { MetricsInputError, MetricsQueryError } from './errors.js';
export { burnRateVerdict, type BurnRateDecision, type BurnRateVerdict } from './verdict.js';
export { planFilesOfDir } from './plan-dir.js';
export { healthEvidence } from './evidence.js';
