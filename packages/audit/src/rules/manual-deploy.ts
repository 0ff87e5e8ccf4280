import { isDeployJob, isProductionJob } from '../analysis.js';
import { createRule } from '../rule.js';

export const manualDeploy = createRule({
  meta: {
    id: 'manual-deploy',
    category: 'clickops-push-deploy',
    severity: 'medium',
    description: 'A deployment starts only by hand: a GitHub workflow whose sole trigger is workflow_dispatch, or a GitLab job with when: manual, deploys or targets a production environment, so what runs depends on a person\'s click and typed inputs rather than on a reviewed change.',
    fix: 'Deploy from a merge to the environment\'s GitOps repository (promotion by pull request with required review); keep manual runs for break-glass only, documented and audited.',
    gitlabFix: 'Deploy from a merge to the environment\'s GitOps repository (promotion by merge request with required approval); keep manual jobs for break-glass only, on protected environments with deployment approvals.',
    kb: ['KB_06#GitOps_Sync', 'KB_11#Change_Approval'],
    risk: 'audit-gap',
  },
  appliesTo: ['github-workflow', 'gitlab-ci'],
  check({ pipeline, report }) {
    if (pipeline.kind === 'gitlab-ci') {
      for (const job of pipeline.jobs) {
        if (job.manual && (isDeployJob(job) || isProductionJob(job))) report(job.manual.node, `job ${job.id} deploys only when someone clicks it (when: manual).`);
      }
      return;
    }
    const dispatch = pipeline.triggers.get('workflow_dispatch');
    if (!dispatch || pipeline.triggers.size !== 1) return;
    const deploying = pipeline.jobs.filter((j) => isDeployJob(j) || isProductionJob(j));
    if (deploying.length > 0) report(dispatch, `the workflow deploys (${deploying.map((j) => j.id).join(', ')}) and runs only on workflow_dispatch.`);
  },
});
