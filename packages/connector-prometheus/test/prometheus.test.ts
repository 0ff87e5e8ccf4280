import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryHealth, healthChecksOf, MetricsQueryError, prometheusClient, type CanaryHealth, type MetricsSource } from '@ringmaster/connector-prometheus';
import { planFiles } from './plan.js';

const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
const title = hasPrometheus ? 'canary health against a real Prometheus' : 'canary health: SKIPPED, prometheus is not installed (run scripts/install-system-deps.sh)';

/**
 * The canary's metrics as a scrape endpoint: counters that grow with time, healthy (0.1% errors,
 * requests under 100 ms) until `fail()`, then failing (half the requests 5xx, 500 ms to 1 s).
 */
class CanaryMetrics {
  private readonly started = Date.now();
  private failingSince: number | null = null;
  fail(): void {
    this.failingSince = Date.now();
  }
  text(): string {
    const now = Date.now();
    const healthy = ((this.failingSince ?? now) - this.started) / 1000;
    const failing = this.failingSince === null ? 0 : (now - this.failingSince) / 1000;
    const ok = 100 * healthy + 1000 * failing;
    const errors = 0.1 * healthy + 1000 * failing;
    const total = ok + errors;
    const fast = 100.1 * healthy; // every healthy request under 100 ms
    const istio = 'reporter="destination",destination_service_name="crm-api-canary"';
    const lines = [
      '# TYPE istio_requests_total counter',
      `istio_requests_total{${istio},response_code="200"} ${ok}`,
      `istio_requests_total{${istio},response_code="503"} ${errors}`,
      '# TYPE istio_request_duration_milliseconds histogram',
      ...[50, 100, 250, 500].map((le) => `istio_request_duration_milliseconds_bucket{${istio},le="${le}"} ${le === 50 ? 0.9 * fast : fast}`),
      `istio_request_duration_milliseconds_bucket{${istio},le="1000"} ${total}`,
      `istio_request_duration_milliseconds_bucket{${istio},le="+Inf"} ${total}`,
      `istio_request_duration_milliseconds_sum{${istio}} ${total * 80}`,
      `istio_request_duration_milliseconds_count{${istio}} ${total}`,
      '# TYPE http_server_request_duration_seconds histogram',
      `http_server_request_duration_seconds_count{service_name="crm-api",http_response_status_code="200"} ${ok}`,
      `http_server_request_duration_seconds_count{service_name="crm-api",http_response_status_code="503"} ${errors}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}

const listen = (server: Server): Promise<number> => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it returns a value, at most `bound` ms (a loaded machine is slow, never a failure by itself). */
async function eventually<T>(probe: () => Promise<T | null>, bound = 90_000): Promise<T> {
  const deadline = Date.now() + bound;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe.skipIf(!hasPrometheus)(title, () => {
  const metrics = new CanaryMetrics();
  const endpoint = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.text()));
  const dir = mkdtempSync(join(tmpdir(), 'rm-prometheus-'));
  let prometheus: ChildProcess;
  let source: MetricsSource;
  let url: string;
  const checks = healthChecksOf(planFiles());

  beforeAll(async () => {
    const metricsPort = await listen(endpoint);
    const port = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: canary\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`);
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
    url = `http://127.0.0.1:${port}`;
    source = prometheusClient({ url });
    // Ready once the canary's series have several samples in the analysis window.
    await eventually(async () => ((await source.query('count_over_time(istio_requests_total{response_code="200"}[2m])')).values[0] ?? 0) >= 4 || null);
  }, 120_000);

  afterAll(() => {
    prometheus?.kill('SIGTERM');
    endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

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

    metrics.fail();
    // The error-rate window must be dominated by the failing samples: poll, never sleep a fixed time.
    const failing = await eventually<CanaryHealth>(async () => {
      const h = await canaryHealth(source, checks, { target: 'canary' });
      return h.analysis.every((a) => !a.passed) && h.openIncident ? h : null;
    });
    expect(failing.verdict).toBe('fail');
    expect(failing.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^canary-health\/error-rate: success condition result\[0\] < 0\.01 does not hold \(value /), 'ErrorBudgetBurnIncident holds: open an incident']));
    expect(failing.analysis[1]?.value).toBeGreaterThan(0.5);
    expect(failing.burn.find((b) => b.record === 'slo:error_ratio:rate5m')?.burnRate).toBeGreaterThan(10);
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
