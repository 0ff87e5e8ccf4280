import { isMap, isScalar, isSeq } from 'yaml';
import { get, type Job } from '../model.js';
import { createRule } from '../rule.js';

/** Names of variables that hold credentials. */
const SECRET_NAME = /^(?!CI_)[A-Z0-9_]*(?:TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIALS?|_KEY)$/;
const REF = /\$\{?([A-Z][A-Z0-9_]*)\}?/g;

/** A job that runs in merge-request pipelines: `only: [merge_requests]`, or a rule on merge_request_event that does not exclude the job. */
function mergeRequestTrigger(job: Job): unknown {
  const only = get(job.node, 'only');
  for (const item of isSeq(only) ? only.items : isMap(only) ? (isSeq(get(only, 'refs')) ? (get(only, 'refs') as { items: unknown[] }).items : []) : [only]) {
    if (isScalar(item) && item.value === 'merge_requests') return item;
  }
  const rules = get(job.node, 'rules');
  for (const rule of isSeq(rules) ? rules.items : []) {
    const cond = get(rule, 'if');
    const when = get(rule, 'when');
    if (isScalar(cond) && typeof cond.value === 'string' && /\$CI_PIPELINE_SOURCE\s*==\s*["']merge_request_event["']|\$CI_MERGE_REQUEST_(?:IID|ID)\b(?!\s*==\s*null)/.test(cond.value) && !(isScalar(when) && when.value === 'never')) return cond;
  }
  return undefined;
}

export const protectedVariableInMr = createRule({
  meta: {
    id: 'protected-variable-in-mr',
    category: 'secrets-sprawl',
    severity: 'high',
    description: 'A GitLab job that runs in merge-request pipelines, where the merge request\'s own code and .gitlab-ci.yml run, reads a credential variable (a name ending in TOKEN, PASSWORD, SECRET or KEY), which is either unprotected and so exposed to any branch, or protected and so empty there.',
    fix: 'Mark the variable Protected and Masked and read it only in jobs that run on protected branches or tags (rules: - if: $CI_COMMIT_REF_PROTECTED == "true"); keep merge-request jobs free of credentials.',
    kb: ['KB_05#Secret_Stores'],
    risk: 'static-secret-leak',
    confidence: 'medium',
  },
  appliesTo: ['gitlab-ci'],
  check({ pipeline, report }) {
    const defined = new Set(pipeline.env.map((e) => e.key));
    for (const job of pipeline.jobs) {
      if (!mergeRequestTrigger(job)) continue;
      const local = new Set([...defined, ...job.env.map((e) => e.key)]);
      const first = job.steps.flatMap((step) => [...step.run!.value.matchAll(REF)].map((m) => ({ step, m }))).find(({ m }) => SECRET_NAME.test(m[1]!) && !local.has(m[1]!));
      if (first) report(pipeline.file.locIn(first.step.run!.node, first.m[0], first.m.index), `job ${job.id} runs in merge-request pipelines and reads $${first.m[1]}.`);
    }
  },
});
