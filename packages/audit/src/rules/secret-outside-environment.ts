import { isReleaseJob, jobStrings, secretRefs } from '../analysis.js';
import type { Job, Pipeline } from '../model.js';
import { createRule } from '../rule.js';

export const secretOutsideEnvironment = createRule({
  meta: {
    id: 'secret-outside-environment',
    category: 'secrets-sprawl',
    severity: 'low',
    description: 'A job (other than a reusable-workflow call) reads a repository secret (other than GITHUB_TOKEN, or a registry\'s publishing token in a trusted-publishing job) without running in a GitHub environment, so the secret is not gated by environment protection rules (required reviewers, protected branches) and any workflow on any branch can read it.',
    fix: 'Move the secret to an environment secret and add environment: <name> with protection rules to the job that needs it.',
    kb: ['KB_05#Secret_Stores', 'KB_12#Environments'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report, knowledge }) {
    /** A publishing job with id-token: write: a registry's own token there is the trusted-publishing fallback, not sprawl. */
    const trustedPublishing = (job: Job, p: Pipeline): boolean =>
      isReleaseJob(job, knowledge) && (job.permissions ?? p.permissions)?.scopes.some((s) => s.key === 'id-token' && s.value?.value === 'write') === true;
    for (const job of pipeline.jobs) {
      // a job that calls a reusable workflow cannot set environment:; the called jobs should
      if (job.environment || job.uses) continue;
      const allowed = trustedPublishing(job, pipeline) ? knowledge.registryTokens : new Set<string>();
      for (const s of jobStrings(job)) {
        const name = secretRefs(s.value).find((n) => n !== 'GITHUB_TOKEN' && !allowed.has(n));
        if (name) {
          report(pipeline.file.locIn(s.node, 'secrets.'), `job ${job.id} reads secrets.${name} outside a protected environment.`);
          break;
        }
      }
    }
  },
});
