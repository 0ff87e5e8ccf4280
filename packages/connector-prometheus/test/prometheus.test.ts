import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burnRateVerdict, canaryHealth, healthChecksOf, MetricsQueryError, prometheusClient, type CanaryHealth, type MetricsSource } from '@ringmaster/connector-prometheus';
import { eventually, freePort, hasPrometheus, listen, startPrometheus, type RunningPrometheus } from './harness.js';
import { planFiles } from './plan.js';

const title = hasPrometheus ? 'canary health against a real Prometheus' : 'canary health: SKIPPED, prometheus is not installed (run scripts/install-system-deps.sh)';

describe.skipIf(!hasPrometheus)(title, () => {
  let prometheus: RunningPrometheus;
  let source: MetricsSource;
  const checks = healthChecksOf(planFiles());

  beforeAll(async () => {
    prometheus = await startPrometheus();
    source = prometheusClient({ url: prometheus.url });
  }, 120_000);

  afterAll(() => prometheus?.stop());

  it('a healthy canary passes on the plan\'s own thresholds; a failing one is refused and opens an incident', async () => {
    const healthy = await canaryHealth(source, checks, { target: 'canary' });
    expect(healthy.reasons).toEqual([]);
    expect(healthy.verdict).toBe('pass');
    expect(healthy.openIncident).toBe(false);
    const [errorRate, latency] = healthy.analysis;
    expect(errorRate).toMatchObject({ name: 'canary-health/error-rate', passed: true });
    expect(errorRate?.value).toBeGreaterThan(0);
    expect(errorRate?.value).toBeLessThan(0.01);
    expect(latency?.value).toBeLessThan(0.5);
    expect(healthy.alerts.every((a) => !a.holds)).toBe(true);
    for (const b of healthy.burn) expect(b.burnRate).toBeLessThan(6);
    expect(burnRateVerdict(healthy)).toMatchObject({ decision: 'continue', threshold: 10 });

    prometheus.metrics.fail();
    // The error-rate window must be dominated by the failing samples: poll, never sleep a fixed time.
    const failing = await eventually<CanaryHealth>(async () => {
      const h = await canaryHealth(source, checks, { target: 'canary' });
      return h.analysis.every((a) => !a.passed) && h.openIncident ? h : null;
    });
    expect(failing.verdict).toBe('fail');
    expect(failing.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^canary-health\/error-rate: success condition result\[0\] < 0\.01 does not hold \(value /), 'ErrorBudgetBurnIncident holds: open an incident']));
    expect(failing.analysis[1]?.value).toBeGreaterThan(0.5);
    expect(failing.burn.find((b) => b.record === 'slo:error_ratio:rate5m')?.burnRate).toBeGreaterThan(10);
    const verdict = burnRateVerdict(failing);
    expect(verdict).toMatchObject({ decision: 'open-incident', threshold: 10 });
    expect(verdict.burnRate).toBeGreaterThan(10);
    expect(verdict.reason).toMatch(/^ErrorBudgetBurnIncident holds: error budget burn above the plan's 10x incident threshold \(burn rate [\d.]+x\): pause the promotion/);
  }, 180_000);

  it('a canary without data is refused, not passed', async () => {
    const silent = await canaryHealth(source, healthChecksOf(planFiles(), { 'service-name': 'crm-api-nothing' }), { target: 'canary' });
    expect(silent.verdict).toBe('fail');
    expect(silent.reasons).toContain('canary-health/error-rate: no data');
  });

  it('says clearly when Prometheus refuses a query or cannot be reached', async () => {
    await expect(source.query('sum(rate(')).rejects.toThrow(/^prometheus at http:\/\/127\.0\.0\.1:\d+: query refused \(HTTP 400, bad_data\)/);
    const nowhere = prometheusClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 5_000 });
    await expect(nowhere.query('up')).rejects.toThrow(MetricsQueryError);
    await expect(nowhere.query('up')).rejects.toThrow(/unreachable \(ECONNREFUSED\)/);
  });
});

describe('the Prometheus token', () => {
  it('goes in a header and never into an error', async () => {
    const token = 'prom-S3cret-0123456789';
    let seen = '';
    const server = createServer((req, res) => {
      seen = req.headers.authorization ?? '';
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: `bad token ${seen}` }));
    });
    const port = await listen(server);
    try {
      const error = await prometheusClient({ url: `http://127.0.0.1:${port}`, token }).query('up').catch((e: unknown) => e as Error);
      expect(seen).toBe(`Bearer ${token}`);
      expect((error as Error).message).toContain('query refused (HTTP 401, unauthorized)');
      expect((error as Error).message).not.toContain(token);
      expect(() => prometheusClient({ url: `http://user:${token}@127.0.0.1:${port}` })).toThrow(/without credentials/);
    } finally {
      server.close();
    }
  });
});
