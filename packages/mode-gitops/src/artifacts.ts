import { configRepoAccess, configRepoVars, cosignVerifyCommand, DEPLOY_SCRIPT, KUSTOMIZE_DIGEST_OF_IMAGE, verifyVars, type ArtifactSpec, type DeliverySystem, type ModeContext } from '@ringmaster/core';

/** A Kubernetes object name for a target (`ring0_internal` -> `ring0-internal`). */
export function k8sName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Where a file of the config repository goes in the plan's output (the `gitops-config/` folder is that repository). */
export function inConfigRepo(d: DeliverySystem, path: string): string {
  return `${d.gitops.configDir}/${path}`;
}

/** One overlay per promotion target: the base, the namespace, and the image at the promoted digest (what promote.sh edits). */
export function overlays(d: DeliverySystem): ArtifactSpec[] {
  return d.targets.map((target) => ({
    name: `overlay_${target.name}_kustomization.yaml`,
    path: inConfigRepo(d, `${d.gitops.overlayPath(target.name)}/kustomization.yaml`),
    type: 'template' as const,
    kb: ['KB_06#GitOps', 'KB_13#Digest_Pinning'] as const,
    body: {
      format: 'yaml' as const,
      schema: 'plain' as const,
      header: `${target.name}: the base at the digest promoted to this target. promote.sh rewrites the digest below; nothing else edits it.`,
      documents: [
        {
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          namespace: d.service.namespace,
          resources: ['../../base'],
          labels: [{ pairs: { 'ringmaster.dev/target': k8sName(target.name) }, includeSelectors: false }],
          images: [{ name: d.service.image, digest: d.unpromotedDigest }],
        },
      ],
    },
  }));
}

export function argocdApp(d: DeliverySystem): ArtifactSpec {
  const repoURL = d.configRepo.url;
  const project = k8sName(d.service.name);
  const destinations = [...new Set(d.targets.map((t) => t.clusterServer))].map((server) => ({ server, namespace: d.service.namespace }));
  return {
    name: 'argocd_app.yaml',
    path: inConfigRepo(d, `argocd/${d.service.name}.yaml`),
    type: 'template',
    kb: ['KB_06#GitOps', 'KB_06#GitOps_Sync'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        'Argo CD: one Application per promotion target, each syncing exactly that target\'s overlay of the config repo.\n' +
        'Automated sync with selfHeal reverts drift and prune removes what Git no longer declares, so a rollback is a\n' +
        'Git change (promote the previous digest or revert the promotion commit), never a command against the cluster. [KBTRACE: KB_06#GitOps_Sync]',
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: project, namespace: 'argocd' },
          spec: {
            description: `${d.service.name}: one source repo, one namespace per destination cluster.`,
            sourceRepos: [repoURL],
            destinations,
            clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          },
        },
        ...d.targets.map((target) => ({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: `${k8sName(d.service.name)}-${k8sName(target.name)}`, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
          spec: {
            project,
            source: { repoURL, targetRevision: 'main', path: d.gitops.overlayPath(target.name) },
            destination: { server: target.clusterServer, namespace: d.service.namespace },
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

/** Flux: per target cluster, the config repo source and one Kustomization syncing that target's overlay. */
export function fluxKustomizations(d: DeliverySystem): ArtifactSpec[] {
  const source = { kind: 'GitRepository', name: `${k8sName(d.service.name)}-config` };
  return d.targets.map((target, i) => ({
    name: i === 0 ? 'flux_kustomization.yaml' : `flux_kustomization_${target.name}.yaml`,
    path: inConfigRepo(d, `clusters/${target.cluster}/${d.service.name}.yaml`),
    type: 'template' as const,
    kb: ['KB_06#Flux', 'KB_06#GitOps_Sync'] as const,
    body: {
      format: 'yaml' as const,
      schema: 'kubernetes' as const,
      header:
        `Flux on cluster ${target.cluster}: source-controller pulls the config repo; kustomize-controller applies the ${target.name} overlay,\n` +
        'prunes what Git no longer declares and reverts drift every interval, so a rollback is a Git change. [KBTRACE: KB_06#Flux]',
      documents: [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: source.name, namespace: 'flux-system' },
          spec: { interval: '1m', url: d.configRepo.url, ref: { branch: 'main' }, secretRef: { name: `${source.name}-auth` } },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: `${k8sName(d.service.name)}-${k8sName(target.name)}`, namespace: 'flux-system' },
          spec: {
            interval: '10m',
            retryInterval: '1m',
            path: `./${d.gitops.overlayPath(target.name)}`,
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

export function syncWaveAnnotation(d: DeliverySystem): ArtifactSpec {
  const { name, port, healthPath, image } = d.service;
  const labels = { 'app.kubernetes.io/name': name };
  return {
    name: 'sync_wave_annotation.yaml',
    path: inConfigRepo(d, `${d.gitops.basePath}/workload.yaml`),
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
    body: { format: 'rego', package: 'gitops.config', rules: POLICY_RULES, tests: policyTests(d.service.image) },
  };
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

# 1. Git is the source of truth: deploy exactly the digest promote.sh committed for this target.
${configRepoAccess(d)}
git clone --quiet --depth 1 --branch "\${REF}" "\${url}" "\${WORKDIR}/config"
`;

const scriptedDeployHead = (d: DeliverySystem): string => `${scriptedDeployCheckout(d)}IMAGE_REF="$(tr -d '[:space:]' < "\${WORKDIR}/config/releases/\${TARGET}/\${SERVICE}.image")"
if [[ "\${IMAGE_REF}" != "\${IMAGE}@sha256:"* || ! "\${IMAGE_REF}" =~ @sha256:[0-9a-f]{64}$ ]]; then
  echo "refusing '\${IMAGE_REF}': expected \${IMAGE}@sha256:<digest>" >&2
  exit 1
fi

# 2. Nothing unverified on the deploy path: only the release pipeline's signature is accepted.
${cosignVerifyCommand(d, '"${IMAGE_REF}"')}

# 3. Roll out the verified digest with the platform's own deploy API.
case "\${ORCHESTRATOR}" in
  ecs)
    : "\${ECS_CLUSTER:?set ECS_CLUSTER}"
    TASK_DEF="$(aws ecs describe-task-definition --task-definition "\${SERVICE}" --query taskDefinition --output json)"
    NEW_DEF="$(jq --arg image "\${IMAGE_REF}" --arg name "\${SERVICE}" \\
      '(.containerDefinitions[] | select(.name == $name) | .image) |= $image
       | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy)' \\
      <<< "\${TASK_DEF}")"
    NEW_ARN="$(aws ecs register-task-definition --cli-input-json "\${NEW_DEF}" --query taskDefinition.taskDefinitionArn --output text)"
    aws ecs update-service --cluster "\${ECS_CLUSTER}" --service "\${SERVICE}" --task-definition "\${NEW_ARN}" > /dev/null
    aws ecs wait services-stable --cluster "\${ECS_CLUSTER}" --services "\${SERVICE}"
    ;;
  nomad)
    nomad job run -var "image=\${IMAGE_REF}" "\${WORKDIR}/config/deploy/\${SERVICE}.nomad.hcl"
    ;;
  vm)
    # Runs on each host (a systemd timer or one CI job per host): pull the verified digest, restart the unit.
    docker pull "\${IMAGE_REF}"
    printf 'IMAGE=%s\\n' "\${IMAGE_REF}" > "/etc/\${SERVICE}/image.env"
    systemctl restart "\${SERVICE}.service"
    ;;
  serverless)
    case "\${CLOUD}" in
      aws) aws lambda update-function-code --function-name "\${SERVICE}" --image-uri "\${IMAGE_REF}" --publish > /dev/null ;;
      gcp) gcloud run deploy "\${SERVICE}" --image "\${IMAGE_REF}" --region "\${REGION:?set REGION}" --quiet ;;
      azure) az containerapp update --name "\${SERVICE}" --resource-group "\${RESOURCE_GROUP:?set RESOURCE_GROUP}" --image "\${IMAGE_REF}" > /dev/null ;;
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

echo "deployed \${IMAGE_REF} to \${TARGET} from \${REF} of the config repo"
`;

/**
 * Kubernetes without a GitOps operator (push CD): build the target's overlay, the one promotion
 * committed, check that it runs exactly the verified digest, and apply it server-side.
 */
const kubernetesDeploy = (d: DeliverySystem): string => `${scriptedDeployCheckout(d)}OVERLAY="\${WORKDIR}/config/${d.gitops.overlayPath('${TARGET}')}"
DIGEST="$(awk -v image="\${IMAGE}" '
  ${KUSTOMIZE_DIGEST_OF_IMAGE}
' "\${OVERLAY}/kustomization.yaml")"
if [[ ! "\${DIGEST}" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "refusing: \${OVERLAY}/kustomization.yaml pins no digest for \${IMAGE}" >&2
  exit 1
fi
IMAGE_REF="\${IMAGE}@\${DIGEST}"

# 2. Nothing unverified on the deploy path: only the release pipeline's signature is accepted.
${cosignVerifyCommand(d, '"${IMAGE_REF}"')}

# 3. The built overlay runs exactly the verified digest, wherever it names the image.
kubectl kustomize "\${OVERLAY}" > "\${WORKDIR}/manifests.yaml"
stray="$(grep -F "image: \${IMAGE}" "\${WORKDIR}/manifests.yaml" | grep -vF "image: \${IMAGE_REF}" || true)"
if [[ -n "\${stray}" ]] || ! grep -qF "image: \${IMAGE_REF}" "\${WORKDIR}/manifests.yaml"; then
  echo "refusing: the overlay of \${TARGET} does not run \${IMAGE_REF} everywhere" >&2
  exit 1
fi

# 4. Apply server-side (the field manager owns what Git declares), then wait for the rollout.
kubectl create namespace "\${NAMESPACE}" --dry-run=client -o yaml | kubectl apply --server-side --field-manager=release-deploy -f -
kubectl apply --server-side --field-manager=release-deploy -f "\${WORKDIR}/manifests.yaml"
if grep -q '^kind: Rollout$' "\${WORKDIR}/manifests.yaml"; then
  echo "the Rollout's canary steps and analysis now run in the cluster: kubectl argo rollouts get rollout \${SERVICE} -n \${NAMESPACE}"
else
  kubectl rollout status "deployment/\${SERVICE}" -n "\${NAMESPACE}" --timeout=10m
fi

echo "deployed \${IMAGE_REF} to \${TARGET} from \${REF} of the config repo"
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
          ? "Builds the target's overlay at the digest promote.sh committed, after cosign verify, and applies it server-side.\n"
          : 'Deploys only the image digest promote.sh committed for the target, after cosign verify.\n') +
        'Usage: scripted_deploy.sh <target> [<ref>]; CONFIG_REPO_TOKEN or CONFIG_REPO_SSH_KEY for a private config repository,\n' +
        'CONFIG_REPO_URL overrides the clone URL.   [KBTRACE: KB_06#Scripted_Deploy]',
      vars: kubernetes
        ? { ...configRepoVars(d), IMAGE: d.service.image, NAMESPACE: d.service.namespace, SERVICE: d.service.name, ...verifyVars(d) }
        : { CLOUD: profile.infra.cloud_provider, ...configRepoVars(d), IMAGE: d.service.image, ORCHESTRATOR: profile.infra.orchestrator, SERVICE: d.service.name, ...verifyVars(d) },
      script: kubernetes ? kubernetesDeploy(d) : scriptedDeployHead(d),
    },
  };
}

export function gitopsArtifacts(ctx: ModeContext): ArtifactSpec[] {
  const d = ctx.delivery;
  // Push CD on Kubernetes: the same base and overlays, applied by the scripted deploy instead of an operator.
  if (d.gitops.tool === 'none') return [scriptedDeploy(ctx), ...(d.gitops.kustomize ? [syncWaveAnnotation(d), ...overlays(d)] : []), configPolicy(d)];
  const sync = d.gitops.tool === 'flux' ? fluxKustomizations(d) : [argocdApp(d)];
  return [...sync, driftAlert(d.gitops.tool), syncWaveAnnotation(d), ...overlays(d), configPolicy(d)];
}
