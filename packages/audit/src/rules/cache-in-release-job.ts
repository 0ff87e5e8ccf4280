import { cacheRestore, gitlabCacheRestores, isReleaseJob } from '../analysis.js';
import { createRule } from '../rule.js';

export const cacheInReleaseJob = createRule({
  meta: {
    id: 'cache-in-release-job',
    category: 'cache-poisoning',
    severity: 'high',
    description: 'A release or publishing job restores a build cache (actions/cache, a setup-* cache input, docker cache-from, GitLab cache), so an entry written by a less trusted run, such as a pull request, can end up in the published artifact.',
    fix: 'Build release artifacts without restoring caches (cache: false, no cache-from), or scope release caches to protected refs with keys no untrusted workflow can write.',
    kb: ['KB_17#Caching'],
    risk: 'cache-poisoning',
  },
  appliesTo: ['github-workflow', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (!isReleaseJob(job)) continue;
      for (const step of job.steps) {
        const restore = cacheRestore(step);
        if (restore) report(restore.node, `release job ${job.id} restores a cache (${step.uses?.value.split('@')[0] ?? 'cache'}) before it publishes.`);
      }
      if (pipeline.kind === 'gitlab-ci' && job.cache && gitlabCacheRestores(job)) report(job.cache, `release job ${job.id} restores a GitLab cache before it publishes.`);
    }
  },
});
