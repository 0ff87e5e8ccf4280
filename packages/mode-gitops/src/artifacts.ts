import { UNPROMOTED_DIGEST, WORKLOAD_IMAGE, type ArtifactSpec, type CiVendor, type Decided, type ModeContext, type NormalizedProfile } from '@ringmaster/core';

export const APP = 'crm-api';
export const APP_NAMESPACE = 'crm';
const IMAGE = `${WORKLOAD_IMAGE}@${UNPROMOTED_DIGEST}`;

/** The config repository, on the profile's Git host. */
export function configRepoUrl(vendor: CiVendor): string {
  switch (vendor) {
    case 'github_actions':
      return 'https://github.com/example-org/crm-config.git';
    case 'gitlab_ci':
      return 'https://gitlab.com/example-group/crm-config.git';
    case 'azure_devops':
      return 'https://dev.azure.com/example-org/crm/_git/crm-config';
    default:
      return 'https://git.example.com/platform/crm-config.git';
  }
}

/** Keyless signing identity of the CI that signs releases. */
export function signingIdentity(vendor: CiVendor): { issuer: string; identity: string } {
  switch (vendor) {
    case 'gitlab_ci':
      return { issuer: 'https://gitlab.com', identity: '^https://gitlab\\.com/example-group/.+//\\.gitlab-ci\\.yml@refs/(heads/main|tags/.+)$' };
    case 'azure_devops':
      return { issuer: 'https://vstoken.dev.azure.com/example-org-id', identity: '^https://dev\\.azure\\.com/example-org/.+$' };
    default:
      return { issuer: 'https://token.actions.githubusercontent.com', identity: '^https://github\\.com/example-org/.+/\\.github/workflows/.+@refs/(heads/main|tags/.+)$' };
  }
}

export function argocdApp(profile: NormalizedProfile): ArtifactSpec {
  const repoURL = configRepoUrl(profile.ci_vendor);
  const destination = { server: 'https://kubernetes.default.svc', namespace: APP_NAMESPACE };
  return {
    name: 'argocd_app.yaml',
    path: `deploy/argocd/${APP}.yaml`,
    type: 'template',
    kb: ['KB_06#GitOps', 'KB_06#GitOps_Sync'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        'Argo CD: the cluster pulls its desired state from the config repo; automated sync with selfHeal reverts drift\n' +
        'and prune removes what Git no longer declares. [KBTRACE: KB_06#GitOps_Sync]',
      documents: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: APP_NAMESPACE, namespace: 'argocd' },
          spec: {
            description: 'CRM workloads: one source repo, one destination namespace.',
            sourceRepos: [repoURL],
            destinations: [destination],
            clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          },
        },
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: APP, namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
          spec: {
            project: APP_NAMESPACE,
            source: { repoURL, targetRevision: 'main', path: `apps/${APP}/overlays/production` },
            destination,
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              syncOptions: ['CreateNamespace=true', 'PruneLast=true', 'PrunePropagationPolicy=foreground', 'ApplyOutOfSyncOnly=true'],
              retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
            },
            revisionHistoryLimit: 10,
          },
        },
      ],
    },
  };
}

export function fluxKustomization(profile: NormalizedProfile): ArtifactSpec {
  const source = { kind: 'GitRepository', name: 'crm-config' };
  return {
    name: 'flux_kustomization.yaml',
    path: `clusters/production/${APP}.yaml`,
    type: 'template',
    kb: ['KB_06#Flux', 'KB_06#GitOps_Sync'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        'Flux: source-controller pulls the config repo (signed commits only); kustomize-controller applies it, prunes what\n' +
        'Git no longer declares and reverts drift every interval. Infrastructure reconciles before the app. [KBTRACE: KB_06#Flux]',
      documents: [
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: 'crm-config', namespace: 'flux-system' },
          spec: {
            interval: '1m',
            url: configRepoUrl(profile.ci_vendor),
            ref: { branch: 'main' },
            secretRef: { name: 'crm-config-auth' },
            verify: { mode: 'HEAD', secretRef: { name: 'crm-config-signing-keys' } },
          },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'crm-infrastructure', namespace: 'flux-system' },
          spec: { interval: '10m', retryInterval: '1m', path: './infrastructure/production', prune: true, wait: true, timeout: '5m', sourceRef: source },
        },
        {
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: APP, namespace: 'flux-system' },
          spec: {
            dependsOn: [{ name: 'crm-infrastructure' }],
            interval: '10m',
            retryInterval: '1m',
            path: `./apps/${APP}/overlays/production`,
            prune: true,
            wait: true,
            timeout: '5m',
            targetNamespace: APP_NAMESPACE,
            sourceRef: source,
          },
        },
      ],
    },
  };
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

export function syncWaveAnnotation(): ArtifactSpec {
  const labels = { 'app.kubernetes.io/name': APP };
  return {
    name: 'sync_wave_annotation.yaml',
    path: `apps/${APP}/base/workload.yaml`,
    type: 'template',
    kb: ['KB_06#GitOps_Sync'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header:
        'Sync waves order one sync: configuration (wave 0) before the workload (wave 5). The image is pinned by digest;\n' +
        'the pipeline updates it with a config-repo commit. [KBTRACE: KB_06#GitOps_Sync]',
      documents: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${APP}-config`, annotations: { 'argocd.argoproj.io/sync-wave': '0' }, labels },
          data: { LOG_LEVEL: 'info' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: APP, annotations: { 'argocd.argoproj.io/sync-wave': '5' }, labels },
          spec: {
            replicas: 3,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: APP,
                    image: IMAGE,
                    ports: [{ name: 'http', containerPort: 8080 }],
                    envFrom: [{ configMapRef: { name: `${APP}-config` } }],
                    readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5 },
                    livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  },
                ],
              },
            },
          },
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

const POLICY_TESTS = `
deployment(image) := {
	"kind": "Deployment",
	"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}},
}

test_tag_is_denied if {
	denials := data.gitops.config.deny with input as deployment("registry.example.com/crm/crm-api:1.4.2")
	count(denials) == 1
}

test_digest_is_allowed if {
	denials := data.gitops.config.deny with input as deployment("${WORKLOAD_IMAGE}@${UNPROMOTED_DIGEST}")
	count(denials) == 0
}

test_privileged_is_denied if {
	app := {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{
		"name": "app",
		"image": "${WORKLOAD_IMAGE}@${UNPROMOTED_DIGEST}",
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

export function configPolicy(): ArtifactSpec {
  return {
    name: 'config_policy.rego',
    path: 'policy/config_repo.rego',
    type: 'policy',
    kb: ['KB_06#Policy_As_Code', 'KB_06#Policy'],
    body: { format: 'rego', package: 'gitops.config', rules: POLICY_RULES, tests: POLICY_TESTS },
  };
}

const SCRIPTED_DEPLOY = `
if [[ $# -ne 1 ]]; then
  echo "usage: $0 <release-tag>   (a signed tag in \${CONFIG_REPO})" >&2
  exit 2
fi
readonly TAG="$1"
WORKDIR="$(mktemp -d)"
readonly WORKDIR
trap 'rm -rf "\${WORKDIR}"' EXIT

# 1. Git is the source of truth: deploy exactly what the signed release tag in the config repo names.
git clone --quiet --depth 1 --branch "\${TAG}" "\${CONFIG_REPO}" "\${WORKDIR}/config"
git -C "\${WORKDIR}/config" verify-tag "\${TAG}"
IMAGE_REF="$(tr -d '[:space:]' < "\${WORKDIR}/config/\${IMAGE_FILE}")"
if [[ ! "\${IMAGE_REF}" =~ ^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$ ]]; then
  echo "refusing '\${IMAGE_REF}': the config repo must pin the image by digest" >&2
  exit 1
fi

# 2. Nothing unverified on the deploy path.
cosign verify \\
  --certificate-identity-regexp "\${CERT_IDENTITY_REGEXP}" \\
  --certificate-oidc-issuer "\${OIDC_ISSUER}" \\
  "\${IMAGE_REF}" > /dev/null

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

echo "deployed \${IMAGE_REF} from tag \${TAG} of \${CONFIG_REPO}"
`;

export function scriptedDeploy(profile: NormalizedProfile): ArtifactSpec {
  const { issuer, identity } = signingIdentity(profile.ci_vendor);
  return {
    name: 'scripted_deploy.sh',
    path: 'scripts/scripted_deploy.sh',
    type: 'runbook',
    kb: ['KB_06#Scripted_Deploy', 'KB_04#Signing'],
    body: {
      format: 'shell',
      summary:
        'Scripted Deploy (spec section 10 fallback, no Kubernetes): Git stays the source of truth.\n' +
        'Deploys only the image digest named by a signed release tag of the config repo, after cosign verify.\n' +
        'Usage: scripted_deploy.sh <release-tag>   [KBTRACE: KB_06#Scripted_Deploy]',
      vars: {
        CLOUD: profile.infra.cloud_provider,
        CONFIG_REPO: configRepoUrl(profile.ci_vendor),
        CERT_IDENTITY_REGEXP: identity,
        IMAGE_FILE: `release/${APP}.image`,
        OIDC_ISSUER: issuer,
        ORCHESTRATOR: profile.infra.orchestrator,
        SERVICE: APP,
      },
      script: SCRIPTED_DEPLOY,
    },
  };
}

/** Which GitOps operator the artifacts target: Flux when named, else Argo CD (the default). */
export function operatorOf(profile: NormalizedProfile): 'argocd' | 'flux' {
  return profile.gitops_tool === 'flux' ? 'flux' : 'argocd';
}

export function gitopsArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const { profile } = ctx;
  if (decided.get('pipeline_blueprint.deploy_mechanism') === 'scripted_git_driven') return [scriptedDeploy(profile), configPolicy()];
  const operator = operatorOf(profile);
  if (operator === 'flux') return [fluxKustomization(profile), driftAlert('flux'), configPolicy()];
  return [argocdApp(profile), driftAlert('argocd'), syncWaveAnnotation(), configPolicy()];
}
