import { isRecord, parseYamlStream } from './yaml.js';
import { finding, type Finding } from './types.js';
import { checkKyvernoPolicy, KYVERNO_POLICIES_API } from './kyverno.js';

const V = 'kubernetes-models';

type ModelClass = new (data: Record<string, unknown>) => { validate(): void };
type ModelModule = Record<string, unknown>;

/**
 * Current API versions and where their models live. Loaded on first use only: each
 * entry is a literal import so that bundlers can follow it.
 */
const MODEL_LOADERS: Readonly<Record<string, () => Promise<ModelModule>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'autoscaling/v1': () => import('kubernetes-models/autoscaling/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'rbac.authorization.k8s.io/v1': () => import('kubernetes-models/rbac.authorization.k8s.io/v1'),
  'admissionregistration.k8s.io/v1': () => import('kubernetes-models/admissionregistration.k8s.io/v1'),
  'apiextensions.k8s.io/v1': () => import('kubernetes-models/apiextensions.k8s.io/v1'),
  'storage.k8s.io/v1': () => import('kubernetes-models/storage.k8s.io/v1'),
  'scheduling.k8s.io/v1': () => import('kubernetes-models/scheduling.k8s.io/v1'),
  'coordination.k8s.io/v1': () => import('kubernetes-models/coordination.k8s.io/v1'),
  'discovery.k8s.io/v1': () => import('kubernetes-models/discovery.k8s.io/v1'),
  'node.k8s.io/v1': () => import('kubernetes-models/node.k8s.io/v1'),
  'certificates.k8s.io/v1': () => import('kubernetes-models/certificates.k8s.io/v1'),
  'argoproj.io/v1alpha1': async () => ({
    ...(await import('@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1')),
    ...(await import('@kubernetes-models/argo-cd/argoproj.io/v1alpha1')),
  }),
  // networking.istio.io/v1 has the same schema as v1beta1 (Istio promoted it unchanged; the
  // models' v1 and v1beta1 validators are identical in @kubernetes-models/istio 3.x, which needs
  // Node 22), so v1 objects are checked with the v1beta1 model.
  'networking.istio.io/v1': () => import('@kubernetes-models/istio/networking.istio.io/v1beta1'),
  'networking.istio.io/v1beta1': () => import('@kubernetes-models/istio/networking.istio.io/v1beta1'),
  'security.istio.io/v1': () => import('@kubernetes-models/istio/security.istio.io/v1'),
  'security.istio.io/v1beta1': () => import('@kubernetes-models/istio/security.istio.io/v1beta1'),
  'telemetry.istio.io/v1alpha1': () => import('@kubernetes-models/istio/telemetry.istio.io/v1alpha1'),
  'source.toolkit.fluxcd.io/v1': () => import('@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1'),
  'source.toolkit.fluxcd.io/v1beta2': () => import('@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1beta2'),
  'kustomize.toolkit.fluxcd.io/v1': () => import('@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1'),
  'helm.toolkit.fluxcd.io/v2beta2': () => import('@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2beta2'),
  'notification.toolkit.fluxcd.io/v1': () => import('@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1'),
  'notification.toolkit.fluxcd.io/v1beta3': () => import('@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3'),
  'image.toolkit.fluxcd.io/v1beta2': () => import('@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1beta2'),
  'monitoring.coreos.com/v1': () => import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1'),
  'monitoring.coreos.com/v1alpha1': () => import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1'),
};

/** The version whose model validates objects of a version we have no model for. */
const MODEL_ALIAS: Readonly<Record<string, string>> = { 'networking.istio.io/v1': 'networking.istio.io/v1beta1' };

/** apiVersions that current clusters no longer serve (error) or that have a newer version (warning). */
const OUTDATED: readonly { apiVersion: string; kinds?: readonly string[]; use: string; severity: 'error' | 'warning'; why: string }[] = [
  { apiVersion: 'extensions/v1beta1', use: 'apps/v1 (workloads) or networking.k8s.io/v1 (Ingress, NetworkPolicy)', severity: 'error', why: 'removed in Kubernetes 1.16/1.22' },
  { apiVersion: 'networking.k8s.io/v1beta1', use: 'networking.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'policy/v1beta1', use: 'policy/v1 (PodDisruptionBudget); PodSecurityPolicy is gone, use Pod Security Admission', severity: 'error', why: 'removed in Kubernetes 1.25' },
  { apiVersion: 'apps/v1beta1', use: 'apps/v1', severity: 'error', why: 'removed in Kubernetes 1.16' },
  { apiVersion: 'apps/v1beta2', use: 'apps/v1', severity: 'error', why: 'removed in Kubernetes 1.16' },
  { apiVersion: 'batch/v1beta1', use: 'batch/v1', severity: 'error', why: 'removed in Kubernetes 1.25' },
  { apiVersion: 'autoscaling/v2beta1', use: 'autoscaling/v2', severity: 'error', why: 'removed in Kubernetes 1.25' },
  { apiVersion: 'autoscaling/v2beta2', use: 'autoscaling/v2', severity: 'error', why: 'removed in Kubernetes 1.26' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', use: 'rbac.authorization.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', use: 'admissionregistration.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', use: 'apiextensions.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'storage.k8s.io/v1beta1', use: 'storage.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22-1.27' },
  { apiVersion: 'certificates.k8s.io/v1beta1', use: 'certificates.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'coordination.k8s.io/v1beta1', use: 'coordination.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', use: 'scheduling.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.22' },
  { apiVersion: 'discovery.k8s.io/v1beta1', use: 'discovery.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.25' },
  { apiVersion: 'events.k8s.io/v1beta1', use: 'events.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.25' },
  { apiVersion: 'node.k8s.io/v1beta1', use: 'node.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.25' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', use: 'flowcontrol.apiserver.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.26' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', use: 'flowcontrol.apiserver.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.29' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', use: 'flowcontrol.apiserver.k8s.io/v1', severity: 'error', why: 'removed in Kubernetes 1.32' },
  // Istio still serves v1alpha3, but Ringmaster generates current APIs only (DESIGN.md): reject.
  { apiVersion: 'networking.istio.io/v1alpha3', use: 'networking.istio.io/v1', severity: 'error', why: 'outdated; v1 is the stable Istio networking API since Istio 1.22' },
  { apiVersion: 'networking.istio.io/v1beta1', use: 'networking.istio.io/v1', severity: 'warning', why: 'superseded by v1 (same schema)' },
  { apiVersion: 'security.istio.io/v1beta1', use: 'security.istio.io/v1', severity: 'warning', why: 'superseded by v1' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1beta1', use: 'source.toolkit.fluxcd.io/v1', severity: 'error', why: 'removed in Flux 2.x' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1beta2', kinds: ['GitRepository', 'HelmRepository', 'HelmChart', 'Bucket'], use: 'source.toolkit.fluxcd.io/v1', severity: 'error', why: 'deprecated since Flux 2.3' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta1', use: 'kustomize.toolkit.fluxcd.io/v1', severity: 'error', why: 'removed in Flux 2.x' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2', use: 'kustomize.toolkit.fluxcd.io/v1', severity: 'error', why: 'deprecated since Flux 2.0' },
  { apiVersion: 'helm.toolkit.fluxcd.io/v2beta1', use: 'helm.toolkit.fluxcd.io/v2', severity: 'error', why: 'deprecated since Flux 2.3' },
  { apiVersion: 'notification.toolkit.fluxcd.io/v1beta1', use: 'notification.toolkit.fluxcd.io/v1beta3 (Alert, Provider) or v1 (Receiver)', severity: 'error', why: 'removed in Flux 2.x' },
  { apiVersion: 'kyverno.io/v1', kinds: ['ClusterPolicy', 'Policy'], use: `${KYVERNO_POLICIES_API} ValidatingPolicy, MutatingPolicy or ImageValidatingPolicy`, severity: 'warning', why: 'deprecated since Kyverno 1.17 (removal planned in 1.20)' },
  { apiVersion: 'external-secrets.io/v1beta1', use: 'external-secrets.io/v1', severity: 'error', why: 'no longer served since External Secrets Operator v0.17.0' },
  { apiVersion: 'notification.toolkit.fluxcd.io/v1beta2', use: 'notification.toolkit.fluxcd.io/v1beta3 (Alert, Provider) or v1 (Receiver)', severity: 'warning', why: 'deprecated since Flux 2.3' },
];

/** Top-level keys each kind may have besides apiVersion, kind and metadata (default: spec). The models do not reject unknown keys. */
const TOP_LEVEL_KEYS: Readonly<Record<string, readonly string[]>> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Role: ['rules'],
  ClusterRole: ['rules', 'aggregationRule'],
  RoleBinding: ['roleRef', 'subjects'],
  ClusterRoleBinding: ['roleRef', 'subjects'],
  StorageClass: ['provisioner', 'parameters', 'reclaimPolicy', 'mountOptions', 'allowVolumeExpansion', 'volumeBindingMode', 'allowedTopologies'],
  PriorityClass: ['value', 'globalDefault', 'description', 'preemptionPolicy'],
  RuntimeClass: ['handler', 'overhead', 'scheduling'],
  ValidatingWebhookConfiguration: ['webhooks'],
  MutatingWebhookConfiguration: ['webhooks'],
  Endpoints: ['subsets'],
  EndpointSlice: ['addressType', 'endpoints', 'ports'],
  PodTemplate: ['template'],
  LimitRange: ['spec'],
  List: ['items'],
};

let loaded = new Map<string, Promise<ModelModule | undefined>>();

function loadModels(apiVersion: string): Promise<ModelModule | undefined> {
  let promise = loaded.get(apiVersion);
  if (!promise) {
    const loader = MODEL_LOADERS[apiVersion];
    promise = loader ? loader() : Promise.resolve(undefined);
    loaded.set(apiVersion, promise);
  }
  return promise;
}

/** For tests: forget loaded models. */
export function resetKubernetesModels(): void {
  loaded = new Map();
}

export function hasKubernetesModel(apiVersion: string): boolean {
  return apiVersion in MODEL_LOADERS;
}

function describe(doc: Record<string, unknown>, index: number): string {
  const meta = isRecord(doc['metadata']) ? doc['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '?';
  return `document ${index + 1} (${String(doc['kind'] ?? '?')}/${name})`;
}

function modelMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'errors' in error && Array.isArray((error as { errors: unknown }).errors)) {
    const errors = (error as { errors: { instancePath?: string; message?: string; params?: unknown }[] }).errors;
    return errors
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && typeof e.params === 'object' && 'allowedValues' in e.params ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})` : ''}`)
      .join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** Ingress backends: networking.k8s.io/v1 has `service: { name, port }`; `serviceName`/`servicePort` were removed. */
function checkIngress(doc: Record<string, unknown>, where: string): Finding[] {
  const out: Finding[] = [];
  const spec = isRecord(doc['spec']) ? doc['spec'] : {};
  const backends: [string, unknown][] = [];
  if (spec['defaultBackend'] !== undefined) backends.push(['/spec/defaultBackend', spec['defaultBackend']]);
  if (spec['backend'] !== undefined) out.push(finding(V, '`spec.backend` was removed with networking.k8s.io/v1beta1; use `spec.defaultBackend`', `${where}: /spec/backend`));
  const rules = Array.isArray(spec['rules']) ? spec['rules'] : [];
  rules.forEach((rule, r) => {
    const paths = isRecord(rule) && isRecord(rule['http']) && Array.isArray(rule['http']['paths']) ? rule['http']['paths'] : [];
    paths.forEach((p, i) => {
      const at = `/spec/rules/${r}/http/paths/${i}`;
      if (!isRecord(p)) return;
      if (typeof p['pathType'] !== 'string') out.push(finding(V, 'every Ingress path needs `pathType` (Prefix, Exact or ImplementationSpecific) in networking.k8s.io/v1', `${where}: ${at}`));
      backends.push([`${at}/backend`, p['backend']]);
    });
  });
  for (const [at, backend] of backends) {
    if (!isRecord(backend)) {
      out.push(finding(V, 'Ingress backend is missing', `${where}: ${at}`));
      continue;
    }
    for (const removed of ['serviceName', 'servicePort']) {
      if (removed in backend) out.push(finding(V, `\`${removed}\` was removed with networking.k8s.io/v1beta1 (Kubernetes 1.22); use \`service: { name, port: { number } }\``, `${where}: ${at}/${removed}`));
    }
    const service = backend['service'];
    if (!isRecord(backend['resource'])) {
      if (!isRecord(service) || typeof service['name'] !== 'string') out.push(finding(V, 'Ingress backend needs `service.name`', `${where}: ${at}`));
      else if (!isRecord(service['port']) || (service['port']['number'] === undefined && service['port']['name'] === undefined)) {
        out.push(finding(V, 'Ingress backend needs `service.port.number` or `service.port.name`', `${where}: ${at}/service`));
      }
    }
  }
  return out;
}

/** Validates one object against its model and the checks the models do not make. */
export async function validateKubernetesObject(doc: unknown, index: number): Promise<Finding[]> {
  const where = `document ${index + 1}`;
  if (!isRecord(doc)) return [finding(V, 'a Kubernetes manifest must be a mapping', where)];
  const here = describe(doc, index);
  const apiVersion = doc['apiVersion'];
  const kind = doc['kind'];
  const out: Finding[] = [];
  if (typeof apiVersion !== 'string' || apiVersion === '') out.push(finding(V, '`apiVersion` is missing', here));
  if (typeof kind !== 'string' || kind === '') out.push(finding(V, '`kind` is missing', here));
  const meta = doc['metadata'];
  if (!isRecord(meta)) out.push(finding(V, '`metadata` is missing', here));
  else if (typeof meta['name'] !== 'string' && typeof meta['generateName'] !== 'string') out.push(finding(V, '`metadata.name` is missing', here));
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return out;

  for (const old of OUTDATED) {
    if (old.apiVersion === apiVersion && (!old.kinds || old.kinds.includes(kind))) {
      out.push(finding(V, `apiVersion ${apiVersion} ${old.why}; use ${old.use}`, here, old.severity));
    }
  }

  const allowed = new Set(['apiVersion', 'kind', 'metadata', ...(TOP_LEVEL_KEYS[kind] ?? ['spec'])]);
  for (const key of Object.keys(doc)) {
    if (allowed.has(key)) continue;
    if (key === 'status') out.push(finding(V, '`status` is written by the controller, not by a manifest', `${here}: /status`, 'warning'));
    else out.push(finding(V, `unknown top-level key \`${key}\` for ${kind} (the API server drops or rejects it)`, `${here}: /${key}`));
  }

  if (apiVersion === 'networking.k8s.io/v1' && kind === 'Ingress') out.push(...checkIngress(doc, here));
  if (apiVersion === KYVERNO_POLICIES_API) return [...out, ...checkKyvernoPolicy(doc, kind, here)];

  const models = await loadModels(apiVersion);
  if (!models) {
    if (!OUTDATED.some((o) => o.apiVersion === apiVersion)) out.push(finding(V, `no schema model for ${apiVersion} ${kind}: checked for apiVersion, kind and metadata only`, here, 'warning'));
    return out;
  }
  const Model = models[kind] as ModelClass | undefined;
  if (typeof Model !== 'function') {
    out.push(finding(V, `${apiVersion} has no kind ${kind}`, here));
    return out;
  }
  const alias = MODEL_ALIAS[apiVersion];
  try {
    new Model(alias ? { ...doc, apiVersion: alias } : doc).validate();
  } catch (error) {
    out.push(finding(V, `${apiVersion} ${kind} does not match its schema: ${modelMessage(error)}`, here));
  }
  return out;
}

export async function validateKubernetes(content: string): Promise<Finding[]> {
  const { docs, findings } = parseYamlStream(content, V);
  if (docs.length === 0 && findings.length === 0) findings.push(finding(V, 'no Kubernetes object in the file'));
  for (const [i, doc] of docs.entries()) findings.push(...(await validateKubernetesObject(doc, i)));
  return findings;
}
