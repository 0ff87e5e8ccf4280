import { describe, expect, it } from 'vitest';
import { DIGEST, errorsOf, issuesOf, messages, spec } from './helpers.js';

const k8s = (documents: unknown[]) => spec('app.yaml', 'k8s/app.yaml', { format: 'yaml', schema: 'kubernetes', header: 'test', documents });

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'web', image: `registry.example.com/web@${DIGEST}`, ports: [{ containerPort: 8080 }] }] },
    },
  },
};
const ingress = (backend: unknown, apiVersion = 'networking.k8s.io/v1') => ({
  apiVersion,
  kind: 'Ingress',
  metadata: { name: 'api' },
  spec: { rules: [{ host: 'api.example.com', http: { paths: [{ path: '/new', pathType: 'Prefix', backend }] } }] },
});
const goodBackend = { service: { name: 'new-svc', port: { number: 80 } } };

describe('Kubernetes family manifests (kubernetes-models)', () => {
  it('accepts current core, Argo Rollouts, Argo CD, Istio v1, Flux and PDB objects', async () => {
    const docs = [
      deployment,
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
      ingress(goodBackend),
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, strategy: { canary: { steps: [{ setWeight: 5 }, { pause: { duration: '10m' } }] } } },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'web' },
        spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web', subset: 'stable' }, weight: 95 }, { destination: { host: 'web', subset: 'canary' }, weight: 5 }] }] },
      },
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'crm', namespace: 'argocd' },
        spec: { project: 'default', source: { repoURL: 'https://git.example.com/crm.git', path: 'deploy', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'crm' }, syncPolicy: { automated: { selfHeal: true, prune: true } } },
      },
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'crm', namespace: 'flux-system' }, spec: { interval: '1m', url: 'https://git.example.com/crm.git', ref: { branch: 'main' } } },
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'crm', namespace: 'flux-system' }, spec: { interval: '5m', path: './deploy', prune: true, sourceRef: { kind: 'GitRepository', name: 'crm' } } },
    ];
    const issues = await issuesOf(k8s(docs));
    expect(messages(issues)).toBe('');
  });

  it('rejects an Ingress backend with the removed serviceName', async () => {
    const errors = await errorsOf(k8s([ingress({ serviceName: 'new-svc', servicePort: 80 })]));
    expect(messages(errors)).toMatch(/`serviceName` was removed/);
    expect(messages(errors)).toMatch(/needs `service.name`/);
  });

  it('rejects removed and outdated apiVersions', async () => {
    expect(messages(await errorsOf(k8s([ingress(goodBackend, 'networking.k8s.io/v1beta1')])))).toMatch(/networking.k8s.io\/v1beta1 removed in Kubernetes 1.22; use networking.k8s.io\/v1/);
    expect(messages(await errorsOf(k8s([ingress(goodBackend, 'extensions/v1beta1')])))).toMatch(/extensions\/v1beta1 removed/);
    const pdb = { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec: { minAvailable: 1 } };
    expect(messages(await errorsOf(k8s([pdb])))).toMatch(/policy\/v1beta1 removed in Kubernetes 1.25/);
    const vs = { apiVersion: 'networking.istio.io/v1alpha3', kind: 'VirtualService', metadata: { name: 'x' }, spec: { hosts: ['x'] } };
    expect(messages(await errorsOf(k8s([vs])))).toMatch(/networking.istio.io\/v1alpha3 outdated/);
  });

  it('rejects unknown top-level keys, which the models let through', async () => {
    expect(messages(await errorsOf(k8s([{ ...deployment, specs: {} }])))).toMatch(/unknown top-level key `specs` for Deployment/);
  });

  it('rejects objects that break their schema, with the path', async () => {
    const bad = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
    expect(messages(await errorsOf(k8s([bad])))).toMatch(/\/spec\/replicas must be integer/);
    expect(messages(await errorsOf(k8s([{ apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'x' }, spec: {} }])))).toMatch(/apps\/v1 has no kind Deploymnt/);
    expect(messages(await errorsOf(k8s([{ apiVersion: 'v1', kind: 'ConfigMap', data: {} }])))).toMatch(/`metadata` is missing/);
  });

  it('warns, and does not fail, on a CRD it has no model for', async () => {
    const issues = await issuesOf(k8s([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} }]));
    expect(issues.map((i) => i.severity)).toEqual(['warning']);
  });

  describe('Kyverno CEL policies (policies.kyverno.io/v1, no typed model: structural check)', () => {
    const match = { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] };
    const validating = {
      apiVersion: 'policies.kyverno.io/v1',
      kind: 'ValidatingPolicy',
      metadata: { name: 'require-digest' },
      spec: { validationActions: ['Deny'], matchConstraints: match, validations: [{ expression: "object.spec.containers.all(c, c.image.contains('@sha256:'))", message: 'pin by digest' }] },
    };
    const mutating = {
      apiVersion: 'policies.kyverno.io/v1',
      kind: 'MutatingPolicy',
      metadata: { name: 'add-label' },
      spec: { matchConstraints: match, mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{metadata: Object.metadata{labels: {"a": "b"}}}' } }] },
    };
    const image = {
      apiVersion: 'policies.kyverno.io/v1',
      kind: 'ImageValidatingPolicy',
      metadata: { name: 'verify-signature' },
      spec: { matchConstraints: match, attestors: [{ name: 'keyless', cosign: { keyless: { identities: [{ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/o/r/.github/workflows/release.yml@refs/heads/main' }] } } }], validations: [{ expression: "images.containers.map(i, verifyImageSignatures(i, [attestors.keyless])).all(e, e > 0)" }] },
    };

    it('accepts ValidatingPolicy, MutatingPolicy and ImageValidatingPolicy, with no warning', async () => {
      expect(await issuesOf(k8s([validating, mutating, image]))).toEqual([]);
    });

    it('rejects a kind that does not exist, ClusterPolicy rules, a missing match and entries without CEL', async () => {
      expect(messages(await errorsOf(k8s([{ ...validating, kind: 'ClusterPolicy' }])))).toMatch(/policies.kyverno.io\/v1 has no kind ClusterPolicy/);
      expect(messages(await errorsOf(k8s([{ ...validating, spec: { ...validating.spec, rules: [] } }])))).toMatch(/`spec.rules` belongs to the deprecated kyverno.io\/v1 ClusterPolicy/);
      expect(messages(await errorsOf(k8s([{ ...validating, spec: { validations: validating.spec.validations } }])))).toMatch(/matchConstraints.resourceRules/);
      expect(messages(await errorsOf(k8s([{ ...validating, spec: { ...validating.spec, validations: [{ message: 'no expression' }] } }])))).toMatch(/\/spec\/validations\/0.*needs a CEL `expression`/);
      expect(messages(await errorsOf(k8s([{ ...mutating, spec: { ...mutating.spec, mutations: [{ patchType: 'StrategicMerge' }] } }])))).toMatch(/patchType` must be ApplyConfiguration or JSONPatch/);
      expect(messages(await errorsOf(k8s([{ ...image, spec: { ...image.spec, attestors: [] } }])))).toMatch(/`spec.attestors` is required/);
      expect(messages(await errorsOf(k8s([{ ...validating, spec: { ...validating.spec, validationActions: ['Enforce'] } }])))).toMatch(/validationActions` must list Deny, Audit or Warn/);
    });

    it('warns on the deprecated ClusterPolicy and rejects External Secrets v1beta1, which is no longer served', async () => {
      const clusterPolicy = { apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'old' }, spec: { rules: [] } };
      const warned = await issuesOf(k8s([clusterPolicy]));
      expect(warned.map((i) => i.severity)).toEqual(['warning']);
      expect(messages(warned)).toMatch(/deprecated since Kyverno 1.17.*ValidatingPolicy/);
      const eso = { apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'db' }, spec: {} };
      expect(messages(await errorsOf(k8s([eso])))).toMatch(/external-secrets.io\/v1beta1 no longer served since External Secrets Operator v0.17.0; use external-secrets.io\/v1/);
    });
  });
});
