import { ancestors, cacheRestore, gitlabCacheRestores, isReleaseJob, releaseTrigger } from '../analysis.js';
import { get, type Job } from '../model.js';
import { createRule } from '../rule.js';

/** A GitLab job that publishes: a `release:` keyword, or it runs only for tags. */
function isGitlabReleaseJob(job: Job, publishes: (j: Job) => boolean): boolean {
  if (publishes(job) || get(job.node, 'release')) return true;
  const only = get(job.node, 'only');
  if (only && /"tags"/.test(JSON.stringify(only.toJSON()))) return true;
  const rules = get(job.node, 'rules');
  return !!rules && /\$CI_COMMIT_TAG\b(?!\s*==\s*null)/.test(JSON.stringify(rules.toJSON()));
}

export const cacheInReleaseJob = createRule({
  meta: {
    id: 'cache-in-release-job',
    category: 'cache-poisoning',
    severity: 'high',
    description: 'A publishing workflow (one that runs on release, tag pushes or pushes to release branches, or a job that publishes and the jobs it needs) restores a build cache (actions/cache, a setup action with caching on, an always-caching action such as Swatinem/rust-cache, docker cache-from, a GitLab cache), so an entry written by a less trusted run, such as a pull request, can end up in the published artifact.',
    fix: 'Build release artifacts without restoring caches (cache: false, no cache-from, drop always-caching actions from release jobs), or scope release caches to protected refs with keys no untrusted workflow can write.',
    gitlabFix: 'Give release jobs cache: [] (or cache: { policy: push }), or use a cache key no merge-request pipeline can write, such as one scoped to protected tags with $CI_COMMIT_REF_PROTECTED.',
    kb: ['KB_17#Caching'],
    risk: 'cache-poisoning',
  },
  appliesTo: ['github-workflow', 'gitlab-ci'],
  check({ pipeline, report, knowledge }) {
    const publishes = (j: Job): boolean => isReleaseJob(j, knowledge);
    if (pipeline.kind === 'gitlab-ci') {
      for (const job of pipeline.jobs) {
        if (job.cache && gitlabCacheRestores(job) && isGitlabReleaseJob(job, publishes)) report(job.cache, `release job ${job.id} restores a GitLab cache before it publishes.`);
      }
      return;
    }
    const trigger = releaseTrigger(pipeline);
    const why = new Map<Job, string>();
    for (const job of pipeline.jobs) {
      if (!publishes(job)) continue;
      why.set(job, `release job ${job.id}`);
      for (const before of ancestors(pipeline, job)) if (!why.has(before)) why.set(before, `job ${before.id}, which release job ${job.id} needs,`);
    }
    for (const job of pipeline.jobs) {
      const who = why.get(job) ?? (trigger ? `job ${job.id} of a workflow that ${trigger.why}` : undefined);
      if (!who) continue;
      for (const step of job.steps) {
        const restore = cacheRestore(step, knowledge);
        if (restore) report(restore.node, `${who} restores a cache (${step.uses!.value.split('@')[0]}), which a less trusted run can poison.`, { confidence: restore.confidence });
      }
    }
  },
});
