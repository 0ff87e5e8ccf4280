import { jobStrings, secretRefs } from '../analysis.js';
import { createRule } from '../rule.js';

export const secretOutsideEnvironment = createRule({
  meta: {
    id: 'secret-outside-environment',
    category: 'secrets-sprawl',
    severity: 'low',
    description: 'A job (other than a reusable-workflow call) reads a repository secret (other than GITHUB_TOKEN) without running in a GitHub environment, so the secret is not gated by environment protection rules (required reviewers, protected branches) and any workflow on any branch can read it.',
    fix: 'Move the secret to an environment secret and add environment: <name> with protection rules to the job that needs it.',
    kb: ['KB_05#Secret_Stores', 'KB_12#Environments'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      // a job that calls a reusable workflow cannot set environment:; the called jobs should
      if (job.environment || job.uses) continue;
      for (const s of jobStrings(job)) {
        const name = secretRefs(s.value).find((n) => n !== 'GITHUB_TOKEN');
        if (name) {
          report(pipeline.file.locIn(s.node, 'secrets.'), `job ${job.id} reads secrets.${name} outside a protected environment.`);
          break;
        }
      }
    }
  },
});
