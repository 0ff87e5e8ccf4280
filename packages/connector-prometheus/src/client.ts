import { MetricsInputError, MetricsQueryError } from './errors.js';

/** An instant query's result as numbers: one per series of a vector, or the scalar. */
export interface QueryResult {
  values: number[];
  /** The labels of each series (empty for a scalar). */
  labels: Record<string, string>[];
}

/** Where metrics come from: Prometheus's HTTP API, or anything that answers PromQL the same way. */
export interface MetricsSource {
  query(promql: string, at?: Date): Promise<QueryResult>;
}

export interface PrometheusOptions {
  /** Base URL of Prometheus (`https://prometheus.example.internal`, with any path prefix). */
  url: string;
  /** Bearer token (from `RINGMASTER_PROMETHEUS_TOKEN`), sent as a header and never in a message. */
  token?: string;
  /** Per-query timeout. */
  timeoutMs?: number;
}

export const PROMETHEUS_ENV = { token: 'RINGMASTER_PROMETHEUS_TOKEN' } as const;

interface ApiResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** A client of Prometheus's `/api/v1/query` with `fetch`. */
export function prometheusClient(options: PrometheusOptions): MetricsSource {
  let base: URL;
  try {
    base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
  } catch {
    throw new MetricsInputError(`prometheus: expected an http(s) URL, found ${JSON.stringify(options.url.slice(0, 80))}`);
  }
  if (!['http:', 'https:'].includes(base.protocol) || base.username !== '' || base.password !== '') {
    throw new MetricsInputError(`prometheus: expected an http(s) URL without credentials (set ${PROMETHEUS_ENV.token}), found ${base.protocol}//${base.host}`);
  }
  const where = `${base.origin}${base.pathname}`.replace(/\/$/, '');
  const scrub = (text: string): string => (options.token ? text.split(options.token).join('[REDACTED]') : text);
  return {
    async query(promql: string, at?: Date): Promise<QueryResult> {
      const url = new URL('api/v1/query', base);
      url.searchParams.set('query', promql);
      if (at) url.searchParams.set('time', (at.getTime() / 1000).toFixed(3));
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new MetricsQueryError(`prometheus at ${where}: unreachable (${scrub(String(reason))})`);
      }
      const text = await response.text();
      let body: ApiResponse;
      try {
        body = JSON.parse(text) as ApiResponse;
      } catch {
        throw new MetricsQueryError(`prometheus at ${where}: expected a JSON answer, found HTTP ${response.status} ${scrub(text.slice(0, 80)).replace(/\s+/g, ' ')}`);
      }
      if (!response.ok || body.status !== 'success') {
        throw new MetricsQueryError(`prometheus at ${where}: query refused (HTTP ${response.status}${body.errorType ? `, ${body.errorType}` : ''}): ${scrub(body.error ?? 'no reason given')}`);
      }
      return resultOf(body.data);
    },
  };
}

function resultOf(data: ApiResponse['data']): QueryResult {
  const result = data?.result;
  if (data?.resultType === 'scalar' && Array.isArray(result)) return { values: [Number(result[1])], labels: [{}] };
  if (data?.resultType === 'vector' && Array.isArray(result)) {
    const series = result as { metric?: Record<string, string>; value?: [number, string] }[];
    return { values: series.map((s) => Number(s.value?.[1])), labels: series.map((s) => s.metric ?? {}) };
  }
  throw new MetricsQueryError(`prometheus: expected a vector or scalar result, found ${data?.resultType ?? 'none'}`);
}
