import { runsKubernetes, serviceSelection, type ArtifactSpec, type Decided, type DeliverySystem, type ModeContext, type NormalizedProfile } from '@ringmaster/core';
import { availabilityTarget, usesDatadog } from './rules.js';

const RELEASE_MARKER_USAGE = 'release_marker.sh <service> <version>';

const RELEASE_MARKER = `
VERSION="\${1:-\${VERSION:-}}"
if [[ -z "\${VERSION}" ]]; then
  echo "usage: ${RELEASE_MARKER_USAGE}   (or set VERSION)" >&2
  exit 2
fi
ENVIRONMENT="\${ENVIRONMENT:-production}"
COMMIT_SHA="\${COMMIT_SHA:-unknown}"
TEXT="Deploy of \${SERVICE} \${VERSION} (commit \${COMMIT_SHA}) to \${ENVIRONMENT}"

case "\${MARKER_BACKEND}" in
  datadog)
    # DD_API_KEY comes from the CI secret store (never written here); the header is read from a pipe, not argv.
    : "\${DD_API_KEY:?DD_API_KEY must be injected from the secret store}"
    DD_SITE="\${DD_SITE:-datadoghq.com}"
    BODY="$(jq -n --arg title "Release \${SERVICE} \${VERSION}" --arg text "\${TEXT}" \\
      --arg service "\${SERVICE}" --arg version "\${VERSION}" --arg env "\${ENVIRONMENT}" --arg sha "\${COMMIT_SHA}" \\
      '{title: $title, text: $text, alert_type: "info", source_type_name: "ringmaster",
        tags: ["event_type:deployment", "service:\\($service)", "version:\\($version)", "env:\\($env)", "git.commit.sha:\\($sha)"]}')"
    curl -fsS --retry 3 -X POST "https://api.\${DD_SITE}/api/v1/events" \\
      -H "Content-Type: application/json" \\
      -H @<(printf 'DD-API-KEY: %s\\n' "\${DD_API_KEY}") \\
      --data "\${BODY}" > /dev/null
    ;;
  grafana)
    # GRAFANA_TOKEN (a service-account token) comes from the CI secret store, never written here.
    : "\${GRAFANA_URL:?set GRAFANA_URL}"
    : "\${GRAFANA_TOKEN:?GRAFANA_TOKEN must be injected from the secret store}"
    BODY="$(jq -n --arg text "\${TEXT}" --arg service "\${SERVICE}" --arg version "\${VERSION}" --arg env "\${ENVIRONMENT}" \\
      --argjson time "$(($(date +%s) * 1000))" \\
      '{time: $time, text: $text, tags: ["deployment", $service, $version, $env]}')"
    curl -fsS --retry 3 -X POST "\${GRAFANA_URL}/api/annotations" \\
      -H "Content-Type: application/json" \\
      -H @<(printf 'Authorization: Bearer %s\\n' "\${GRAFANA_TOKEN}") \\
      --data "\${BODY}" > /dev/null
    ;;
  *)
    echo "unknown MARKER_BACKEND \${MARKER_BACKEND}" >&2
    exit 1
    ;;
esac

echo "release marker posted: \${TEXT}"
`;

/** One script for every service of the plan: its first argument names the service the marker is for. */
export function releaseMarker(profile: NormalizedProfile, d: Pick<DeliverySystem, 'services'>): ArtifactSpec {
  const backend = usesDatadog(profile) ? 'datadog' : 'grafana';
  const selection = serviceSelection(d, RELEASE_MARKER_USAGE, () => ({}));
  return {
    name: 'release_marker.sh',
    path: 'scripts/release_marker.sh',
    type: 'template',
    kb: ['KB_07#Release_Markers'],
    body: {
      format: 'shell',
      summary:
        `Posts a release marker (${backend === 'datadog' ? 'Datadog event' : 'Grafana annotation'}) for every deploy, so dashboards show before/after.\n` +
        'Credentials come from the CI secret store as environment variables, by reference only.\n' +
        `${selection.usageLine}   [KBTRACE: KB_07#Release_Markers]\nCOMMIT_SHA=<sha> and ENVIRONMENT=<env> come from the environment.`,
      vars: { MARKER_BACKEND: backend, ...selection.vars },
      script: `${selection.script}\n${RELEASE_MARKER}`,
    },
  };
}

/** Error ratio of a service over a window, from OpenTelemetry HTTP server metrics exported to Prometheus. */
function errorRatio(service: string, window: string): string {
  const sel = `service_name="${service}"`;
  return (
    `sum(rate(http_server_request_duration_seconds_count{${sel},http_response_status_code=~"5.."}[${window}]))\n` +
    `/ sum(rate(http_server_request_duration_seconds_count{${sel}}[${window}]))`
  );
}

/** One service's recording and burn-rate groups: its series carry its `service_name`, so each service burns its own budget. */
function serviceSloGroups(service: string, budget: number, incidentThreshold: number): unknown[] {
  const windows = ['5m', '30m', '1h', '6h'];
  const record = (w: string): string => `slo:error_ratio:rate${w}`;
  const sel = `{service_name="${service}"}`;
  const burn = (factor: number, long: string, short: string): string =>
    `${record(long)}${sel} > (${factor} * ${budget})\nand\n${record(short)}${sel} > (${factor} * ${budget})`;
  return [
    {
      name: `${service}-slo-recording`,
      interval: '30s',
      rules: windows.map((w) => ({ record: record(w), expr: errorRatio(service, w), labels: { service_name: service } })),
    },
    {
      name: `${service}-slo-burn`,
      rules: [
        {
          alert: 'ErrorBudgetBurnFast',
          expr: burn(14.4, '1h', '5m'),
          for: '2m',
          labels: { severity: 'page', slo: 'availability', service_name: service },
          annotations: { summary: `${service} is burning its error budget at 14.4x: 2% of the 30-day budget in one hour` },
        },
        {
          alert: 'ErrorBudgetBurnSlow',
          expr: burn(6, '6h', '30m'),
          for: '15m',
          labels: { severity: 'page', slo: 'availability', service_name: service },
          annotations: { summary: `${service} is burning its error budget at 6x: 5% of the 30-day budget in six hours` },
        },
        {
          alert: 'ErrorBudgetBurnIncident',
          expr: burn(incidentThreshold, '1h', '5m'),
          for: '5m',
          labels: { severity: 'critical', slo: 'availability', action: 'open_incident', service_name: service },
          annotations: {
            summary: `${service} error budget burn above ${incidentThreshold}x normal: open an incident and consider rolling back the last release`,
          },
        },
      ],
    },
  ];
}

/**
 * The burn-rate rules of every service of the plan: a PrometheusRule for the Prometheus Operator
 * on Kubernetes, else a plain Prometheus rules file (`rule_files:`), the same groups either way.
 */
export function sloBurnAlerts(profile: NormalizedProfile, services: readonly string[], incidentThreshold: number, kubernetes = true): ArtifactSpec {
  const target = availabilityTarget(profile);
  const budget = Math.round((100 - target) * 1000) / 100000;
  const groups = services.flatMap((service) => serviceSloGroups(service, budget, incidentThreshold));
  // One service keeps its name on the rule object; several share one object for the release.
  const name = services.length === 1 ? `${services[0]}-slo-burn` : 'release-slo-burn';
  return {
    name: 'slo_burn_alerts.yaml',
    path: kubernetes ? 'monitoring/slo-burn-alerts.yaml' : 'monitoring/slo-burn-alerts.rules.yml',
    type: 'template',
    kb: ['KB_07#SLO_Burn', 'KB_07#Error_Budget_Policy'],
    body: {
      format: 'yaml',
      schema: kubernetes ? 'kubernetes' : 'plain',
      header:
        `Multiwindow, multi-burn-rate alerts for the ${target}% availability SLO (error budget ${budget}) of ${services.join(', ')}, per the Google SRE workbook:\n` +
        `page at 14.4x (1h and 5m) and 6x (6h and 30m); a ${incidentThreshold}x burn opens an incident. [KBTRACE: KB_07#SLO_Burn]`,
      documents: [kubernetes ? { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name, namespace: 'monitoring', labels: { role: 'alert-rules' } }, spec: { groups } } : { groups }],
    },
  };
}

export function observabilityArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const specs: ArtifactSpec[] = [];
  if (decided.get('observability_plan.release_markers') === true) specs.push(releaseMarker(ctx.profile, ctx.delivery));
  specs.push(sloBurnAlerts(ctx.profile, ctx.delivery.services.map((s) => s.name), decided.get<number>('observability_plan.burn_rate_incident_threshold') ?? 10, runsKubernetes(ctx)));
  return specs;
}
