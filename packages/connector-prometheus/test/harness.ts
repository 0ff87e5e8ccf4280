import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusClient } from '@ringmaster/connector-prometheus';

/** A real Prometheus for tests (also used by the CLI's tests): Debian's `prometheus`, on loopback. */
export const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;

/**
 * The canary's metrics as a scrape endpoint: counters that grow with time, healthy (0.1% errors,
 * requests under 100 ms) until `fail()`, then failing (half the requests 5xx, 500 ms to 1 s).
 */
export class CanaryMetrics {
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

export const listen = (server: Server): Promise<number> => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` until it returns a value, at most `bound` ms (a loaded machine is slow, never a failure by itself). */
export async function eventually<T>(probe: () => Promise<T | null>, bound = 90_000): Promise<T> {
  const deadline = Date.now() + bound;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export interface RunningPrometheus {
  url: string;
  metrics: CanaryMetrics;
  stop(): void;
}

/** Starts Prometheus scraping a canary endpoint every second; resolves once the analysis window has several samples. */
export async function startPrometheus(): Promise<RunningPrometheus> {
  const metrics = new CanaryMetrics();
  const endpoint = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.text()));
  const dir = mkdtempSync(join(tmpdir(), 'rm-prometheus-'));
  const metricsPort = await listen(endpoint);
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: canary\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`);
  const prometheus: ChildProcess = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = (): void => {
    prometheus.kill('SIGTERM');
    endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const source = prometheusClient({ url });
    await eventually(async () => ((await source.query('count_over_time(istio_requests_total{response_code="200"}[2m])')).values[0] ?? 0) >= 4 || null);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, metrics, stop };
}
