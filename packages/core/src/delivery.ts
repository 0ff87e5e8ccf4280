import { GO_TOOLS, GO_VERSION, pinnedUses, TOOL_VERSIONS, type GoTool } from './pins.js';
import type { Cloud, NormalizedProfile, ProfileDelivery } from './profile.js';
import { EXAMPLE, occursIn } from './examples.js';
import type { InputIssue } from './errors.js';

/**
 * The delivery system of one plan, computed once before the modes contribute: the names of the
 * image, the repositories, the signing identity and the GitOps layout. Every mode reads them
 * from here, so the image the pipeline builds is the one signed, verified, promoted and deployed,
 * and the path promotion edits is the path Argo CD / Flux syncs.
 */
export interface DeliverySystem {
  organization: string;
  /** The application repository: where the release pipeline runs. */
  appRepo: GitRepo;
  /** The one GitOps config repository promotion commits to and the operator syncs. */
  configRepo: GitRepo;
  registry: string;
  /** The services the plan releases, in the profile's order: each has its own image, kustomize base and overlays; one pipeline builds, signs and promotes them all. */
  services: readonly [ServiceModel, ...ServiceModel[]];
  /** Promotion targets in order: rings, regions or environments, one overlay each. */
  targets: readonly TargetModel[];
  /** How targets were derived: given environments, residency regions, rings, or staging/production. */
  targetKind: 'environments' | 'regions' | 'rings' | 'stages';
  ci: CiModel;
  gitops: GitopsLayout;
  cloud: CloudIds;
  /** The ids CI OIDC subjects carry beyond names (GitHub's immutable ids, Azure DevOps federation). */
  oidc: OidcIds;
  /** The public host of the API (ingress rules). */
  apiHost: string;
  /** Where approved vulnerability exceptions are recorded. */
  riskAcceptanceLog: string;
  /** The digest manifests carry until the first promotion; all zeros never resolves, so nothing unpromoted runs. */
  unpromotedDigest: string;
  /** Values the model filled in for missing profile fields. */
  defaults: readonly DefaultValue[];
}

export interface GitRepo {
  /** Path on the Git host (`org/repo`, `group/sub/project`, `org/project/repo`). */
  path: string;
  /** HTTPS clone URL. */
  url: string;
  /** SSH clone URL. */
  sshUrl: string;
}

export interface ServiceModel {
  name: string;
  port: number;
  healthPath: string;
  /** Full image repository, without tag or digest: `<registry>/<image name>`. */
  image: string;
  /** Kubernetes namespace of the workload. */
  namespace: string;
  /** The Docker build context in the application repository (its Dockerfile is there): `.` or a folder path without a trailing slash. */
  buildContext: string;
}

export interface TargetModel {
  name: string;
  region: string | null;
  /** Residency jurisdiction of the region (`eu`, `us`, ...), when the target is a region. */
  jurisdiction: string | null;
  cluster: string;
  /** The API server Argo CD deploys this target to. */
  clusterServer: string;
}

export type SigningModel =
  | { kind: 'keyless'; issuer: string; identity: string; workflowPath: string }
  | { kind: 'kms'; keyUri: string };

export interface CiModel {
  vendor: 'github_actions' | 'gitlab_ci' | 'azure_devops';
  gitHost: string;
  signing: SigningModel;
  /** How promote.sh authenticates to the config repository over HTTPS with a token from the environment. */
  gitTokenAuth: { header: 'basic'; user: string } | { header: 'bearer' };
  /** Environment variable holding the token for the GitOps commit in CI. */
  gitTokenEnv: string;
}

export interface GitopsLayout {
  /** The operator that syncs the config repository; `none` for push or manual CD and for platforms other than Kubernetes. */
  tool: 'argocd' | 'flux' | 'none';
  /** Kubernetes targets: the config repository holds a kustomize base and one overlay per target (synced by the operator, or applied by the pipeline's deploy job without one). */
  kustomize: boolean;
  /** Folder of the plan's output holding the config repository's content. */
  configDir: string;
  // The paths below take a service's and a target's name, or words such as SERVICE and RING standing for any of them (runbooks).
  /** In the config repository: the kustomize base of a service. */
  basePath(service: string): string;
  /** In the config repository: the overlay of a service for a target (what the operator syncs and promotion edits). */
  overlayPath(service: string, target: string): string;
  /** Outside Kubernetes: the file holding a service's promoted `image@digest` for a target (what promotion edits and the scripted deploy reads). */
  imageFile(service: string, target: string): string;
  /** The one file the promotion and rollback of a service to a target edit: the overlay's `kustomization.yaml`, or the image file. */
  promotionFile(service: string, target: string): string;
  /** The promotion script in the application repository (`promote.sh <service> <digest> <target>`, `promote.sh --rollback <service> <target>`); null when the plan generates none. */
  promotionScript: string | null;
  /** Without an operator: the scripted deploy (`<script> <target>`) that deploys the digest the config repository names for a target; null with an operator or when the plan generates none. */
  deployScript: string | null;
}

export interface CloudIds {
  awsAccountId: string;
  awsRegion: string;
  gcpProjectId: string;
  gcpProjectNumber: string;
  azureSubscriptionId: string;
  azureTenantId: string;
}

export interface OidcIds {
  githubOwnerId: string;
  githubRepositoryId: string;
  azureDevOpsSubjectPrefix: string;
  azureDevOpsOrganizationId: string;
  azureDevOpsServiceConnectionId: string;
}

/** A value used because the profile did not say; `placeholder` ones must be replaced before use. */
export interface DefaultValue {
  value: string;
  field: string;
  placeholder: boolean;
  replaceWith: string;
}

/** A placeholder as the output lists it. */
export interface Placeholder {
  value: string;
  field: string;
  files: string[];
  replace_with: string;
}

export const DEFAULT_ORGANIZATION = EXAMPLE.organization;
export const DEFAULT_SERVICE = { name: 'crm-api', port: 8080, healthPath: '/health' } as const;
export const DEFAULT_RINGS = ['ring0_internal', 'ring1_early_adopters', 'ring2_ga'] as const;
/** Region used for tenants without a residency requirement when the profile names none. */
export const DEFAULT_GLOBAL_REGION = 'us-east-1';
/** Where the blueprint's promotion script lives in the application repository. */
export const PROMOTION_SCRIPT = 'scripts/promote.sh';
/** Where the GitOps mode's scripted deploy lives in the application repository (no GitOps operator). */
export const DEPLOY_SCRIPT = 'scripts/scripted_deploy.sh';
const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * The artifact name of a file made once per service: `base` itself when the plan has one service,
 * else `base` with the service's name before its extension (`rollout.yaml` -> `rollout_crm-web.yaml`),
 * since artifact names are unique within a plan.
 */
export function serviceArtifactName(d: Pick<DeliverySystem, 'services'>, base: string, service: string): string {
  if (d.services.length === 1) return base;
  // Before the first dot: `sbom.spdx.json` -> `sbom_crm-web.spdx.json`.
  const dot = base.indexOf('.');
  return dot < 0 ? `${base}_${service}` : `${base.slice(0, dot)}_${service}${base.slice(dot)}`;
}

/**
 * The name of a CI variable (or template parameter) held once per service: `base` itself when the
 * plan has one service, else `base` and the service's name with `-` as `_`, upper case after an
 * upper-case base (`DIGEST` -> `DIGEST_CRM_WEB`, `digest` -> `digest_crm_web`). Service names are
 * DNS labels, so two services never share a variable; GitLab and Azure DevOps accept the result.
 */
export function serviceVariableName(d: Pick<DeliverySystem, 'services'>, base: string, service: string): string {
  return d.services.length === 1 ? base : perServiceName(base, service);
}

/**
 * `base` and the service's name with each `-` as `_` (so `crm--api` and `crm-api` stay apart: `_` is
 * not allowed in a service name), upper case after an upper-case base.
 */
export function perServiceName(base: string, service: string): string {
  const suffix = service.replace(/-/g, '_');
  return `${base}_${base === base.toUpperCase() ? suffix.toUpperCase() : suffix}`;
}

/**
 * The Argo Rollout of a service: `<service>-rollout` when it references the GitOps mode's
 * Deployment (`workloadRef`, which keeps the Deployment's name), else the service's own name.
 */
export function rolloutNameOf(service: string, workloadRef: boolean): string {
  return workloadRef ? `${service}-rollout` : service;
}

/** A name as a Kubernetes object name part: lower case, every run of other characters one `-`. */
export function kubernetesName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Where the profile gives the targets of each kind (for errors that point at them). */
const TARGET_SOURCE: Readonly<Record<DeliverySystem['targetKind'], (i: number) => string>> = {
  environments: (i) => `/delivery/environments/${i}/name`,
  rings: (i) => `/release_policy/ring_model/rings/${i}`,
  regions: () => '/infra/regions',
  stages: () => '/delivery/environments',
};

/**
 * Names the plan's files derive that would be one object in a cluster: two targets whose
 * Kubernetes names are equal (`eu_west`, `eu-west`), two targets on one Flux cluster, or two service-target pairs whose
 * `<service>-<target>` object names (Argo CD Applications, Flux Kustomizations) are equal
 * (`crm` + `web-staging`, `crm-web` + `staging`). Each later clash is one issue.
 */
export function deliveryNameClashes(d: Pick<DeliverySystem, 'services' | 'targets' | 'targetKind' | 'gitops'>): InputIssue[] {
  const issues: InputIssue[] = [];
  const issue = (pointer: string, expected: string, found: string): void => {
    issues.push({ pointer, expected, found, message: `${pointer}: expected ${expected}, found ${found}` });
  };
  const targets = new Map<string, string>();
  d.targets.forEach((t, i) => {
    const name = kubernetesName(t.name);
    const earlier = targets.get(name);
    if (earlier === undefined) targets.set(name, t.name);
    else issue(TARGET_SOURCE[d.targetKind](i), `a target name whose Kubernetes name differs from ${JSON.stringify(earlier)}'s (${name})`, `string ${JSON.stringify(t.name)}`);
  });
  if (d.gitops.tool === 'flux') {
    // Flux reads one folder per cluster (`clusters/<cluster>/`), each deploying a service into its namespace: one target per cluster.
    const clusters = new Map<string, string>();
    d.targets.forEach((t, i) => {
      const earlier = clusters.get(t.cluster);
      if (earlier === undefined) clusters.set(t.cluster, t.name);
      else issue(`/delivery/environments/${i}/cluster`, `a cluster no other target uses (Flux deploys ${earlier} there, into the same namespaces)`, `string ${JSON.stringify(t.cluster)}`);
    });
  }
  if (issues.length > 0) return issues;
  const objects = new Map<string, string>();
  d.services.forEach((s, i) => {
    for (const t of d.targets) {
      const name = `${kubernetesName(s.name)}-${kubernetesName(t.name)}`;
      const earlier = objects.get(name);
      if (earlier === undefined) objects.set(name, `${s.name} + ${t.name}`);
      else if (!earlier.startsWith(`${s.name} + `)) {
        issue(`/delivery/services/${i}/name`, `a name whose objects differ from those of the other services (${earlier} and ${s.name} + ${t.name} are both ${name})`, `string ${JSON.stringify(s.name)}`);
        return;
      }
    }
  });
  return issues;
}

/** Residency jurisdiction of a region id across AWS, GCP and Azure naming. */
export function jurisdictionOf(region: string): string {
  const r = region.toLowerCase();
  if (/^(eu-|europe-|(west|north|south|central|east)europe|france|germany|switzerland|norway|sweden|italy|poland|spain|uk)/.test(r)) return 'eu';
  if (/^(us-|us(east|west|central|north|south)|(east|west|central|northcentral|southcentral|westcentral)us|usgov)/.test(r)) return 'us';
  if (/^(ca-|northamerica-northeast|canada)/.test(r)) return 'ca';
  if (/^(ap-|asia-|australia-|(east|southeast)asia|japan|korea|india|australia)/.test(r)) return 'apac';
  if (/^(sa-|southamerica-|brazil)/.test(r)) return 'latam';
  if (/^(me-|me-central|uae|qatar|israel)/.test(r)) return 'me';
  return r.replace(/[^a-z0-9]+/g, '_');
}

/** Deployment regions in rollout order: residency regions first, then the rest; at least one outside the residency set. */
export function deployRegions(p: NormalizedProfile): string[] {
  const residency = [...p.crm.data_residency_regions];
  const others = p.infra.regions.filter((r) => !residency.includes(r));
  const residencyJurisdictions = new Set(residency.map(jurisdictionOf));
  const rest = others.length > 0 ? others : residencyJurisdictions.has('us') ? [] : [DEFAULT_GLOBAL_REGION];
  return [...residency, ...rest];
}

/** The CI vendor whose files the plan generates: GitHub Actions when the profile names none or another one. */
export function effectiveCiVendor(p: NormalizedProfile): CiModel['vendor'] {
  return p.ci_vendor === 'gitlab_ci' || p.ci_vendor === 'azure_devops' ? p.ci_vendor : 'github_actions';
}

/** Rings are promotion targets for a multi-tenant platform or an enabled ring model. */
export function usesRings(p: NormalizedProfile): boolean {
  return p.crm.multi_tenant === true || p.release_policy.ring_model.enabled === true;
}

/** The KMS key cosign signs with where keyless signing is not possible (Azure DevOps tokens are not Fulcio issuers). */
export function kmsKeyUri(cloud: Cloud, ids: CloudIds): string {
  switch (cloud) {
    case 'aws':
      return `awskms:///arn:aws:kms:${ids.awsRegion}:${ids.awsAccountId}:alias/release-signing`;
    case 'gcp':
      return `gcpkms://projects/${ids.gcpProjectId}/locations/global/keyRings/release/cryptoKeys/release-signing`;
    case 'azure':
      return 'azurekms://release-signing.vault.azure.net/release-signing';
    default:
      return 'hashivault://release-signing';
  }
}

function targetsOf(p: NormalizedProfile, given: ProfileDelivery): { kind: DeliverySystem['targetKind']; targets: TargetModel[] } {
  const target = (name: string, region: string | null, cluster?: string, server?: string): TargetModel => ({
    name,
    region,
    jurisdiction: region === null ? null : jurisdictionOf(region),
    cluster: cluster ?? name,
    clusterServer: server ?? IN_CLUSTER,
  });
  if (given.environments !== undefined && given.environments.length > 0) {
    return { kind: 'environments', targets: given.environments.map((e) => target(e.name, e.region ?? null, e.cluster, e.cluster_server)) };
  }
  if (p.crm.data_residency_regions.length > 0) return { kind: 'regions', targets: deployRegions(p).map((r) => target(r, r)) };
  if (usesRings(p)) {
    const rings = p.release_policy.ring_model.rings.length > 0 ? p.release_policy.ring_model.rings : DEFAULT_RINGS;
    return { kind: 'rings', targets: rings.map((r) => target(r, null)) };
  }
  return { kind: 'stages', targets: [target('staging', null), target('production', null)] };
}

function repo(host: string, vendor: CiModel['vendor'], path: string): GitRepo {
  if (vendor === 'azure_devops') {
    // org/project/repo -> https://dev.azure.com/org/project/_git/repo
    const [org, project, ...rest] = path.split('/');
    const name = rest.length > 0 ? rest.join('/') : (project as string);
    return { path, url: `https://${host}/${org}/${project}/_git/${name}`, sshUrl: `git@ssh.${host}:v3/${org}/${project}/${name}` };
  }
  return { path, url: `https://${host}/${path}.git`, sshUrl: `git@${host}:${path}.git` };
}

/**
 * Builds the delivery system of a plan from the profile and the ids of the selected modes
 * (the signing workflow depends on whether the supply-chain mode is in the plan). Pure.
 */
export function deliverySystem(p: NormalizedProfile, selectedModes: readonly string[]): DeliverySystem {
  const given = p.delivery;
  const defaults: DefaultValue[] = [];
  const pick = (value: string | undefined, field: string, fallback: string, placeholder: boolean, replaceWith: string): string => {
    if (value !== undefined) return value;
    defaults.push({ value: fallback, field, placeholder, replaceWith });
    return fallback;
  };
  const vendor = effectiveCiVendor(p);
  const gitHost = given.git_host ?? (vendor === 'gitlab_ci' ? 'gitlab.com' : vendor === 'azure_devops' ? 'dev.azure.com' : 'github.com');
  const givenOrg = given.organization ?? given.app_repository?.split('/')[0];
  const organization = pick(givenOrg, '/delivery/organization', DEFAULT_ORGANIZATION, true, `your ${vendor === 'gitlab_ci' ? 'GitLab group' : vendor === 'azure_devops' ? 'Azure DevOps organization' : 'GitHub organization'}`);
  const repoPrefix = vendor === 'azure_devops' ? `${organization}/crm` : organization;
  const appPath = pick(given.app_repository, '/delivery/app_repository', `${repoPrefix}/crm-platform`, true, 'the path of your application repository on the Git host');
  const configPath = pick(given.config_repository, '/delivery/config_repository', `${repoPrefix}/crm-config`, true, 'the path of your GitOps config repository on the Git host');

  const cloudGiven = given.cloud ?? {};
  const awsRegion = p.infra.cloud_provider === 'aws' ? (p.infra.regions[0] ?? DEFAULT_GLOBAL_REGION) : DEFAULT_GLOBAL_REGION;
  const cloud: CloudIds = {
    awsAccountId: pick(cloudGiven.aws_account_id, '/delivery/cloud/aws_account_id', EXAMPLE.awsAccountId, true, 'your 12-digit AWS account id'),
    awsRegion,
    gcpProjectId: pick(cloudGiven.gcp_project_id, '/delivery/cloud/gcp_project_id', EXAMPLE.gcpProjectId, true, 'your GCP project id'),
    gcpProjectNumber: pick(cloudGiven.gcp_project_number, '/delivery/cloud/gcp_project_number', EXAMPLE.gcpProjectNumber, true, 'your GCP project number'),
    azureSubscriptionId: cloudGiven.azure_subscription_id ?? EXAMPLE.azureGuid,
    azureTenantId: cloudGiven.azure_tenant_id ?? EXAMPLE.azureGuid,
  };
  const missingAzure = (['azure_subscription_id', 'azure_tenant_id'] as const).filter((k) => cloudGiven[k] === undefined);
  if (missingAzure.length > 0) {
    defaults.push({ value: EXAMPLE.azureGuid, field: `/delivery/cloud/${missingAzure[0]}`, placeholder: true, replaceWith: `your ${missingAzure.map((k) => (k === 'azure_tenant_id' ? 'Entra tenant id (delivery.cloud.azure_tenant_id)' : 'Azure subscription id (delivery.cloud.azure_subscription_id)')).join(' and ')}` });
  }
  const githubIds = given.github_ids ?? {};
  const adoIds = given.azure_devops_ids ?? {};
  const oidc: OidcIds = {
    githubOwnerId: pick(githubIds.owner_id, '/delivery/github_ids/owner_id', EXAMPLE.githubOwnerId, true, "your GitHub organization's numeric id (gh api orgs/ORG --jq .id)"),
    githubRepositoryId: pick(githubIds.repository_id, '/delivery/github_ids/repository_id', EXAMPLE.githubRepositoryId, true, "your application repository's numeric id (gh api repos/ORG/REPO --jq .id)"),
    azureDevOpsSubjectPrefix: pick(adoIds.subject_prefix, '/delivery/azure_devops_ids/subject_prefix', EXAMPLE.azureDevOpsSubjectPrefix, true, 'the issuer subject prefix Azure DevOps shows on the service connection (/eid1/c/pub/t/.../a/...)'),
    azureDevOpsOrganizationId: pick(adoIds.organization_id, '/delivery/azure_devops_ids/organization_id', EXAMPLE.azureDevOpsOrganizationId, true, 'your Azure DevOps organization id (GUID)'),
    azureDevOpsServiceConnectionId: pick(adoIds.service_connection_id, '/delivery/azure_devops_ids/service_connection_id', EXAMPLE.azureDevOpsServiceConnectionId, true, "the release service connection's id (GUID)"),
  };
  const apiHost = pick(given.api_host, '/delivery/api_host', EXAMPLE.apiHost, true, 'the public host name of your API');
  const riskAcceptanceLog = pick(given.risk_acceptance_log, '/delivery/risk_acceptance_log', EXAMPLE.riskAcceptanceLog, true, 'the URL where approved vulnerability exceptions are recorded (DefectDojo risk acceptances or your tracker)');

  const defaultRegistry =
    vendor === 'github_actions'
      ? `ghcr.io/${organization.toLowerCase()}`
      : vendor === 'gitlab_ci'
        ? `registry.${gitHost === 'gitlab.com' ? 'gitlab.com' : gitHost}/${appPath.toLowerCase()}`
        : p.infra.cloud_provider === 'aws'
          ? `${cloud.awsAccountId}.dkr.ecr.${awsRegion}.amazonaws.com`
          : p.infra.cloud_provider === 'gcp'
            ? `us-docker.pkg.dev/${cloud.gcpProjectId}/release`
            : EXAMPLE.azureRegistry;
  const registryIsPlaceholder = vendor === 'azure_devops' && !['aws', 'gcp'].includes(p.infra.cloud_provider);
  const registry = pick(given.registry, '/delivery/registry', defaultRegistry, registryIsPlaceholder, 'your container registry (host and namespace)');

  type ServiceGiven = NonNullable<ProfileDelivery['services']>[number];
  const serviceOf = (given: ServiceGiven | undefined, i: number): ServiceModel => {
    const name = pick(given?.name, `/delivery/services/${i}/name`, DEFAULT_SERVICE.name, false, 'the name of your service');
    if (given?.port === undefined) defaults.push({ value: String(DEFAULT_SERVICE.port), field: `/delivery/services/${i}/port`, placeholder: false, replaceWith: 'the port your service listens on' });
    // One service builds from the repository's root as before; several from a folder each (recorded as an assumption).
    const buildContext = several ? pick(given?.build_context, `/delivery/services/${i}/build_context`, `services/${name}`, false, "the folder of the service's Dockerfile in the application repository") : (given?.build_context ?? '.');
    return { name, port: given?.port ?? DEFAULT_SERVICE.port, healthPath: given?.health_path ?? DEFAULT_SERVICE.healthPath, image: `${registry}/${given?.image ?? name}`, namespace: name, buildContext };
  };
  const [first, ...more] = given.services ?? [];
  const several = more.length > 0;
  const services: [ServiceModel, ...ServiceModel[]] = [serviceOf(first, 0), ...more.map((s, i) => serviceOf(s, i + 1))];

  const signingWorkflow = selectedModes.includes('supply-chain') ? 'release-signing.yml' : 'release.yml';
  const signing: SigningModel =
    vendor === 'azure_devops'
      ? { kind: 'kms', keyUri: kmsKeyUri(p.infra.cloud_provider, cloud) }
      : vendor === 'gitlab_ci'
        ? { kind: 'keyless', issuer: `https://${gitHost}`, identity: `https://${gitHost}/${appPath}//.gitlab-ci.yml@refs/heads/main`, workflowPath: '.gitlab-ci.yml' }
        : {
            kind: 'keyless',
            issuer: 'https://token.actions.githubusercontent.com',
            identity: `https://${gitHost}/${appPath}/.github/workflows/${signingWorkflow}@refs/heads/main`,
            workflowPath: `.github/workflows/${signingWorkflow}`,
          };
  const ci: CiModel = {
    vendor,
    gitHost,
    signing,
    gitTokenAuth: vendor === 'github_actions' ? { header: 'basic', user: 'x-access-token' } : vendor === 'gitlab_ci' ? { header: 'basic', user: 'oauth2' } : { header: 'bearer' },
    gitTokenEnv: 'CONFIG_REPO_TOKEN',
  };

  const kustomize = ['kubernetes', 'unknown'].includes(p.infra.orchestrator);
  const tool = p.cd_strategy === 'push' || p.cd_strategy === 'manual' || !kustomize ? 'none' : p.gitops_tool === 'flux' ? 'flux' : 'argocd';
  const { kind, targets } = targetsOf(p, given);
  if (given.environments === undefined && tool !== 'none') {
    defaults.push({ value: IN_CLUSTER, field: '/delivery/environments', placeholder: false, replaceWith: 'the cluster of each target (delivery.environments[].cluster_server)' });
  }
  const basePath = (service: string): string => `apps/${service}/base`;
  const overlayPath = (service: string, target: string): string => `apps/${service}/overlays/${target}`;
  const imageFile = (service: string, target: string): string => `releases/${target}/${service}.image`;
  return {
    organization,
    appRepo: repo(gitHost, vendor, appPath),
    configRepo: repo(gitHost, vendor, configPath),
    registry,
    services,
    targets,
    targetKind: kind,
    ci,
    gitops: {
      tool,
      kustomize,
      configDir: 'gitops-config',
      basePath,
      overlayPath,
      imageFile,
      promotionFile: (service: string, target: string) => (kustomize ? `${overlayPath(service, target)}/kustomization.yaml` : imageFile(service, target)),
      // The blueprint mode writes the release pipeline and the promotion script every deploy stage runs.
      promotionScript: selectedModes.includes('blueprint') ? PROMOTION_SCRIPT : null,
      // Without an operator the GitOps mode writes the scripted deploy that applies what promotion committed.
      deployScript: tool === 'none' && selectedModes.includes('gitops') ? DEPLOY_SCRIPT : null,
    },
    cloud,
    oidc,
    apiHost,
    riskAcceptanceLog,
    unpromotedDigest: `sha256:${'0'.repeat(64)}`,
    defaults,
  };
}


/**
 * The placeholders the files really contain: each marked default, with the files it appears in
 * (as written or regex-escaped). Defaults no file uses are not listed.
 */
export function placeholdersIn(files: readonly { path: string; content: string }[], defaults: readonly DefaultValue[]): Placeholder[] {
  const placeholders: Placeholder[] = [];
  for (const d of defaults) {
    if (!d.placeholder) continue;
    const paths = files.filter((f) => occursIn(f.content, d.value)).map((f) => f.path);
    if (paths.length > 0) placeholders.push({ value: d.value, field: d.field, files: [...new Set(paths)].sort(), replace_with: d.replaceWith });
  }
  return placeholders;
}

/** Section 4 assumption lines for the defaults the files use. */
export function deliveryAssumptions(files: readonly { content: string }[], defaults: readonly DefaultValue[]): string[] {
  return defaults
    .filter((d) => files.some((f) => occursIn(f.content, d.value)))
    .map((d) => `${d.field.slice(1).replaceAll('/', '.')} not given: files use ${d.placeholder ? 'the placeholder' : 'the default'} ${JSON.stringify(d.value)}${d.placeholder ? ' (listed under placeholders)' : ''}; set it to ${d.replaceWith}.`);
}

/** Shell variables naming the one signer a verification accepts (written at the top of generated scripts). */
export function verifyVars(d: DeliverySystem): Record<string, string> {
  return d.ci.signing.kind === 'keyless' ? { CERT_IDENTITY: d.ci.signing.identity, OIDC_ISSUER: d.ci.signing.issuer } : { SIGNING_KEY: d.ci.signing.keyUri };
}

/** The cosign command that accepts `ref` (a quoted shell expression) only if the plan's release signer signed it. */
export function cosignVerifyCommand(d: DeliverySystem, ref: string): string {
  return d.ci.signing.kind === 'keyless'
    ? `cosign verify --certificate-identity "\${CERT_IDENTITY}" --certificate-oidc-issuer "\${OIDC_ISSUER}" ${ref} > /dev/null`
    : `cosign verify --key "\${SIGNING_KEY}" ${ref} > /dev/null`;
}

/** The registry host of the model's registry (`ghcr.io/acme` -> `ghcr.io`). */
export function registryHost(d: DeliverySystem): string {
  return d.registry.split('/')[0] as string;
}

/** Registry login step for GitHub jobs: GHCR with the per-job token, any other registry with the repository's credentials. */
export function githubRegistryLogin(d: DeliverySystem): Record<string, unknown> {
  const ghcr = registryHost(d) === 'ghcr.io';
  return {
    name: `Log in to ${registryHost(d)}`,
    uses: pinnedUses('docker/login-action'),
    with: { registry: registryHost(d), username: ghcr ? '${{ github.actor }}' : '${{ vars.REGISTRY_USERNAME }}', password: ghcr ? '${{ secrets.GITHUB_TOKEN }}' : '${{ secrets.REGISTRY_PASSWORD }}' },
  };
}

/**
 * Azure DevOps steps that put pinned tools on the hosted agent's PATH for the steps after them:
 * the Go toolchain (GoTool task), then `go install module@version` for each tool.
 */
export function azureToolSteps(tools: readonly GoTool[]): Record<string, unknown>[] {
  if (tools.length === 0) return [];
  return [
    { task: 'GoTool@0', displayName: `Go ${GO_VERSION} for the tool installs`, inputs: { version: GO_VERSION } },
    {
      bash: ['set -euo pipefail', ...tools.map((t) => `go install ${GO_TOOLS[t]}`), 'echo "##vso[task.prependpath]$(go env GOPATH)/bin"'].join('\n'),
      displayName: `Install ${tools.join(', ')} (pinned versions)`,
    },
  ];
}

/**
 * Azure DevOps step that logs the agent's Docker in to the model's registry: ACR through the
 * federated Azure service connection, ECR through the AWS OIDC service connection, any other
 * registry through a Docker registry service connection.
 */
/** Azure Pipelines: the condition of a stage or job that runs only for the main branch (releases, signing, promotions). */
export const AZURE_ON_MAIN = "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))";

/** Each CI vendor's condition for a job or stage that runs only on the main branch (signing, promotions). */
export const ON_MAIN_BRANCH = {
  github: "github.ref == 'refs/heads/main'",
  gitlab: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
  azure: "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))",
} as const;

export function azureRegistryLogin(d: DeliverySystem): Record<string, unknown> {
  const host = registryHost(d);
  const acr = /^([a-z0-9]+)\.azurecr\.io$/.exec(host);
  if (acr) {
    return { task: 'AzureCLI@2', displayName: `Log in to ${host}`, inputs: { azureSubscription: 'crm-release-wif', scriptType: 'bash', scriptLocation: 'inlineScript', inlineScript: `az acr login --name ${acr[1]}` } };
  }
  const ecr = /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  if (ecr) {
    return {
      task: 'AWSShellScript@1',
      displayName: `Log in to ${host}`,
      inputs: { awsCredentials: 'crm-release-oidc', regionName: ecr[1], scriptType: 'inline', inlineScript: `aws ecr get-login-password --region ${ecr[1]} | docker login --username AWS --password-stdin ${host}` },
    };
  }
  return { task: 'Docker@2', displayName: `Log in to ${host}`, inputs: { command: 'login', containerRegistry: 'container-registry' } };
}

/**
 * Shell lines that run a tool image (`args` after the image) on the job's checkout as `/work`.
 * On a hosted runner the checkout is mounted. Against GitLab's docker-in-docker service, whose
 * daemon cannot see the job's files, the container is created, the checkout copied in, then
 * started attached, so its exit status is the step's. `flags` go to `docker run`/`docker create`.
 */
export function runOnCheckout(o: { name: string; image: string; args: string; flags?: string; dind: boolean }): string[] {
  const flags = o.flags === undefined ? '' : ` ${o.flags}`;
  return o.dind
    ? [`docker create --name ${o.name} --workdir /work${flags} ${o.image} ${o.args}`, `docker cp . ${o.name}:/work`, `docker start --attach ${o.name}`]
    : [`docker run --rm -v "$PWD:/work:ro" -w /work${flags} ${o.image} ${o.args}`];
}

/**
 * What a GitLab job that drives Docker needs: the pinned Docker CLI image, the docker-in-docker
 * service, and the TLS settings GitLab documents for it (the runner shares `/certs/client`).
 * Spread it into the job; a job with variables of its own spreads `variables` too.
 */
export const GITLAB_DOCKER = {
  image: { name: TOOL_VERSIONS.dockerImage, entrypoint: [''] },
  services: [{ name: TOOL_VERSIONS.dindImage, alias: 'docker' }],
  variables: { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_CERTDIR: '/certs', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs/client' },
} as const;

/**
 * GitLab: signed SLSA provenance for a pushed image, `ref` being its `image@digest` as a shell
 * expression: BuildKit's provenance of the build (the build job pushes it with `--provenance=mode=max`),
 * attested with keyless cosign under the signing job's OIDC identity. The job needs docker-cli-buildx
 * and cosign, and a registry login.
 */
export function gitlabAttestProvenance(ref: string): string[] {
  return [
    `docker buildx imagetools inspect "${ref}" --format "{{ json .Provenance.SLSA }}" > provenance.json`,
    `cosign attest --yes --type slsaprovenance --predicate provenance.json "${ref}"`,
  ];
}

/**
 * GitLab: how jobs authenticate to the model's registry, as shell expressions: the project's own
 * registry with the job's credentials; any other with the masked CI/CD variables REGISTRY_USER
 * and REGISTRY_PASSWORD.
 */
export function gitlabRegistryAuth(d: DeliverySystem): { host: string; user: string; password: string } {
  const host = registryHost(d);
  return host === 'registry.gitlab.com' || host === `registry.${d.ci.gitHost}`
    ? { host: '${CI_REGISTRY}', user: '${CI_REGISTRY_USER}', password: '${CI_REGISTRY_PASSWORD}' }
    : { host, user: '${REGISTRY_USER}', password: '${REGISTRY_PASSWORD}' };
}

/** GitLab: the script line that logs cosign in to the model's registry (to sign, attest or read signatures). */
export function gitlabCosignLogin(d: DeliverySystem): string {
  const a = gitlabRegistryAuth(d);
  return `cosign login "${a.host}" -u "${a.user}" -p "${a.password}"`;
}

/**
 * GitLab: the variables naming each service's image and pushed digest (`IMAGE`/`DIGEST` for one
 * service, `IMAGE_<SERVICE>`/`DIGEST_<SERVICE>` for several), and its `image@digest` as a shell expression.
 */
export function gitlabServiceVars(d: Pick<DeliverySystem, 'services'>, service: ServiceModel): { image: string; digest: string; ref: string } {
  const image = serviceVariableName(d, 'IMAGE', service.name);
  const digest = serviceVariableName(d, 'DIGEST', service.name);
  return { image, digest, ref: `\${${image}}@\${${digest}}` };
}

/** GitLab: the pipeline-level `variables:` holding each service's image (the build, scan and signing jobs read them). */
export function gitlabImageVariables(d: Pick<DeliverySystem, 'services'>): Record<string, string> {
  return Object.fromEntries(d.services.map((s) => [gitlabServiceVars(d, s).image, s.image]));
}

/**
 * GitLab: build each service's image once from its build context and push it with BuildKit's
 * provenance and SBOM (which need the container driver); each pushed digest goes to later jobs in
 * the service's DIGEST variable through a dotenv report (`artifacts: { reports: { dotenv: 'build.env' } }`).
 * Runs in a GITLAB_DOCKER job with the variables of `gitlabImageVariables`.
 */
export function gitlabBuildAndPush(d: DeliverySystem): string[] {
  const a = gitlabRegistryAuth(d);
  return [
    'apk add --no-cache jq',
    `echo "${a.password}" | docker login --username "${a.user}" --password-stdin "${a.host}"`,
    'docker buildx create --use --driver docker-container',
    ...d.services.flatMap((s, i) => {
      const v = gitlabServiceVars(d, s);
      return [
        `docker buildx build --push --provenance=mode=max --sbom=true --metadata-file meta.json --tag "\${${v.image}}:\${CI_COMMIT_SHA}" ${JSON.stringify(s.buildContext)}`,
        `echo "${v.digest}=$(jq -r '."containerimage.digest"' meta.json)" ${i === 0 ? '>' : '>>'} build.env`,
      ];
    }),
  ];
}

/**
 * An Azure DevOps step that runs a bash script (`inline`, or a repository `path` with `args`) under
 * the cloud identity that reaches the signing key: AWS through the OIDC service connection, Azure
 * through the federated one; elsewhere a plain bash step (the key's own credentials in its env).
 */
export function azureCloudScriptStep(d: DeliverySystem, cloud: Cloud, displayName: string, script: { inline: string } | { path: string; args: string }): Record<string, unknown> {
  const inline = 'inline' in script;
  if (cloud === 'aws') {
    return { task: 'AWSShellScript@1', displayName, inputs: { awsCredentials: 'crm-release-oidc', regionName: d.cloud.awsRegion, ...(inline ? { scriptType: 'inline', inlineScript: script.inline } : { scriptType: 'filePath', filePath: script.path, arguments: script.args }) } };
  }
  if (cloud === 'azure') {
    return { task: 'AzureCLI@2', displayName, inputs: { azureSubscription: 'crm-release-wif', scriptType: 'bash', ...(inline ? { scriptLocation: 'inlineScript', inlineScript: script.inline } : { scriptLocation: 'scriptPath', scriptPath: script.path, arguments: script.args }) } };
  }
  return { bash: inline ? script.inline : `bash ${script.path} ${script.args}`, displayName };
}
