import { isEphemeralLabelled, isReleaseJob, isSelfHosted } from '../analysis.js';
import { createRule } from '../rule.js';

export const nonEphemeralReleaseRunner = createRule({
  meta: {
    id: 'non-ephemeral-release-runner',
    category: 'runner-risk',
    severity: 'high',
    description: 'A release job (one that publishes an image, package or release) runs on a self-hosted runner with no ephemeral label, so a previous job can leave code or credentials behind that taint the release.',
    fix: 'Build releases on GitHub-hosted runners or on ephemeral self-hosted runners (one job per fresh VM or pod, e.g. Actions Runner Controller with ephemeral runners) and label them so.',
    gitlabFix: 'Build releases on GitLab-hosted runners (saas-linux-*) or on autoscaled runners that use a fresh VM or pod per job, and tag them so.',
    kb: ['KB_17#Ephemeral_Builders', 'KB_17#Runners'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (!isReleaseJob(job) || isEphemeralLabelled(job)) continue;
      const label = isSelfHosted(job, pipeline.kind);
      if (label) report(label.node, `release job ${job.id} runs on a self-hosted runner (${label.value}) not marked ephemeral.`);
    }
  },
});
