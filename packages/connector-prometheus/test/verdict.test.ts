import { describe, expect, it } from 'vitest';
import { burnRateVerdict, canaryHealth, healthChecksOf, healthEvidence, type CanaryHealth, type MetricsSource } from '@ringmaster/connector-prometheus';
import { planFiles } from './plan.js';

/** canaryHealth over the plan's checks, against a metrics source that answers each of the plan's queries with chosen values. */
async function health(plan: ReturnType<typeof planFiles>, values: { errorRate: number; burn: Record<string, number | null>; alertsHolding?: readonly string[] }): Promise<CanaryHealth> {
  const checks = healthChecksOf(plan);
  const answers = new Map<string, number[]>();
  for (const a of checks.analysis) answers.set(a.query, [values.errorRate]);
  for (const w of checks.burnWindows) {
    const rate = values.burn[w.record];
    answers.set(w.query, rate === null || rate === undefined ? [] : [rate * (checks.errorBudget as number)]);
  }
  for (const a of checks.alerts) answers.set(a.expr, (values.alertsHolding ?? []).includes(a.name) ? [1] : []);
  const source: MetricsSource = {
    query: (promql) => {
      const found = answers.get(promql);
      if (found === undefined) throw new Error(`unexpected query ${promql}`);
      return Promise.resolve({ values: found, labels: found.map(() => ({})) });
    },
  };
  return canaryHealth(source, { ...checks, analysis: checks.analysis.slice(0, 1) }, { target: 'canary' });
}

const windows = (fast: number | null, slow: number | null): Record<string, number | null> => ({ 'slo:error_ratio:rate5m': fast, 'slo:error_ratio:rate1h': slow, 'slo:error_ratio:rate30m': 1, 'slo:error_ratio:rate6h': 1 });

describe('the burn-rate verdict (spec Mode 7) with the plan\'s own threshold', () => {
  const plan = planFiles();

  it("reads the threshold and the windows from the plan's open_incident alert", () => {
    const checks = healthChecksOf(plan);
    expect(checks.incidentThreshold).toBe(10);
    expect(checks.incidentWindows?.sort()).toEqual(['slo:error_ratio:rate1h', 'slo:error_ratio:rate5m']);
  });

  it.each([
    ['a healthy canary', 'continue', { errorRate: 0.001, burn: windows(2, 1) }],
    ['a failing analysis below the threshold', 'pause', { errorRate: 0.05, burn: windows(8, 9.5) }],
    ['a paging alert below the threshold', 'pause', { errorRate: 0.001, burn: windows(9, 7), alertsHolding: ['ErrorBudgetBurnSlow'] }],
    ['one window above, one below (a spike, not a burn)', 'pause', { errorRate: 0.05, burn: windows(40, 6) }],
    ['every incident window above the threshold', 'open-incident', { errorRate: 0.05, burn: windows(40, 12) }],
    ['the incident alert holding', 'open-incident', { errorRate: 0.05, burn: windows(40, 12), alertsHolding: ['ErrorBudgetBurnIncident'] }],
    ['no burn data and a passing analysis', 'continue', { errorRate: 0.001, burn: windows(null, null) }],
  ] as const)('%s: %s', async (_name, decision, values) => {
    expect(burnRateVerdict(await health(plan, values)).decision).toBe(decision);
  });

  it('says why, with the burn rate it compared and the threshold', async () => {
    expect(burnRateVerdict(await health(plan, { errorRate: 0.05, burn: windows(40, 12) }))).toEqual({
      decision: 'open-incident',
      threshold: 10,
      burnRate: 12,
      reason: "error budget burn rate 12x is above the plan's 10x incident threshold in every incident window: pause the promotion, open an incident and offer the rollback",
    });
    expect(burnRateVerdict(await health(plan, { errorRate: 0.001, burn: windows(2, 1) })).reason).toBe("the canary passes its analysis; burn rate 1x is within the plan's 10x incident threshold");
  });

  it('follows a plan whose incident threshold differs, never a number of its own', async () => {
    const stricter = plan.map((f) => (f.path === 'monitoring/slo-burn-alerts.yaml' ? { ...f, content: f.content.replaceAll('(10 * 0.0005)', '(20 * 0.0005)') } : f));
    expect(healthChecksOf(stricter).incidentThreshold).toBe(20);
    expect(burnRateVerdict(await health(stricter, { errorRate: 0.05, burn: windows(40, 12) }))).toMatchObject({ decision: 'pause', threshold: 20 });
    expect(burnRateVerdict(await health(stricter, { errorRate: 0.05, burn: windows(40, 21) }))).toMatchObject({ decision: 'open-incident', threshold: 20 });
    // Without an open_incident alert there is no threshold, and only the analysis decides.
    const withoutRule = plan.filter((f) => f.path !== 'monitoring/slo-burn-alerts.yaml');
    expect(burnRateVerdict(await health(withoutRule, { errorRate: 0.05, burn: {} }))).toMatchObject({ decision: 'pause', threshold: null, burnRate: null });
  });
});

describe('the evidence of a health check', () => {
  const checked: CanaryHealth = {
    target: 'ring0',
    at: '2026-11-30T00:00:00.000Z',
    analysis: [
      { name: 'crm-api-canary/success-rate', query: 'q', condition: 'result[0] >= 0.99', value: 0.95, passed: false, reason: 'success condition does not hold' },
      { name: 'crm-api-canary/latency', query: 'q', condition: 'result[0] < 0.5', value: null, passed: false, reason: 'no data' },
    ],
    burn: [{ record: 'slo:error_ratio:rate5m', errorRatio: 0.0123456, burnRate: 12.3456789, opensIncident: true }],
    errorBudget: 0.001,
    alerts: [],
    verdict: 'fail',
    openIncident: true,
    reasons: ['x'],
  };

  it('records every measured value, burn rates rounded, and the caller’s reason', () => {
    expect(healthEvidence(checked, 'burn rate 12.3x over 10x: open an incident', 'crm-api')).toEqual({
      action: 'canary-health',
      outcome: 'refused',
      service: 'crm-api',
      ring: 'ring0',
      measurements: { 'crm-api-canary/success-rate': 0.95, 'burn_rate:slo:error_ratio:rate5m': 12.3457 },
      reason: 'burn rate 12.3x over 10x: open an incident',
    });
    expect(healthEvidence({ ...checked, verdict: 'pass' }, null)).not.toHaveProperty('reason');
    expect(healthEvidence({ ...checked, verdict: 'pass' }, null).outcome).toBe('done');
  });
});
