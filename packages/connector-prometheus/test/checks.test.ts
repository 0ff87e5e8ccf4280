import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { healthChecksOf, MetricsInputError, parseCondition } from '@ringmaster/connector-prometheus';
import { planFiles, PROFILE } from './plan.js';

describe('analysis conditions', () => {
  it.each([
    ['result[0] < 0.01', [0.005], true],
    ['result[0] < 0.01', [0.02], false],
    ['result[0] <= 0.5 && result[1] >= 2', [0.5, 2], true],
    ['result[0] <= 0.5 && result[1] >= 2', [0.5, 1], false],
    ['result < 1 || len(result) == 0', [], true],
    ['!(result[0] > 3)', [4], false],
    ['result[0] > 0.99 and result[0] != 1', [0.995], true],
    ['result[2] < 1', [0], false], // a missing index is NaN: no comparison holds
  ] as const)('%s on %j is %s', (text, values, expected) => {
    expect(parseCondition(text)([...values])).toBe(expected);
  });

  it.each(['result[0] < ', 'asInt(result[0]) < 3', 'result[0] < 0.01 ;', 'default(result[0], 0) >= 0.9'])('refuses %s, never guesses', (text) => {
    expect(() => parseCondition(text)).toThrow(MetricsInputError);
    expect(() => parseCondition(text)).toThrow(`condition ${JSON.stringify(text)}: expected`);
  });
});

describe('health checks of a plan', () => {
  const files = planFiles();

  it("takes the AnalysisTemplate's queries with the arguments the Rollout passes, and the burn alerts with their recording rules inlined", () => {
    const checks = healthChecksOf(files);
    expect(checks.analysis.map((a) => [a.name, a.successCondition])).toEqual([
      ['canary-health/error-rate', 'result[0] < 0.01'],
      ['canary-health/p99-latency-seconds', 'result[0] < 0.5'],
    ]);
    for (const a of checks.analysis) {
      expect(a.query).toContain('destination_service_name="crm-api-canary"');
      expect(a.query).not.toContain('{{');
    }
    expect(checks.alerts.map((a) => [a.name, a.severity, a.opensIncident])).toEqual([
      ['ErrorBudgetBurnFast', 'page', false],
      ['ErrorBudgetBurnSlow', 'page', false],
      ['ErrorBudgetBurnIncident', 'critical', true],
    ]);
    for (const a of checks.alerts) expect(a.expr).not.toMatch(/slo:error_ratio/);
    expect(checks.errorBudget).toBe(0.0005);
    expect(checks.burnWindows.map((w) => w.record).sort()).toEqual(['slo:error_ratio:rate1h', 'slo:error_ratio:rate30m', 'slo:error_ratio:rate5m', 'slo:error_ratio:rate6h']);
  });

  it("with several services: a check is about one service's canary and SLO, named by the caller", () => {
    const files = planFiles({ ...PROFILE, delivery: { ...PROFILE.delivery, services: [{ name: 'crm-api' }, { name: 'crm-web' }] } });
    expect(() => healthChecksOf(files)).toThrow('service: expected one of crm-api, crm-web (the services the plan\'s canaries and SLOs are about), found none given');
    expect(() => healthChecksOf(files, {}, 'crm-worker')).toThrow(MetricsInputError);
    const checks = healthChecksOf(files, {}, 'crm-web');
    expect(checks.analysis.map((a) => a.name)).toEqual(['canary-health-crm-web/error-rate', 'canary-health-crm-web/p99-latency-seconds']);
    for (const a of checks.analysis) expect(a.query).toContain('destination_service_name="crm-web-canary"');
    expect(checks.alerts.map((a) => [a.name, a.opensIncident])).toEqual([
      ['ErrorBudgetBurnFast', false],
      ['ErrorBudgetBurnSlow', false],
      ['ErrorBudgetBurnIncident', true],
    ]);
    for (const a of checks.alerts) {
      expect(a.expr).toContain('service_name="crm-web"');
      expect(a.expr).not.toContain('crm-api');
    }
    expect(checks.incidentWindows?.sort()).toEqual(['slo:error_ratio:rate1h{service_name="crm-web"}', 'slo:error_ratio:rate5m{service_name="crm-web"}']);
    expect(checks.incidentThreshold).toBe(10);
    // One service: the service given must be it.
    expect(healthChecksOf(planFiles(), {}, 'crm-api').analysis).toHaveLength(2);
    expect(() => healthChecksOf(planFiles(), {}, 'payments')).toThrow('service: expected one of crm-api');
  });

  it('refuses a read of a series several rules record without saying which', () => {
    const rules = (alert: string): { path: string; content: string } => ({
      path: 'rules.yaml',
      content: `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: g\n      rules:\n        - record: r:x\n          expr: up{job="a"}\n          labels: { svc: a }\n        - record: r:x\n          expr: up{job="b"}\n          labels: { svc: b }\n        - alert: A\n          expr: ${alert}\n          labels: { slo: x }\n`,
    });
    expect(healthChecksOf([rules('r:x{svc="b"} > 1')]).alerts[0]?.expr).toBe('(up{job="b"}) > 1');
    expect(() => healthChecksOf([rules('r:x > 1')])).toThrow('rules.yaml: A: recorded series r:x is recorded by 2 rules; select one by its labels');
    expect(() => healthChecksOf([rules('r:x{svc="c"} > 1')])).toThrow(/matcher svc="c" on recorded series r:x is not one of its rule's labels/);
  });

  it.skipIf(spawnSync('promtool', ['--version']).status !== 0)('every query it will run is valid PromQL (promtool)', () => {
    const checks = healthChecksOf(files);
    const queries = [...checks.analysis.map((a) => a.query), ...checks.alerts.map((a) => a.expr), ...checks.burnWindows.map((w) => w.query)];
    const file = join(mkdtempSync(join(tmpdir(), 'rm-promql-')), 'rules.json');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'checks', rules: queries.map((expr, i) => ({ record: `check_${i}`, expr })) }] }));
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).toContain('SUCCESS');
  });

  it('lets the caller override an argument, and refuses a template argument nobody gives', () => {
    expect(healthChecksOf(files, { 'service-name': 'crm-api-preview' }).analysis[0]?.query).toContain('destination_service_name="crm-api-preview"');
    const withoutRollout = files.filter((f) => !/rollout\.ya?ml$/.test(f.path));
    expect(() => healthChecksOf(withoutRollout)).toThrow(/canary-health\/error-rate: argument service-name has no value/);
  });
});
