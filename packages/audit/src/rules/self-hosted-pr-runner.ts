import { isSelfHosted } from '../analysis.js';
import { createRule } from '../rule.js';

const PR_TRIGGERS = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment', 'issue_comment'];

export const selfHostedPrRunner = createRule({
  meta: {
    id: 'self-hosted-pr-runner',
    category: 'runner-risk',
    severity: 'high',
    description: 'A job runs on a self-hosted runner in a workflow that pull requests (including pull requests from forks) or their comments can trigger, so outside code can reach a machine that persists between jobs and sits inside the network.',
    fix: 'Run pull-request jobs on GitHub-hosted runners, or on ephemeral self-hosted runners (one job per VM) in a runner group that public-repository and fork workflows cannot use.',
    kb: ['KB_17#Runners', 'KB_17#Ephemeral_Builders'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    const trigger = PR_TRIGGERS.find((t) => pipeline.triggers.has(t));
    if (!trigger) return;
    for (const job of pipeline.jobs) {
      const label = isSelfHosted(job, pipeline.kind);
      if (label) report(label.node, `job ${job.id} runs on a self-hosted runner and the workflow runs on ${trigger}.`);
    }
  },
});
