import type { ArtifactSpec } from './artifacts.js';
import { serviceArtifactName, type DeliverySystem } from './delivery.js';

type Planned = { spec: ArtifactSpec; mode: string };

/**
 * Links the files different modes contribute, the way a linker resolves symbols, so that no
 * mode has to know what another one wrote: the kustomize base lists every resource placed in it,
 * and the GitLab pipeline includes every fragment of the plan (with the stages they use).
 */
export function linkPlan(artifacts: readonly Planned[], delivery: DeliverySystem): Planned[] {
  return linkGitlabFragments(linkKustomizeBase(artifacts, delivery));
}

/**
 * Links the kustomize base of each service in the config repository: modes place Kubernetes files
 * in a service's base folder (the workload, the Rollout, the traffic split), and this adds the
 * `kustomization.yaml` that lists exactly those files, owned by the mode of the first one. A mode
 * never has to know which files another mode put there.
 */
export function linkKustomizeBase(artifacts: readonly Planned[], delivery: DeliverySystem): Planned[] {
  let linked = [...artifacts];
  for (const service of delivery.services) linked = linkServiceBase(linked, delivery, service.name);
  return linked;
}

function linkServiceBase(artifacts: Planned[], delivery: DeliverySystem, service: string): Planned[] {
  const folder = `${delivery.gitops.configDir}/${delivery.gitops.basePath(service)}/`;
  const members = artifacts.filter(({ spec }) => spec.path.startsWith(folder) && !spec.path.slice(folder.length).includes('/') && spec.body.format === 'yaml' && spec.body.schema === 'kubernetes');
  const first = members[0];
  if (first === undefined || artifacts.some(({ spec }) => spec.path === `${folder}kustomization.yaml`)) return artifacts;
  const spec: ArtifactSpec = {
    name: serviceArtifactName(delivery, 'kustomization_base.yaml', service),
    path: `${folder}kustomization.yaml`,
    type: 'template',
    kb: ['KB_06#GitOps'],
    body: {
      format: 'yaml',
      schema: 'plain',
      header: `The kustomize base of ${service}: every resource the plan puts in this folder. Overlays add the namespace and the promoted digest.`,
      documents: [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: members.map(({ spec: s }) => s.path.slice(folder.length)).sort() }],
    },
  };
  return [...artifacts, { spec, mode: first.mode }];
}

const GITLAB_PIPELINE = '.gitlab-ci.yml';

/** The `.gitlab-ci.yml` of the plan includes every other GitLab CI file of the plan and defines the stages their jobs use. */
export function linkGitlabFragments(artifacts: readonly Planned[]): Planned[] {
  const main = artifacts.find(({ spec }) => spec.path === GITLAB_PIPELINE);
  if (main === undefined || main.spec.body.format !== 'yaml') return [...artifacts];
  // Every GitLab CI file of the plan, whatever its name (`ci/x.gitlab-ci.yml`, `.gitlab/ci/x.yml`).
  const fragments = artifacts.filter(({ spec }) => spec.path !== GITLAB_PIPELINE && spec.body.format === 'yaml' && (spec.path.endsWith('.gitlab-ci.yml') || spec.body.schema === 'gitlab-ci'));
  if (fragments.length === 0) return [...artifacts];
  const [doc, ...rest] = main.spec.body.documents as Record<string, unknown>[];
  const { include: given, ...pipeline } = doc ?? {};
  const include = [...((given as { local: string }[] | undefined) ?? [])];
  const stages = [...((pipeline['stages'] as string[] | undefined) ?? [])];
  for (const { spec } of fragments) {
    if (!include.some((i) => i.local === spec.path)) include.push({ local: spec.path });
    for (const fragment of (spec.body as { documents: readonly unknown[] }).documents) {
      for (const job of Object.values(fragment as Record<string, unknown>)) {
        const stage = (job as { stage?: unknown } | null)?.stage;
        if (typeof stage === 'string' && !stages.includes(stage)) stages.push(stage);
      }
    }
  }
  const linked: ArtifactSpec = { ...main.spec, body: { ...main.spec.body, documents: [{ include, ...pipeline, stages }, ...rest] } };
  return artifacts.map((a) => (a === main ? { spec: linked, mode: a.mode } : a));
}
