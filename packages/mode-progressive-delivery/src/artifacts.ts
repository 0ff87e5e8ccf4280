import { UNPROMOTED_DIGEST, WORKLOAD_IMAGE, type ArtifactSpec, type Decided, type ModeContext } from '@ringmaster/core';
import { promotionChecklist } from './checklist.js';

export const APP = 'crm-api';
const IMAGE = `${WORKLOAD_IMAGE}@${UNPROMOTED_DIGEST}`;
const STABLE = `${APP}-stable`;
const CANARY = `${APP}-canary`;
const ROUTE = 'primary';
const COHORT_ROUTE = 'tenant-cohort';
/** Header the edge gateway sets from the tenant's ring assignment. */
export const RING_HEADER = 'x-tenant-ring';
const LABELS = { 'app.kubernetes.io/name': APP };

/** `30m` -> 30, `1h` -> 60. */
export function minutesOf(duration: string): number {
  const m = /^(\d+)\s*(m|h)$/.exec(duration.trim());
  if (!m) return 30;
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
}

function analysisStep(): Record<string, unknown> {
  return { analysis: { templates: [{ templateName: 'canary-health' }], args: [{ name: 'service-name', value: CANARY }] } };
}

export function rolloutManifest(opts: { steps: readonly number[]; bake: string; rings: readonly string[]; tenantCohorts: boolean }): ArtifactSpec {
  const steps: Record<string, unknown>[] = [];
  if (opts.tenantCohorts && opts.rings.length > 1) {
    // Ring by ring: the tenants of each ring before the last join the canary by header; the last ring gets traffic weights.
    steps.push({ setCanaryScale: { replicas: 1 } });
    opts.rings.slice(0, -1).forEach((_, i) => {
      const cohort = opts.rings.slice(0, i + 1).map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      steps.push(
        { setHeaderRoute: { name: COHORT_ROUTE, match: [{ headerName: RING_HEADER, headerValue: { regex: `^(${cohort.join('|')})$` } }] } },
        { pause: { duration: opts.bake } },
        analysisStep(),
      );
    });
  }
  for (const weight of opts.steps.filter((w) => w < 100)) {
    steps.push({ setWeight: weight }, { pause: { duration: opts.bake } }, analysisStep());
  }
  const trafficRouting: Record<string, unknown> = { istio: { virtualService: { name: APP, routes: [ROUTE] } } };
  if (opts.tenantCohorts && opts.rings.length > 1) trafficRouting['managedRoutes'] = [{ name: COHORT_ROUTE }];
  return {
    name: 'rollout_strategy.yaml',
    path: `deploy/${APP}/rollout.yaml`,
    type: 'template',
    kb: ['KB_18#Canary', 'KB_18#Tenant_Canary'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        `Argo Rollouts canary: ${opts.tenantCohorts ? `tenants ring by ring (header ${RING_HEADER}) before the last ring, then ` : ''}` +
        `${opts.steps.join('% -> ')}% of traffic, with analysis after each step;\n` +
        'a failed analysis aborts and returns all traffic to stable. The image is pinned by digest. [KBTRACE: KB_18#Tenant_Canary]',
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: APP, labels: LABELS },
          spec: {
            replicas: 5,
            revisionHistoryLimit: 5,
            selector: { matchLabels: LABELS },
            template: {
              metadata: { labels: LABELS },
              spec: {
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: APP,
                    image: IMAGE,
                    ports: [{ name: 'http', containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5 },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  },
                ],
              },
            },
            strategy: {
              canary: {
                canaryService: CANARY,
                stableService: STABLE,
                trafficRouting,
                abortScaleDownDelaySeconds: 30,
                steps,
              },
            },
          },
        },
      ],
    },
  };
}

export function trafficSplit(opts: { tenantCohorts: boolean }): ArtifactSpec {
  const service = (name: string): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: LABELS },
    spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const destination = (host: string, weight: number): Record<string, unknown> => ({ destination: { host, port: { number: 80 } }, weight });
  return {
    name: 'traffic_split.yaml',
    path: `deploy/${APP}/traffic-split.yaml`,
    type: 'template',
    kb: ['KB_18#Canary'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        'Istio traffic split for the canary: 95% stable, 5% canary at the first step. Argo Rollouts rewrites the weights\n' +
        `at each step${opts.tenantCohorts ? ` and adds the ${COHORT_ROUTE} header route` : ''}. [KBTRACE: KB_18#Canary]`,
      documents: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: APP },
          spec: {
            hosts: [APP],
            http: [{ name: ROUTE, route: [destination(STABLE, 95), destination(CANARY, 5)] }],
          },
        },
        service(APP),
        service(STABLE),
        service(CANARY),
      ],
    },
  };
}

export function canaryAnalysis(): ArtifactSpec {
  const selector = 'reporter="destination",destination_service_name="{{args.service-name}}"';
  return {
    name: 'canary_analysis.yaml',
    path: `deploy/${APP}/canary-analysis.yaml`,
    type: 'template',
    kb: ['KB_18#Canary', 'KB_07#Golden_Signals'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: 'Canary analysis: error rate under 1% and p99 latency under 500 ms, or the rollout aborts. [KBTRACE: KB_07#Golden_Signals]',
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisTemplate',
          metadata: { name: 'canary-health' },
          spec: {
            args: [{ name: 'service-name' }, { name: 'prometheus-address', value: 'http://prometheus-operated.monitoring.svc:9090' }],
            metrics: [
              {
                name: 'error-rate',
                interval: '1m',
                count: 5,
                failureLimit: 1,
                successCondition: 'result[0] < 0.01',
                provider: {
                  prometheus: {
                    address: '{{args.prometheus-address}}',
                    query:
                      `sum(rate(istio_requests_total{${selector},response_code=~"5.."}[2m]))\n` +
                      `/ clamp_min(sum(rate(istio_requests_total{${selector}}[2m])), 1e-9)`,
                  },
                },
              },
              {
                name: 'p99-latency-seconds',
                interval: '1m',
                count: 5,
                failureLimit: 1,
                successCondition: 'result[0] < 0.5',
                provider: {
                  prometheus: {
                    address: '{{args.prometheus-address}}',
                    query: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${selector}}[2m]))) / 1000`,
                  },
                },
              },
            ],
          },
        },
      ],
    },
  };
}

const HEALTH_CHECK = `
HEALTH_URL="\${HEALTH_URL:-http://localhost:8080/health}"
ATTEMPTS="\${ATTEMPTS:-10}"
DELAY_SECONDS="\${DELAY_SECONDS:-6}"

for attempt in $(seq 1 "\${ATTEMPTS}"); do
  if curl -f -sS --max-time 5 -o /dev/null "\${HEALTH_URL}"; then
    echo "healthy: \${HEALTH_URL} (attempt \${attempt})"
    exit 0
  fi
  echo "not healthy yet: \${HEALTH_URL} (attempt \${attempt}/\${ATTEMPTS})" >&2
  sleep "\${DELAY_SECONDS}"
done

echo "health check failed after \${ATTEMPTS} attempts: \${HEALTH_URL}" >&2
exit 1
`;

export function healthCheck(): ArtifactSpec {
  return {
    name: 'health_check.sh',
    path: 'scripts/health_check.sh',
    type: 'template',
    kb: ['KB_02#Progressive_Delivery'],
    body: {
      format: 'shell',
      summary:
        'Smoke health check after a deploy step: curl -f the health endpoint with retries; exit 1 if it never answers 2xx.\n' +
        'Usage: HEALTH_URL=https://crm-api.example.com/health health_check.sh   [KBTRACE: KB_02#Progressive_Delivery]',
      vars: {},
      script: HEALTH_CHECK,
    },
  };
}

/** flagd / OpenFeature flag definition: the release is on for the first ring, off for everyone else. */
export function featureFlags(rings: readonly string[]): ArtifactSpec {
  return {
    name: 'feature_flags.json',
    path: 'flags/release-flags.flagd.json',
    type: 'template',
    kb: ['KB_02#Feature_Flags'],
    body: {
      format: 'json',
      schema: 'plain',
      value: {
        $schema: 'https://flagd.dev/schema/v0/flags.json',
        flags: {
          'release-candidate-features': {
            state: 'ENABLED',
            variants: { on: true, off: false },
            defaultVariant: 'off',
            targeting: { if: [{ in: [{ var: 'ring' }, rings.slice(0, 1)] }, 'on', 'off'] },
          },
        },
      },
    },
  };
}

export function releaseCaptainChecklist(rings: readonly string[], bake: string): ArtifactSpec {
  return {
    name: 'release_captain_checklist.md',
    path: 'docs/runbooks/release_captain_checklist.md',
    type: 'checklist',
    kb: ['KB_18#Ring_Deployment', 'KB_14#OnCall'],
    body: { format: 'checklist', checklist: promotionChecklist({ service: APP, version: 'release candidate', rings, bakeMinutes: minutesOf(bake) }) },
  };
}

export function progressiveDeliveryArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const mechanism = decided.get<string>('rollout_strategy.mechanism');
  const rings = decided.get<string[]>('rollout_strategy.rings') ?? [];
  const bake = decided.get<string>('rollout_strategy.bake_time') ?? '30m';
  const tenantCohorts = decided.get('rollout_strategy.cohort_strategy') === 'tenant_cohort';
  const specs: ArtifactSpec[] = [];
  if (mechanism === 'canary' && decided.get('rollout_strategy.controller') === 'argo_rollouts') {
    const steps = decided.get<number[]>('rollout_strategy.canary_steps') ?? [5, 25, 50, 100];
    specs.push(rolloutManifest({ steps, bake, rings, tenantCohorts }), trafficSplit({ tenantCohorts }), canaryAnalysis());
  }
  specs.push(healthCheck());
  if (mechanism === 'feature-flags' || ctx.profile.release_policy.ring_model.enabled === true) specs.push(featureFlags(rings));
  specs.push(releaseCaptainChecklist(rings, bake));
  return specs;
}
