import type { MetricsSource } from './client.js';
import type { HealthChecks } from './checks.js';

export interface AnalysisOutcome {
  name: string;
  query: string;
  condition: string;
  /** The first value of the result (what `result[0]` reads), null when Prometheus returned no series. */
  value: number | null;
  passed: boolean;
  reason: string | null;
}

export interface BurnOutcome {
  record: string;
  errorRatio: number | null;
  /** errorRatio / error budget: 1 spends the budget exactly over the SLO window. */
  burnRate: number | null;
  /** The window is one the plan's incident rule compares (`HealthChecks.incidentWindows`). */
  opensIncident?: boolean;
}

export interface AlertOutcome {
  name: string;
  severity: string | null;
  opensIncident: boolean;
  /** The alert's expression holds now (its `for:` duration is Prometheus's business, not checked here). */
  holds: boolean;
}

/** A canary's health at one instant, decided by the plan's own queries and thresholds. */
export interface CanaryHealth {
  target: string;
  at: string;
  analysis: AnalysisOutcome[];
  burn: BurnOutcome[];
  errorBudget: number | null;
  alerts: AlertOutcome[];
  /** fail when an analysis metric fails or has no data, or a burn alert of severity page/critical holds. */
  verdict: 'pass' | 'fail';
  /** A burn alert labelled `action: open_incident` holds: pause the promotion and open an incident. */
  openIncident: boolean;
  /** The plan's incident burn-rate factor (`HealthChecks.incidentThreshold`). */
  incidentThreshold?: number | null;
  reasons: string[];
}

const BLOCKING_SEVERITIES = new Set(['page', 'critical']);

/** Runs every check of the plan against the metrics source once, at `at` (default: now). */
export async function canaryHealth(source: MetricsSource, checks: HealthChecks, options: { target: string; at?: Date }): Promise<CanaryHealth> {
  const at = options.at ?? new Date();
  const reasons: string[] = [];
  const analysis: AnalysisOutcome[] = [];
  for (const check of checks.analysis) {
    const { values } = await source.query(check.query, at);
    const value = values[0] ?? null;
    let reason: string | null = null;
    if (values.length === 0 || values.some((v) => Number.isNaN(v))) reason = 'no data';
    else if (check.failure?.(values)) reason = `failure condition ${check.failureCondition} holds`;
    else if (check.success && !check.success(values)) reason = `success condition ${check.successCondition} does not hold`;
    if (reason !== null) reasons.push(`${check.name}: ${reason}${value === null || Number.isNaN(value) ? '' : ` (value ${value})`}`);
    analysis.push({ name: check.name, query: check.query, condition: check.successCondition ?? `not (${check.failureCondition ?? ''})`, value: value === null || Number.isNaN(value) ? null : value, passed: reason === null, reason });
  }
  const burn: BurnOutcome[] = [];
  for (const window of checks.burnWindows) {
    const ratio = (await source.query(window.query, at)).values[0];
    const errorRatio = ratio === undefined || Number.isNaN(ratio) ? null : ratio;
    burn.push({
      record: window.record,
      errorRatio,
      burnRate: errorRatio === null || checks.errorBudget === null ? null : errorRatio / checks.errorBudget,
      opensIncident: (checks.incidentWindows ?? []).includes(window.record),
    });
  }
  const alerts: AlertOutcome[] = [];
  for (const alert of checks.alerts) {
    const holds = (await source.query(alert.expr, at)).values.length > 0;
    alerts.push({ name: alert.name, severity: alert.severity, opensIncident: alert.opensIncident, holds });
    if (holds && (alert.opensIncident || BLOCKING_SEVERITIES.has(alert.severity ?? ''))) reasons.push(`${alert.name} holds${alert.opensIncident ? ': open an incident' : ''}`);
  }
  if (checks.analysis.length === 0) reasons.push('the plan has no analysis query to decide the canary');
  return {
    target: options.target,
    at: at.toISOString(),
    analysis,
    burn,
    errorBudget: checks.errorBudget,
    alerts,
    verdict: reasons.length === 0 ? 'pass' : 'fail',
    openIncident: alerts.some((a) => a.opensIncident && a.holds),
    incidentThreshold: checks.incidentThreshold ?? null,
    reasons,
  };
}
