import { rolloutNameOf, serviceArtifactName, serviceSelection, type ArtifactSpec, type Decided, type DeliverySystem, type ModeContext, type ServiceModel } from '@ringmaster/core';
import { promotionChecklist } from './checklist.js';

const ROUTE = 'primary';
const COHORT_ROUTE = 'tenant-cohort';
/** Header the edge gateway sets from the tenant's ring assignment. */
export const RING_HEADER = 'x-tenant-ring';

/** Names and paths of one service's canary objects, from the plan's delivery system. */
interface CanaryNames {
  app: string;
  service: ServiceModel;
  stable: string;
  canary: string;
  labels: Record<string, string>;
  /** Folder the files go to: the config repo's kustomize base (synced by the operator, or applied by the scripted deploy without one). */
  dir: string;
  /** The base holds the Deployment (GitOps mode in the plan): the Rollout refers to it instead of repeating it. */
  workloadRef: boolean;
  /** The Rollout's name: apart from the Deployment's when it refers to it. */
  rollout: string;
  /** The namespace the overlays put the service in (GitOps mode in the plan), else unknown here. */
  namespace: string | null;
  /** The service's AnalysisTemplate: `canary-health`, named after the service when the plan has several (each Rollout passes its own arguments to its own template). */
  analysis: string;
  /** The artifact name of one of the service's files (`rollout_strategy.yaml`, or `rollout_strategy_<service>.yaml` with several services). */
  artifact: (base: string) => string;
  d: DeliverySystem;
}

export function canaryNames(ctx: ModeContext, service: ServiceModel): CanaryNames {
  const d = ctx.delivery;
  const app = service.name;
  const gitops = d.gitops.kustomize && ctx.companions?.includes('gitops') === true;
  return {
    app,
    service,
    stable: `${app}-stable`,
    canary: `${app}-canary`,
    labels: { 'app.kubernetes.io/name': app },
    dir: gitops ? `${d.gitops.configDir}/${d.gitops.basePath(app)}` : `deploy/${app}`,
    workloadRef: gitops,
    rollout: rolloutNameOf(app, gitops),
    namespace: gitops ? service.namespace : null,
    analysis: d.services.length === 1 ? 'canary-health' : `canary-health-${app}`,
    artifact: (base) => serviceArtifactName(d, base, app),
    d,
  };
}

/** `30m` -> 30, `1h` -> 60. */
export function minutesOf(duration: string): number {
  const m = /^(\d+)\s*(m|h)$/.exec(duration.trim());
  if (!m) return 30;
  return Number(m[1]) * (m[2] === 'h' ? 60 : 1);
}

export function rolloutManifest(n: CanaryNames, opts: { steps: readonly number[]; bake: string; rings: readonly string[]; tenantCohorts: boolean }): ArtifactSpec {
  const analysisStep = (): Record<string, unknown> => ({ analysis: { templates: [{ templateName: n.analysis }], args: [{ name: 'service-name', value: n.canary }] } });
  const steps: Record<string, unknown>[] = [];
  const cohorts = opts.tenantCohorts && opts.rings.length > 1;
  if (cohorts) {
    // Ring by ring: the tenants of each ring before the last join the canary by header, on canary pods sized like the
    // first traffic step; the last ring gets traffic weights, with the canary scaled to match them.
    steps.push({ setCanaryScale: { weight: opts.steps[0] ?? 5 } });
    opts.rings.slice(0, -1).forEach((_, i) => {
      const cohort = opts.rings.slice(0, i + 1).map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      steps.push(
        { setHeaderRoute: { name: COHORT_ROUTE, match: [{ headerName: RING_HEADER, headerValue: { regex: `^(${cohort.join('|')})$` } }] } },
        { pause: { duration: opts.bake } },
        analysisStep(),
        // The release captain checklist has a second person approve each ring: the rollout waits here until
        // they promote it (`kubectl argo rollouts promote`), instead of moving on after a timer.
        { pause: {} },
      );
    });
  }
  if (cohorts) steps.push({ setCanaryScale: { matchTrafficWeight: true } });
  for (const weight of opts.steps.filter((w) => w < 100)) {
    steps.push({ setWeight: weight }, { pause: { duration: opts.bake } }, analysisStep());
  }
  const trafficRouting: Record<string, unknown> = { istio: { virtualService: { name: n.app, routes: [ROUTE] } } };
  if (cohorts) trafficRouting['managedRoutes'] = [{ name: COHORT_ROUTE }];
  const svc = n.service;
  // With the base's Deployment, the Rollout refers to it (and scales it down once the Rollout is healthy), so one
  // controller owns the pods; alone, the Rollout carries the pod template itself.
  const workload = n.workloadRef
    ? { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: n.app, scaleDown: 'onsuccess' } }
    : {
        template: {
          metadata: { labels: n.labels },
          spec: {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: n.app,
                image: `${svc.image}@${n.d.unpromotedDigest}`,
                ports: [{ name: 'http', containerPort: svc.port }],
                readinessProbe: { httpGet: { path: svc.healthPath, port: 'http' }, periodSeconds: 5 },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      };
  return {
    name: n.artifact('rollout_strategy.yaml'),
    path: `${n.dir}/rollout.yaml`,
    type: 'template',
    kb: ['KB_18#Canary', 'KB_18#Tenant_Canary'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        `Argo Rollouts canary of ${n.app}: ${opts.tenantCohorts ? `tenants ring by ring (header ${RING_HEADER}) before the last ring, then ` : ''}` +
        `${opts.steps.join('% -> ')}% of traffic, with analysis after each step;\n` +
        'a failed analysis aborts and returns all traffic to stable. The image is pinned by digest. [KBTRACE: KB_18#Tenant_Canary]',
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: n.rollout, labels: n.labels },
          spec: {
            replicas: 5,
            revisionHistoryLimit: 5,
            selector: { matchLabels: n.labels },
            ...workload,
            strategy: {
              canary: {
                canaryService: n.canary,
                stableService: n.stable,
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

export function trafficSplit(n: CanaryNames, opts: { tenantCohorts: boolean }): ArtifactSpec {
  const service = (name: string): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: n.labels },
    spec: { selector: n.labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const destination = (host: string, weight: number): Record<string, unknown> => ({ destination: { host, port: { number: 80 } }, weight });
  return {
    name: n.artifact('traffic_split.yaml'),
    path: `${n.dir}/traffic-split.yaml`,
    type: 'template',
    kb: ['KB_18#Canary'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        `Istio traffic split for the canary of ${n.app}: 95% stable, 5% canary at the first step. Argo Rollouts rewrites the weights\n` +
        `at each step${opts.tenantCohorts ? ` and adds the ${COHORT_ROUTE} header route` : ''}. [KBTRACE: KB_18#Canary]`,
      documents: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: n.app },
          spec: {
            hosts: [n.app],
            http: [{ name: ROUTE, route: [destination(n.stable, 95), destination(n.canary, 5)] }],
          },
        },
        // The service itself is in the base when the GitOps mode wrote it.
        ...(n.workloadRef ? [] : [service(n.app)]),
        service(n.stable),
        service(n.canary),
      ],
    },
  };
}

export function canaryAnalysis(n: CanaryNames): ArtifactSpec {
  const selector = 'reporter="destination",destination_service_name="{{args.service-name}}"';
  return {
    name: n.artifact('canary_analysis.yaml'),
    path: `${n.dir}/canary-analysis.yaml`,
    type: 'template',
    kb: ['KB_18#Canary', 'KB_07#Golden_Signals'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: `Canary analysis of ${n.app}: error rate under 1% and p99 latency under 500 ms at its canary Service, or the rollout aborts. [KBTRACE: KB_07#Golden_Signals]`,
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AnalysisTemplate',
          metadata: { name: n.analysis },
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
HEALTH_URL="\${HEALTH_URL:-\${DEFAULT_HEALTH_URL}}"
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

const HEALTH_CHECK_USAGE = 'health_check.sh <service>';

/** One script for every service: its argument picks the service's default health URL (`HEALTH_URL` overrides it). */
export function healthCheck(d: DeliverySystem): ArtifactSpec {
  const selection = serviceSelection(d, HEALTH_CHECK_USAGE, (s) => ({ DEFAULT_HEALTH_URL: `http://localhost:${s.port}${s.healthPath}` }));
  return {
    name: 'health_check.sh',
    path: 'scripts/health_check.sh',
    type: 'template',
    kb: ['KB_02#Progressive_Delivery'],
    body: {
      format: 'shell',
      summary:
        'Smoke health check after a deploy step: curl -f the health endpoint with retries; exit 1 if it never answers 2xx.\n' +
        `${selection.usageLine}   [KBTRACE: KB_02#Progressive_Delivery]\nHEALTH_URL=https://<service host><health path> overrides the service's local health URL.`,
      vars: selection.vars,
      script: `${selection.script}\n${HEALTH_CHECK}`,
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

/** What lets a Rollout paused at a ring boundary (`pause: {}`) move on, once the approver has approved. */
export function resumeCommand(n: Pick<CanaryNames, 'rollout' | 'namespace'>): string {
  return `kubectl argo rollouts promote ${n.rollout}${n.namespace === null ? '' : ` -n ${n.namespace}`}`;
}

export function releaseCaptainChecklist(services: readonly string[], rings: readonly string[], bake: string, resumeCommands?: Readonly<Record<string, string>>): ArtifactSpec {
  return {
    name: 'release_captain_checklist.md',
    path: 'docs/runbooks/release_captain_checklist.md',
    type: 'checklist',
    kb: ['KB_18#Ring_Deployment', 'KB_14#OnCall'],
    body: { format: 'checklist', checklist: promotionChecklist({ service: services, version: 'release candidate', rings, bakeMinutes: minutesOf(bake), ...(resumeCommands === undefined ? {} : { resumeCommands }) }) },
  };
}

export function progressiveDeliveryArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const mechanism = decided.get<string>('rollout_strategy.mechanism');
  const rings = decided.get<string[]>('rollout_strategy.rings') ?? [];
  const bake = decided.get<string>('rollout_strategy.bake_time') ?? '30m';
  const tenantCohorts = decided.get('rollout_strategy.cohort_strategy') === 'tenant_cohort';
  const specs: ArtifactSpec[] = [];
  let resumeCommands: Record<string, string> | undefined;
  if (mechanism === 'canary' && decided.get('rollout_strategy.controller') === 'argo_rollouts') {
    const steps = decided.get<number[]>('rollout_strategy.canary_steps') ?? [5, 25, 50, 100];
    for (const service of ctx.delivery.services) {
      const names = canaryNames(ctx, service);
      specs.push(rolloutManifest(names, { steps, bake, rings, tenantCohorts }), trafficSplit(names, { tenantCohorts }), canaryAnalysis(names));
      // Tenant cohorts pause each Rollout at every ring boundary until it is promoted: the checklist's approvals say how.
      if (tenantCohorts && rings.length > 1) resumeCommands = { ...resumeCommands, [service.name]: resumeCommand(names) };
    }
  }
  specs.push(healthCheck(ctx.delivery));
  if (mechanism === 'feature-flags' || ctx.profile.release_policy.ring_model.enabled === true) specs.push(featureFlags(rings));
  specs.push(releaseCaptainChecklist(ctx.delivery.services.map((s) => s.name), rings, bake, resumeCommands));
  return specs;
}
