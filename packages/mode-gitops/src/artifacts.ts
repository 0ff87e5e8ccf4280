import {
  kubernetesName,
  rolloutNameOf,
  configRepoAccess,
  configRepoVars,
  cosignVerifyCommand,
  DEPLOY_SCRIPT,
  KUSTOMIZE_DIGEST_OF_IMAGE,
  serviceArtifactName,
  verifyVars,
  type ArtifactSpec,
  type DeliverySystem,
  type ModeContext,
  type ServiceModel,
} from '@ringmaster/core';

/** Where a file of the config repository goes in the plan's output (the `gitops-config/` folder is that repository). */
export function inConfigRepo(d: DeliverySystem, path: string): string {
  return `${d.gitops.configDir}/${path}`;
}

/** One overlay per service and promotion target: the service's base, its namespace, and its image at the promoted digest (what promote.sh edits). */
export function overlays(d: DeliverySystem): ArtifactSpec[] {
  return d.services.flatMap((service) =>
    d.targets.map((target) => ({
      name: serviceArtifactName(d, `overlay_${target.name}_kustomization.yaml`, service.name),
      path: inConfigRepo(d, `${d.gitops.overlayPath(service.name, target.name)}/kustomization.yaml`),
      type: 'template' as const,
      kb: ['KB_06#GitOps', 'KB_13#Digest_Pinning'] as const,
      body: {
        format: 'yaml' as const,
        schema: 'plain' as const,
        header: `${service.name} in ${target.name}: its base at the digest promoted to this target. promote.sh rewrites the digest below; nothing else edits it.`,
        documents: [
          {
            apiVersion: 'kustomize.config.k8s.io/v1beta1',
            kind: 'Kustomization',
            namespace: service.namespace,
            resources: ['../../base'],
            labels: [{ pairs: { 'ringmaster.dev/target': kubernetesName(target.name) }, includeSelectors: false }],
            images: [{ name: service.image, digest: d.unpromotedDigest }],
          },
        ],
      },
    })),
  );
}

/** The Argo CD or Flux object syncing a service's overlay for a target: one per service and target, so the name carries both. */
export function syncObjectName(service: ServiceModel, target: string): string {
  return `${kubernetesName(service.name)}-${kubernetesName(target)}`;
}

/** Argo CD for one service: its AppProject and one Application per promotion target, each syncing that service's overlay. */
export function argocdApp(d: DeliverySystem, service: ServiceModel): ArtifactSpec {
  const repoURL = d.configRepo.url;
  const project = kubernetesName(service.name);
  const destinations = [...new Set(d.targets.map((t) => t.clusterServer))].map((server) => ({ server, namespace: service.namespace }));
  return {
    name: serviceArtifactName(d, 'argocd_app.yaml', service.name),
    path: inConfigRepo(d, `argocd/${service.name}.yaml`),
    type: 'template',
    kb: ['KB_06#GitOps', 'KB_06#GitOps_Sync'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        `Argo CD for ${service.name}: one Application per promotion target, each syncing exactly that target's overlay of the config repo.\n` +
        'Automated sync with selfHeal reverts drift and prune removes what Git no longer declares, so a rollback is a\n' +
        'Git change (promote the previous digest or revert the promotion commit), never a command against the cluster. [KBTRACE: KB_06#GitOps_Sync]',
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: project, namespace: 'argocd' },
          spec: {
            description: `${service.name}: one source repo, one namespace per destination cluster.`,
            sourceRepos: [repoURL],
            destinations,
            clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          },
        },
        ...d.targets.map((target) => ({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: syncObjectName(service, target.name), namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
          spec: {
            project,
            source: { repoURL, targetRevision: 'main', path: d.gitops.overlayPath(service.name, target.name) },
            destination: { server: target.clusterServer, namespace: service.namespace },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              syncOptions: ['CreateNamespace=true', 'PruneLast=true', 'PrunePropagationPolicy=foreground', 'ApplyOutOfSyncOnly=true'],
              retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
            },
            revisionHistoryLimit: 10,
          },
        })),
      ],
    },
  };
}

/** The Secret in flux-system holding the config repository's read credentials: one per cluster, whatever the number of services. */
const FLUX_CONFIG_REPO_SECRET = 'config-repo-auth';

/**
 * Flux for one service: per target cluster, the service's namespace (kustomize-controller, unlike Argo CD's
 * CreateNamespace, does not create it), the config repo source, and one Kustomization syncing the service's overlay of that target.
 */
export function fluxKustomizations(d: DeliverySystem, service: ServiceModel): ArtifactSpec[] {
  const source = { kind: 'GitRepository', name: `${kubernetesName(service.name)}-config` };
  return d.targets.map((target, i) => ({
    name: serviceArtifactName(d, i === 0 ? 'flux_kustomization.yaml' : `flux_kustomization_${target.name}.yaml`, service.name),
    path: inConfigRepo(d, `clusters/${target.cluster}/${service.name}.yaml`),
    type: 'template' as const,
    kb: ['KB_06#Flux', 'KB_06#GitOps_Sync'] as const,
    body: {
      format: 'yaml' as const,
      schema: 'kubernetes' as const,
      header:
        `Flux on cluster ${target.cluster}: source-controller pulls the config repo; kustomize-controller applies the ${target.name} overlay of ${service.name},\n` +
        'prunes what Git no longer declares and reverts drift every interval, so a rollback is a Git change. [KBTRACE: KB_06#Flux]\n' +
        `Read access to the config repo: the Secret ${FLUX_CONFIG_REPO_SECRET} in flux-system, shared by every service's source\n` +
        `(flux create secret git ${FLUX_CONFIG_REPO_SECRET} --namespace flux-system --url ${d.configRepo.url} --username <user> --password <read-only token>).`,
      documents: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: service.namespace } },
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: source.name, namespace: 'flux-system' },
          spec: { interval: '1m', url: d.configRepo.url, ref: { branch: 'main' }, secretRef: { name: FLUX_CONFIG_REPO_SECRET } },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: syncObjectName(service, target.name), namespace: 'flux-system' },
          spec: {
            interval: '10m',
            retryInterval: '1m',
            path: `./${d.gitops.overlayPath(service.name, target.name)}`,
            prune: true,
            wait: true,
            timeout: '5m',
            sourceRef: source,
          },
        },
      ],
    },
  }));
}

export function driftAlert(tool: 'argocd' | 'flux'): ArtifactSpec {
  const rules =
    tool === 'flux'
      ? [
          {
            alert: 'FluxReconciliationFailure',
            expr: 'max by (customresource_kind, name, exported_namespace) (gotk_resource_info{ready="False"}) == 1',
            for: '15m',
            labels: { severity: 'warning' },
            annotations: {
              summary: '{{ $labels.customresource_kind }} {{ $labels.name }} is not Ready: the cluster is OutOfSync with Git',
              description: 'Flux could not reconcile for 15 minutes. Check `flux get kustomizations` and the last commit of the config repo.',
            },
          },
          {
            alert: 'FluxSuspended',
            expr: 'max by (customresource_kind, name) (gotk_resource_info{suspended="true"}) == 1',
            for: '1h',
            labels: { severity: 'warning' },
            annotations: { summary: '{{ $labels.name }} has been suspended for an hour: drift is not being corrected' },
          },
        ]
      : [
          {
            alert: 'ApplicationOutOfSync',
            expr: 'max by (name, project) (argocd_app_info{sync_status="OutOfSync"}) == 1',
            for: '15m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Argo CD application {{ $labels.name }} is OutOfSync with Git',
              description: 'Live state differs from the config repo for 15 minutes although selfHeal is on: someone changed the cluster by hand or a sync is failing.',
            },
          },
          {
            alert: 'ApplicationDegraded',
            expr: 'max by (name, project) (argocd_app_info{health_status="Degraded"}) == 1',
            for: '5m',
            labels: { severity: 'critical' },
            annotations: { summary: 'Argo CD application {{ $labels.name }} is Degraded' },
          },
        ];
  return {
    name: 'drift_alert.yaml',
    path: 'monitoring/gitops-drift-alerts.yaml',
    type: 'template',
    kb: ['KB_06#Drift_Detection'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: 'Drift detection: cluster state must equal Git state (drift = 0). [KBTRACE: KB_06#Drift_Detection]',
      documents: [
        {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PrometheusRule',
          metadata: { name: 'gitops-drift', namespace: 'monitoring', labels: { role: 'alert-rules' } },
          spec: { groups: [{ name: 'gitops-drift', rules }] },
        },
      ],
    },
  };
}

/** The base workload of one service (ConfigMap, Deployment, Service named after it), in the service's kustomize base. */
export function syncWaveAnnotation(d: DeliverySystem, service: ServiceModel): ArtifactSpec {
  const { name, port, healthPath, image } = service;
  const labels = { 'app.kubernetes.io/name': name };
  return {
    name: serviceArtifactName(d, 'sync_wave_annotation.yaml', name),
    path: inConfigRepo(d, `${d.gitops.basePath(name)}/workload.yaml`),
    type: 'template',
    kb: ['KB_06#GitOps_Sync'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        'Sync waves order one sync: configuration (wave 0) before the workload (wave 5). The image is pinned by digest;\n' +
        'each overlay sets the promoted digest, and only promote.sh changes it, with a config-repo commit. [KBTRACE: KB_06#GitOps_Sync]',
      documents: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${name}-config`, annotations: { 'argocd.argoproj.io/sync-wave': '0' }, labels },
          data: { LOG_LEVEL: 'info' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, annotations: { 'argocd.argoproj.io/sync-wave': '5' }, labels },
          spec: {
            replicas: 3,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name,
                    image: `${image}@${d.unpromotedDigest}`,
                    ports: [{ name: 'http', containerPort: port }],
                    envFrom: [{ configMapRef: { name: `${name}-config` } }],
                    readinessProbe: { httpGet: { path: healthPath, port: 'http' }, periodSeconds: 5 },
                    livenessProbe: { httpGet: { path: healthPath, port: 'http' }, periodSeconds: 10 },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  },
                ],
              },
            },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, labels },
          spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
        },
      ],
    },
  };
}

const POLICY_RULES = `
# Config-repo pull requests: run with
#   conftest test --namespace gitops.config --policy policy/ apps/
# [KBTRACE: KB_06#Policy_As_Code]

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "Rollout", "Job"}

containers contains c if {
	input.kind in workload_kinds
	some c in input.spec.template.spec.containers
}

containers contains c if {
	input.kind in workload_kinds
	some c in input.spec.template.spec.initContainers
}

containers contains c if {
	input.kind == "CronJob"
	some c in input.spec.jobTemplate.spec.template.spec.containers
}

deny contains msg if {
	some c in containers
	not contains(c.image, "@sha256:")
	msg := sprintf("container %s: image %s must be pinned by digest (@sha256:)", [c.name, c.image])
}

deny contains msg if {
	some c in containers
	c.securityContext.privileged == true
	msg := sprintf("container %s must not run privileged", [c.name])
}

deny contains msg if {
	input.kind == "Application"
	not input.spec.syncPolicy.automated.selfHeal
	msg := sprintf("Argo CD Application %s must enable automated selfHeal so that drift is reverted", [input.metadata.name])
}

deny contains msg if {
	input.kind == "Application"
	input.spec.source.targetRevision == "HEAD"
	msg := sprintf("Argo CD Application %s must track a named branch or tag, not HEAD", [input.metadata.name])
}
`;

const policyTests = (image: string): string => `
deployment(image) := {
	"kind": "Deployment",
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
}

test_tag_is_denied if {
	denials := data.gitops.config.deny with input as deployment("${image}:1.4.2")
	count(denials) == 1
}

test_digest_is_allowed if {
	denials := data.gitops.config.deny with input as deployment("${image}@sha256:${'a'.repeat(64)}")
	count(denials) == 0
}

test_privileged_is_denied if {
	app := {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{
		"name": "app",
		"image": "${image}@sha256:${'a'.repeat(64)}",
		"securityContext": {"privileged": true},
	}]}}}}
	denials := data.gitops.config.deny with input as app
	count(denials) == 1
}

test_application_without_self_heal_is_denied if {
	app := {"kind": "Application", "metadata": {"name": "crm-api"}, "spec": {"source": {"targetRevision": "main"}, "syncPolicy": {"automated": {"prune": true}}}}
	denials := data.gitops.config.deny with input as app
	count(denials) == 1
}

test_application_with_self_heal_is_allowed if {
	app := {"kind": "Application", "metadata": {"name": "crm-api"}, "spec": {"source": {"targetRevision": "main"}, "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}}}
	denials := data.gitops.config.deny with input as app
	count(denials) == 0
}
`;

export function configPolicy(d: DeliverySystem): ArtifactSpec {
  return {
    name: 'config_policy.rego',
    path: 'policy/config_repo.rego',
    type: 'policy',
    kb: ['KB_06#Policy_As_Code', 'KB_06#Policy'],
    body: { format: 'rego', package: 'gitops.config', rules: POLICY_RULES, tests: policyTests(d.services[0].image) },
  };
}

/**
 * The `SERVICES` variable of the scripted deploy: one line per service of the plan, its name and image
 * (and namespace on Kubernetes), separated by spaces; the profile's name, registry and image patterns hold no whitespace.
 */
function servicesTable(d: DeliverySystem, withNamespace: boolean): string {
  const rows = d.services.map((s) => [s.name, s.image, ...(withNamespace ? [s.namespace] : [])]);
  const spaced = rows.flat().find((field) => /\s/.test(field));
  if (spaced !== undefined) throw new Error(`scripted deploy: service field ${JSON.stringify(spaced)} holds whitespace, which the SERVICES table cannot carry`);
  return rows.map((row) => row.join(' ')).join('\n');
}

/** Arguments, target check and the config repository checked out at the ref: the start of every scripted deploy. */
const scriptedDeployCheckout = (d: DeliverySystem): string => `
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 <target> [<config-repo ref, default main>]" >&2
  exit 2
fi
readonly TARGET="$1"
readonly REF="\${2:-main}"
case "\${TARGET}" in
  ${d.targets.map((t) => t.name).join('|')}) ;;
  *) echo "unknown target \${TARGET}" >&2; exit 2 ;;
esac
WORKDIR="$(mktemp -d)"
readonly WORKDIR
trap 'rm -rf "\${WORKDIR}"' EXIT

# 1. Git is the source of truth: deploy exactly the digests promote.sh committed for this target, one per service.
${configRepoAccess(d)}
git clone --quiet --depth 1 --branch "\${REF}" "\${url}" "\${WORKDIR}/config"

# The image reference each service passed its checks with; nothing is deployed until every service of SERVICES passes.
declare -A VERIFIED=()
`;

const scriptedDeployHead = (d: DeliverySystem): string => `${scriptedDeployCheckout(d)}
# 2. Nothing unverified on the deploy path: each service's image file names its image by digest, and only the
#    release pipeline's signature is accepted.
while read -r service image <&3; do
  image_file="\${WORKDIR}/config/${d.gitops.imageFile('${service}', '${TARGET}')}"
  if [[ ! -f "\${image_file}" ]]; then
    echo "refusing: nothing promoted for \${service} to \${TARGET} (${d.gitops.imageFile('${service}', '${TARGET}')} is missing in the config repo)" >&2
    exit 1
  fi
  ref="$(tr -d '[:space:]' < "\${image_file}")"
  if [[ "\${ref}" != "\${image}@sha256:"* || ! "\${ref}" =~ @sha256:[0-9a-f]{64}$ ]]; then
    echo "refusing '\${ref}' for \${service}: expected \${image}@sha256:<digest>" >&2
    exit 1
  fi
  ${cosignVerifyCommand(d, '"${ref}"')}
  VERIFIED["\${service}"]="\${ref}"
done 3<<< "\${SERVICES}"

# 3. Roll out each verified digest with the platform's own deploy API.
deploy_service() {
  local service="$1" ref="$2" task_def new_def new_arn
  case "\${ORCHESTRATOR}" in
    ecs)
      : "\${ECS_CLUSTER:?set ECS_CLUSTER}"
      task_def="$(aws ecs describe-task-definition --task-definition "\${service}" --query taskDefinition --output json)"
      new_def="$(jq --arg image "\${ref}" --arg name "\${service}" \\
        '(.containerDefinitions[] | select(.name == $name) | .image) |= $image
         | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy)' \\
        <<< "\${task_def}")"
      new_arn="$(aws ecs register-task-definition --cli-input-json "\${new_def}" --query taskDefinition.taskDefinitionArn --output text)"
      aws ecs update-service --cluster "\${ECS_CLUSTER}" --service "\${service}" --task-definition "\${new_arn}" > /dev/null
      aws ecs wait services-stable --cluster "\${ECS_CLUSTER}" --services "\${service}"
      ;;
    nomad)
      nomad job run -var "image=\${ref}" "\${WORKDIR}/config/deploy/\${service}.nomad.hcl"
      ;;
    vm)
      # Runs on each host (a systemd timer or one CI job per host): pull the verified digest, restart the unit.
      # A host runs the services whose unit it has; the others are left to their hosts.
      if ! systemctl cat "\${service}.service" > /dev/null 2>&1; then
        echo "\${service}: no \${service}.service on this host, not deployed here"
        return 0
      fi
      docker pull "\${ref}"
      printf 'IMAGE=%s\\n' "\${ref}" > "/etc/\${service}/image.env"
      systemctl restart "\${service}.service"
      ;;
    serverless)
      case "\${CLOUD}" in
        aws) aws lambda update-function-code --function-name "\${service}" --image-uri "\${ref}" --publish > /dev/null ;;
        gcp) gcloud run deploy "\${service}" --image "\${ref}" --region "\${REGION:?set REGION}" --quiet ;;
        azure) az containerapp update --name "\${service}" --resource-group "\${RESOURCE_GROUP:?set RESOURCE_GROUP}" --image "\${ref}" > /dev/null ;;
        *)
          echo "serverless on \${CLOUD}: add the platform's deploy command for a verified image digest" >&2
          exit 1
          ;;
      esac
      ;;
    *)
      echo "unsupported orchestrator \${ORCHESTRATOR}" >&2
      exit 1
      ;;
  esac
  echo "deployed \${ref} to \${TARGET} from \${REF} of the config repo"
}
while read -r service _ <&3; do
  deploy_service "\${service}" "\${VERIFIED[\${service}]}"
done 3<<< "\${SERVICES}"
`;

/**
 * Kubernetes without a GitOps operator (push CD): for each service, build the target's overlay, the one promotion
 * committed, check that it runs exactly the verified digest, and apply it server-side.
 */
const kubernetesDeploy = (d: DeliverySystem): string => `${scriptedDeployCheckout(d)}
# 2. For each service: the digest its overlay pins, accepted only with the release pipeline's signature, and the
#    built overlay runs exactly that digest wherever it names the image.
while read -r service image _ <&3; do
  overlay="\${WORKDIR}/config/${d.gitops.overlayPath('${service}', '${TARGET}')}"
  digest="$(awk -v image="\${image}" '
    ${KUSTOMIZE_DIGEST_OF_IMAGE}
  ' "\${overlay}/kustomization.yaml")"
  if [[ ! "\${digest}" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "refusing: \${overlay}/kustomization.yaml pins no digest for \${image}" >&2
    exit 1
  fi
  if [[ "\${digest}" == '${d.unpromotedDigest}' ]]; then
    echo "refusing: nothing promoted for \${service} to \${TARGET} (its overlay still pins the unpromoted digest)" >&2
    exit 1
  fi
  ref="\${image}@\${digest}"
  ${cosignVerifyCommand(d, '"${ref}"')}
  manifests="\${WORKDIR}/\${service}.manifests.yaml"
  kubectl kustomize "\${overlay}" > "\${manifests}"
  stray="$(grep -F "image: \${image}" "\${manifests}" | grep -vF "image: \${ref}" || true)"
  if [[ -n "\${stray}" ]] || ! grep -qF "image: \${ref}" "\${manifests}"; then
    echo "refusing: the \${TARGET} overlay of \${service} does not run \${ref} everywhere" >&2
    exit 1
  fi
  VERIFIED["\${service}"]="\${ref}"
done 3<<< "\${SERVICES}"

# 3. Apply each service server-side (the field manager owns what Git declares), then wait for its rollout.
while read -r service _ namespace <&3; do
  manifests="\${WORKDIR}/\${service}.manifests.yaml"
  kubectl create namespace "\${namespace}" --dry-run=client -o yaml | kubectl apply --server-side --field-manager=release-deploy -f -
  kubectl apply --server-side --field-manager=release-deploy -f "\${manifests}"
  if grep -q '^kind: Rollout$' "\${manifests}"; then
    echo "the Rollout's canary steps and analysis now run in the cluster: kubectl argo rollouts get rollout ${rolloutNameOf('${service}', true)} -n \${namespace}"
  else
    kubectl rollout status "deployment/\${service}" -n "\${namespace}" --timeout=10m
  fi
  echo "deployed \${VERIFIED[\${service}]} to \${TARGET} from \${REF} of the config repo"
done 3<<< "\${SERVICES}"
`;

export function scriptedDeploy(ctx: ModeContext): ArtifactSpec {
  const { profile, delivery: d } = ctx;
  const kubernetes = d.gitops.kustomize;
  return {
    name: 'scripted_deploy.sh',
    path: DEPLOY_SCRIPT,
    type: 'runbook',
    kb: ['KB_06#Scripted_Deploy', 'KB_04#Signing'],
    body: {
      format: 'shell',
      summary:
        'Scripted Deploy (spec section 10 fallback, no GitOps operator): Git stays the source of truth.\n' +
        (kubernetes
          ? "For every service, builds its overlay of the target at the digest promote.sh committed, after cosign verify, and applies it server-side.\n"
          : 'For every service, deploys only the image digest promote.sh committed for the target, after cosign verify.\n') +
        `SERVICES: one line per service (name image${kubernetes ? ' namespace' : ''}); every service is verified before any is deployed.\n` +
        'Usage: scripted_deploy.sh <target> [<ref>]; CONFIG_REPO_TOKEN or CONFIG_REPO_SSH_KEY for a private config repository,\n' +
        'CONFIG_REPO_URL overrides the clone URL.   [KBTRACE: KB_06#Scripted_Deploy]',
      vars: kubernetes
        ? { ...configRepoVars(d), SERVICES: servicesTable(d, true), ...verifyVars(d) }
        : { CLOUD: profile.infra.cloud_provider, ...configRepoVars(d), ORCHESTRATOR: profile.infra.orchestrator, SERVICES: servicesTable(d, false), ...verifyVars(d) },
      script: kubernetes ? kubernetesDeploy(d) : scriptedDeployHead(d),
    },
  };
}

/** The Kubernetes files of every service: its base workload and its overlay per target. */
const kustomizeFiles = (d: DeliverySystem): ArtifactSpec[] => [...d.services.map((service) => syncWaveAnnotation(d, service)), ...overlays(d)];

export function gitopsArtifacts(ctx: ModeContext): ArtifactSpec[] {
  const d = ctx.delivery;
  // Push CD on Kubernetes: the same bases and overlays, applied by the scripted deploy instead of an operator.
  if (d.gitops.tool === 'none') return [scriptedDeploy(ctx), ...(d.gitops.kustomize ? kustomizeFiles(d) : []), configPolicy(d)];
  const sync = d.services.flatMap((service) => (d.gitops.tool === 'flux' ? fluxKustomizations(d, service) : [argocdApp(d, service)]));
  return [...sync, driftAlert(d.gitops.tool), ...kustomizeFiles(d), configPolicy(d)];
}
