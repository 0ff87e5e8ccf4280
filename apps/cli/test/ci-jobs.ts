import { parse } from 'yaml';

/**
 * The jobs of a plan's CI files (GitHub Actions, GitLab CI, Azure Pipelines) in one shape, so
 * that properties over the matrix ("every tool a job runs is there", "the gate runs before the
 * deploy") are written once for the three vendors.
 */

export type Vendor = 'github' | 'gitlab' | 'azure';

export interface CiStep {
  /** What the step installs before later steps run (a setup action, a `task:`): tool names. */
  provides: string[];
  /** Shell the step runs, if any. */
  script?: string;
  /** A script file of the repository the step runs (Azure `scriptPath`). */
  scriptFile?: string;
  /** The step logs in to a container registry without a script (docker/login-action, Azure's Docker@2 login). */
  logsIn?: boolean;
  /** Containers the step starts with `docker run IMAGE` are not checked here: their tools are the image's. */
}

export interface CiJob {
  vendor: Vendor;
  file: string;
  id: string;
  /** The container the job's scripts run in (GitLab `image:`, GitHub `container:`), else null: the hosted runner. */
  image: string | null;
  steps: CiStep[];
  /** Ids of the jobs (or stages, on Azure) that must finish first. */
  needs: string[];
  /** Stage (GitLab, Azure), for ordering; null on GitHub. */
  stage: string | null;
  /** The job as the file writes it, for vendor-specific checks. */
  raw: Record<string, unknown>;
}

export function vendorOf(path: string): Vendor | null {
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return 'github';
  if (/(^|\/)\.gitlab-ci\.ya?ml$|\.gitlab-ci\.ya?ml$|^\.gitlab\/ci\/[^/]+\.ya?ml$/.test(path)) return 'gitlab';
  if (/^(azure-pipelines\.ya?ml|\.azure-pipelines\/[^/]+\.ya?ml|pipelines\/[^/]+\.ya?ml)$/.test(path)) return 'azure';
  return null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const lines = (v: unknown): string => list(v).map(String).join('\n');
const imageName = (v: unknown): string | null => (typeof v === 'string' ? v : isObj(v) && typeof v['name'] === 'string' ? v['name'] : null);

/** What a GitHub action makes available to the steps after it. */
export const ACTION_PROVIDES: Readonly<Record<string, readonly string[]>> = {
  'sigstore/cosign-installer': ['cosign'],
  'aquasecurity/setup-trivy': ['trivy'],
  'anchore/sbom-action': ['syft'],
  'anchore/sbom-action/download-syft': ['syft'],
  'open-policy-agent/setup-opa': ['opa'],
  'google-github-actions/setup-gcloud': ['gcloud', 'gsutil'],
  'azure/setup-kubectl': ['kubectl'],
  'imranismail/setup-kustomize': ['kustomize'],
  'docker/setup-buildx-action': [],
};

/** Azure DevOps tasks that install a tool for the steps after them (`KubectlInstaller@0`, ...). */
export const TASK_PROVIDES: Readonly<Record<string, readonly string[]>> = {
  'GoTool@0': ['go'],
  'AzureCLI@2': ['az'],
  'AWSShellScript@1': ['aws'],
  'KubectlInstaller@0': ['kubectl'],
  'HelmInstaller@1': ['helm'],
};

function githubJobs(file: string, doc: Obj): CiJob[] {
  return Object.entries(isObj(doc['jobs']) ? doc['jobs'] : {}).flatMap(([id, job]) => {
    if (!isObj(job) || job['uses'] !== undefined) return [];
    const steps = list(job['steps']).filter(isObj).map((s): CiStep => {
      const uses = typeof s['uses'] === 'string' ? s['uses'].split('@')[0] as string : undefined;
      return { provides: uses !== undefined ? [...(ACTION_PROVIDES[uses] ?? [])] : [], ...(typeof s['run'] === 'string' ? { script: s['run'] } : {}), ...(uses === 'docker/login-action' ? { logsIn: true } : {}) };
    });
    return [{ vendor: 'github' as const, file, id, image: imageName(job['container']), steps, needs: list(job['needs']).map(String), stage: null, raw: job }];
  });
}

const GITLAB_KEYWORDS = new Set(['stages', 'variables', 'default', 'include', 'workflow', 'image', 'services', 'before_script', 'after_script', 'cache', 'spec']);

function gitlabJobs(file: string, doc: Obj): CiJob[] {
  const defaults = isObj(doc['default']) ? doc['default'] : {};
  return Object.entries(doc).flatMap(([id, job]) => {
    if (GITLAB_KEYWORDS.has(id) || id.startsWith('.') || !isObj(job)) return [];
    const script = [lines(job['before_script'] ?? defaults['before_script'] ?? doc['before_script']), lines(job['script'])].filter((s) => s !== '').join('\n');
    return [
      {
        vendor: 'gitlab' as const,
        file,
        id,
        image: imageName(job['image'] ?? defaults['image'] ?? doc['image']),
        steps: [{ provides: [], script }],
        needs: list(job['needs']).map((n) => (isObj(n) ? String(n['job']) : String(n))),
        stage: typeof job['stage'] === 'string' ? job['stage'] : 'test',
        raw: job,
      },
    ];
  });
}

/** Azure expands `$(Build.SourceVersion)`, `$(DIGEST)` macros before the shell runs: they are values, not command substitutions. */
const azureMacros = (script: string): string => script.replace(/\$\((?:[A-Za-z_]\w*(?:\.\w+)+|[A-Z_][A-Z0-9_]*)\)/g, 'MACRO');

function azureSteps(steps: unknown): CiStep[] {
  return list(steps).filter(isObj).map((s): CiStep => {
    const task = typeof s['task'] === 'string' ? s['task'] : undefined;
    const inputs = isObj(s['inputs']) ? s['inputs'] : {};
    const script = typeof s['script'] === 'string' ? s['script'] : typeof s['bash'] === 'string' ? s['bash'] : typeof inputs['inlineScript'] === 'string' ? inputs['inlineScript'] : typeof inputs['script'] === 'string' && task?.startsWith('Bash@') === true ? inputs['script'] : undefined;
    const scriptFile = typeof inputs['scriptPath'] === 'string' ? inputs['scriptPath'] : typeof inputs['filePath'] === 'string' ? inputs['filePath'] : undefined;
    return {
      provides: task !== undefined ? [...(TASK_PROVIDES[task] ?? [])] : [],
      ...(script !== undefined ? { script: azureMacros(script) } : {}),
      ...(scriptFile !== undefined ? { scriptFile } : {}),
      ...(task?.startsWith('Docker@') === true && inputs['command'] === 'login' ? { logsIn: true } : {}),
    };
  });
}

function azureJob(file: string, job: Obj, stage: string | null, stageNeeds: string[]): CiJob {
  const id = String(job['job'] ?? job['deployment'] ?? 'job');
  const strategy = isObj(job['strategy']) ? job['strategy'] : {};
  const lifecycle = Object.values(strategy).find(isObj) ?? {};
  const hookSteps = Object.values(lifecycle).flatMap((hook) => (isObj(hook) ? list(hook['steps']) : []));
  return { vendor: 'azure', file, id, image: imageName(job['container']), steps: azureSteps(job['steps'] ?? hookSteps), needs: [...list(job['dependsOn']).map(String), ...stageNeeds], stage, raw: job };
}

function azureJobs(file: string, doc: Obj): CiJob[] {
  if (Array.isArray(doc['stages'])) {
    const stages = doc['stages'].filter(isObj);
    return stages.flatMap((s, index) => {
      const name = String(s['stage']);
      // A stage without dependsOn depends on the one before it.
      const dependsOn = s['dependsOn'] !== undefined ? list(s['dependsOn']).map(String) : index > 0 ? [String(stages[index - 1]?.['stage'])] : [];
      if (s['template'] !== undefined) return [];
      return list(s['jobs']).filter(isObj).map((j) => azureJob(file, j, name, dependsOn));
    });
  }
  if (Array.isArray(doc['jobs'])) return doc['jobs'].filter(isObj).map((j) => azureJob(file, j, null, []));
  return [{ vendor: 'azure', file, id: 'job', image: null, steps: azureSteps(doc['steps']), needs: [], stage: null, raw: doc }];
}

/** Every job of every CI file of a plan. */
export function ciJobs(files: readonly { path: string; content: string }[]): CiJob[] {
  return files.flatMap((f) => {
    const vendor = vendorOf(f.path);
    if (vendor === null) return [];
    const doc: unknown = parse(f.content);
    if (!isObj(doc)) return [];
    return vendor === 'github' ? githubJobs(f.path, doc) : vendor === 'gitlab' ? gitlabJobs(f.path, doc) : azureJobs(f.path, doc);
  });
}

/** The jobs that must finish before `job` (transitively): by `needs` on GitHub and GitLab; on Azure, the jobs its job depends on in its stage and every job of the stages its stage depends on. */
export function jobsBefore(job: CiJob, all: readonly CiJob[]): CiJob[] {
  const sameFile = all.filter((j) => j.file === job.file || (j.vendor === 'azure' && job.vendor === 'azure'));
  const direct = (j: CiJob): CiJob[] =>
    j.vendor === 'azure'
      ? sameFile.filter((o) => o !== j && ((o.stage === j.stage && j.needs.includes(o.id)) || (o.stage !== null && o.stage !== j.stage && j.needs.includes(o.stage))))
      : sameFile.filter((o) => o.file === j.file && j.needs.includes(o.id));
  const seen = new Set<CiJob>();
  const queue = [job];
  while (queue.length > 0) {
    for (const o of direct(queue.pop() as CiJob)) {
      if (seen.has(o)) continue;
      seen.add(o);
      queue.push(o);
    }
  }
  return [...seen];
}
