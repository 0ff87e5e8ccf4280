import type { ArtifactSpec } from './artifacts.js';
import type { DeliverySystem } from './delivery.js';

/**
 * Links the kustomize base of the config repository: modes place Kubernetes files in the base
 * folder (the workload, the Rollout, the traffic split), and this adds the `kustomization.yaml`
 * that lists exactly those files, owned by the mode of the first one. A mode never has to know
 * which files another mode put there.
 */
export function linkKustomizeBase<T extends { spec: ArtifactSpec; mode: string }>(artifacts: readonly T[], delivery: DeliverySystem, make: (spec: ArtifactSpec, mode: string) => T): T[] {
  const folder = `${delivery.gitops.configDir}/${delivery.gitops.basePath}/`;
  const members = artifacts.filter(({ spec }) => spec.path.startsWith(folder) && !spec.path.slice(folder.length).includes('/') && spec.body.format === 'yaml' && spec.body.schema === 'kubernetes');
  const first = members[0];
  if (first === undefined || artifacts.some(({ spec }) => spec.path === `${folder}kustomization.yaml`)) return [...artifacts];
  const spec: ArtifactSpec = {
    name: 'kustomization_base.yaml',
    path: `${folder}kustomization.yaml`,
    type: 'template',
    kb: ['KB_06#GitOps'],
    body: {
      format: 'yaml',
      schema: 'plain',
      header: `The kustomize base of ${delivery.service.name}: every resource the plan puts in this folder. Overlays add the namespace and the promoted digest.`,
      documents: [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: members.map(({ spec: s }) => s.path.slice(folder.length)).sort() }],
    },
  };
  return [...artifacts, make(spec, first.mode)];
}
