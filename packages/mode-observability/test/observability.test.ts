import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { observabilityMode, observabilityRules } from '../src/index.js';

type P = Record<string, unknown>;
const plain: P = { goal: 'Release observability' };
const datadog: P = { goal: 'SLO monitoring', observability_stack: { vendor: 'Datadog' } };
const named: P = { goal: 'Release observability', observability_stack: { tracing_backend: 'jaeger', metrics_backend: 'victoriametrics' } };

const ruleRows: { rule: string; field: string; fires: P; not: P; value: unknown }[] = [
  { rule: 'observability/slos-by-risk', field: 'observability_plan.slos', fires: plain, not: plain, value: ['availability 99.95% over 30d', 'p99 latency < 500ms over 30d'] },
  { rule: 'observability/error-budget-freeze', field: 'observability_plan.error_budget_policy', fires: plain, not: plain, value: 'freeze_features_when_budget_exhausted' },
  { rule: 'observability/release-markers', field: 'observability_plan.release_markers', fires: plain, not: plain, value: true },
  { rule: 'observability/golden-signals', field: 'observability_plan.golden_signals', fires: plain, not: plain, value: ['rate', 'errors', 'duration', 'saturation'] },
  { rule: 'observability/burn-rate-incident', field: 'observability_plan.burn_rate_incident_threshold', fires: plain, not: plain, value: 10 },
  { rule: 'observability/tracing-from-profile', field: 'observability_plan.tracing_backend', fires: named, not: plain, value: 'jaeger' },
  { rule: 'observability/tracing-datadog', field: 'observability_plan.tracing_backend', fires: datadog, not: plain, value: 'datadog_apm' },
  { rule: 'observability/tracing-default', field: 'observability_plan.tracing_backend', fires: plain, not: datadog, value: 'opentelemetry_tempo' },
  { rule: 'observability/metrics-from-profile', field: 'observability_plan.metrics_backend', fires: named, not: plain, value: 'victoriametrics' },
  { rule: 'observability/metrics-datadog', field: 'observability_plan.metrics_backend', fires: datadog, not: plain, value: 'datadog' },
  { rule: 'observability/metrics-default', field: 'observability_plan.metrics_backend', fires: plain, not: datadog, value: 'prometheus' },
];

const single = (rule: string): boolean => observabilityRules.filter((r) => r.field === observabilityRules.find((x) => x.id === rule)?.field).length === 1;

describe('observability rules', () => {
  it('has a row for every rule', () => {
    expect(new Set(ruleRows.map((r) => r.rule))).toEqual(new Set(observabilityRules.map((r) => r.id)));
  });
  it.each(ruleRows)('$rule', ({ rule, field, fires, not, value }) => {
    expect(runMode(observabilityMode, fires).decisions.get(field)).toEqual({ rule, value });
    if (!single(rule)) expect(runMode(observabilityMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
  it('a lower risk tier gets the 99.9% availability SLO', () => {
    expect(runMode(observabilityMode, { ...plain, risk_tier: 'medium' }).decisions.get('observability_plan.slos')?.value).toEqual(['availability 99.9% over 30d', 'p99 latency < 500ms over 30d']);
  });
});

describe('observability applicability', () => {
  it.each(['Release observability', 'Monitoring', 'Define SLOs', 'Error budget policy', 'Alerting on burn rate', 'OpenTelemetry tracing', 'Release markers in Datadog dashboards'])(
    'applies to "%s"',
    (goal) => expect(runMode(observabilityMode, { goal }).applies).toBe(true),
  );
  it.each(['DR Plan', 'Canary', 'GitOps', 'Emergency Fix Process', 'Setup CI pipeline'])('skips "%s"', (goal) => {
    expect(runMode(observabilityMode, { goal }).applies).toBe(false);
  });
  it('incidents pain and a given stack are weak evidence', () => {
    expect(runMode(observabilityMode, { goal: 'DR Plan', current_pain: ['incidents'] }).applies).toBe(false);
    expect(runMode(observabilityMode, { goal: 'Help', observability_stack: { vendor: 'grafana' } }).applies).toBe(false);
  });
});

describe('observability artifacts', () => {
  const artifact = (p: P, name: string) => runMode(observabilityMode, p).artifacts.find((a) => a.name === name);

  it('release marker and SLO burn alerts', () => {
    expect(runMode(observabilityMode, plain).artifacts.map((a) => a.name)).toEqual(['release_marker.sh', 'slo_burn_alerts.yaml']);
  });
  it.each([
    { profile: plain, backend: 'grafana', api: '/api/annotations' },
    { profile: datadog, backend: 'datadog', api: '/api/v1/events' },
  ])('release marker posts to $backend, credentials by reference only', ({ profile, backend, api }) => {
    const body = artifact(profile, 'release_marker.sh')?.body as { vars: Record<string, string>; script: string };
    expect(body.vars['MARKER_BACKEND']).toBe(backend);
    expect(body.script).toContain(api);
    expect(body.script).toContain('"${DD_API_KEY:?');
    expect(Object.keys(body.vars).some((k) => /KEY|TOKEN/.test(k))).toBe(false);
  });
  it('burn-rate alerts: 14.4x and 6x multiwindow, plus the 10x incident', () => {
    const t = JSON.stringify(artifact(plain, 'slo_burn_alerts.yaml')?.body);
    expect(t).toContain('"kind":"PrometheusRule"');
    expect(t).toContain('(14.4 * 0.0005)');
    expect(t).toContain('(6 * 0.0005)');
    expect(t).toContain('(10 * 0.0005)');
    expect(t).toContain('"action":"open_incident"');
  });
  it("burn-rate rules select the plan's own services, each burning its own budget", () => {
    const one = JSON.stringify(artifact({ ...plain, delivery: { services: [{ name: 'billing' }] } }, 'slo_burn_alerts.yaml')?.body);
    expect(one).toContain('service_name=\\"billing\\"');
    expect(one).toContain('"name":"billing-slo-burn"');
    expect(one).not.toContain('crm-api');
    const body = artifact({ ...plain, delivery: { services: [{ name: 'crm-api' }, { name: 'crm-web' }] } }, 'slo_burn_alerts.yaml')?.body as unknown as { documents: { spec: { groups: { name: string; rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[] }[] } }[] };
    const groups = body.documents[0]?.spec.groups ?? [];
    expect(groups.map((g) => g.name)).toEqual(['crm-api-slo-recording', 'crm-api-slo-burn', 'crm-web-slo-recording', 'crm-web-slo-burn']);
    for (const g of groups) {
      const service = g.name.replace(/-slo-(recording|burn)$/, '');
      for (const r of g.rules) {
        expect(r.expr).toContain(`service_name="${service}"`);
        expect(r.expr).not.toMatch(new RegExp(`service_name="(?!${service}")`));
        if (r.record) expect(r.labels).toEqual({ service_name: service });
      }
    }
  });
  it('error budget follows the SLO target', () => {
    expect(JSON.stringify(artifact({ ...plain, risk_tier: 'low' }, 'slo_burn_alerts.yaml')?.body)).toContain('(14.4 * 0.001)');
  });
});

describe('observability notes', () => {
  it('warns that the burn alerts are Prometheus rules on Datadog', () => {
    expect(observabilityMode.contribute(contextFor(datadog)).warnings).toHaveLength(1);
    expect(observabilityMode.contribute(contextFor(plain)).warnings).toHaveLength(0);
  });
  it('risks and asks', () => {
    expect(observabilityMode.contribute(contextFor(plain)).risks).toEqual(['deployment-failed']);
    expect(observabilityMode.dependsOn.asks).toEqual([]);
  });
});

describe('burn-rate rules per orchestrator', () => {
  it.each([
    { orchestrator: 'kubernetes', path: 'monitoring/slo-burn-alerts.yaml', kind: 'PrometheusRule' },
    { orchestrator: 'unknown', path: 'monitoring/slo-burn-alerts.yaml', kind: 'PrometheusRule' },
    { orchestrator: 'vm', path: 'monitoring/slo-burn-alerts.rules.yml', kind: undefined },
    { orchestrator: 'ecs', path: 'monitoring/slo-burn-alerts.rules.yml', kind: undefined },
  ])('$orchestrator -> $path', ({ orchestrator, path, kind }) => {
    const spec = runMode(observabilityMode, { ...plain, infra: { orchestrator } }).artifacts.find((a) => a.name === 'slo_burn_alerts.yaml');
    expect(spec?.path).toBe(path);
    if (spec?.body.format !== 'yaml') throw new Error('not yaml');
    const doc = spec.body.documents[0] as { kind?: string; groups?: unknown[]; spec?: { groups: unknown[] } };
    expect(doc.kind).toBe(kind);
    expect((doc.groups ?? doc.spec?.groups)?.length).toBe(2);
  });
});
