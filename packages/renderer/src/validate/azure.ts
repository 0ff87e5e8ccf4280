import { isRecord, parseYamlStream } from './yaml.js';
import { finding, type Finding } from './types.js';

const V = 'azure-pipelines-structure';
const STEP_KEYS = ['script', 'bash', 'pwsh', 'powershell', 'task', 'checkout', 'template', 'download', 'downloadBuild', 'getPackage', 'publish', 'reviewApp'];

function checkSteps(steps: unknown, at: string, out: Finding[]): void {
  if (!Array.isArray(steps) || steps.length === 0) {
    out.push(finding(V, '`steps` must be a non-empty list', at));
    return;
  }
  steps.forEach((step, i) => {
    if (!isRecord(step) || !STEP_KEYS.some((k) => k in step)) out.push(finding(V, `step must be one of ${STEP_KEYS.join(', ')}`, `${at}/${i}`));
  });
}

function checkJobs(jobs: unknown, at: string, out: Finding[]): void {
  if (!Array.isArray(jobs) || jobs.length === 0) {
    out.push(finding(V, '`jobs` must be a non-empty list', at));
    return;
  }
  jobs.forEach((job, i) => {
    const here = `${at}/${i}`;
    if (!isRecord(job)) return void out.push(finding(V, 'a job must be a mapping', here));
    if ('template' in job) return;
    if (!('job' in job) && !('deployment' in job)) out.push(finding(V, 'a job needs `job:` or `deployment:`', here));
    if ('deployment' in job) {
      if (!isRecord(job['strategy'])) out.push(finding(V, 'a deployment job needs `strategy`', here));
    } else checkSteps(job['steps'], `${here}/steps`, out);
  });
}

/**
 * Azure Pipelines YAML: no maintained npm package ships its JSON schema, so this checks the
 * structure only: one of `stages`/`jobs`/`steps` (or `extends`), jobs with steps, steps of a known kind.
 */
export function validateAzurePipelines(content: string): Finding[] {
  const { docs, findings } = parseYamlStream(content, V);
  if (findings.some((f) => f.severity === 'error')) return findings;
  const doc = docs[0];
  if (docs.length !== 1 || !isRecord(doc)) return [...findings, finding(V, 'an Azure Pipelines file is one YAML mapping')];
  if ('stages' in doc) {
    const stages = doc['stages'];
    if (!Array.isArray(stages) || stages.length === 0) findings.push(finding(V, '`stages` must be a non-empty list', '/stages'));
    else
      stages.forEach((stage, i) => {
        if (isRecord(stage) && 'template' in stage) return;
        if (!isRecord(stage) || typeof stage['stage'] !== 'string') findings.push(finding(V, 'a stage needs `stage: <name>`', `/stages/${i}`));
        else checkJobs(stage['jobs'], `/stages/${i}/jobs`, findings);
      });
  } else if ('jobs' in doc) checkJobs(doc['jobs'], '/jobs', findings);
  else if ('steps' in doc) checkSteps(doc['steps'], '/steps', findings);
  else if (!('extends' in doc)) findings.push(finding(V, 'a pipeline needs `stages`, `jobs`, `steps` or `extends`'));
  return findings;
}
