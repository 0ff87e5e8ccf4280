import { deploySteps } from '../analysis.js';
import { createRule } from '../rule.js';

export const pushDeploy = createRule({
  meta: {
    id: 'push-deploy',
    category: 'clickops-push-deploy',
    severity: 'high',
    description: 'A pipeline deploys by pushing to the cluster itself (kubectl apply, create, replace, patch, set image, rollout restart; helm upgrade or install), so the cluster holds cluster-admin credentials in CI and drifts from Git instead of being reconciled by a GitOps controller.',
    fix: 'Commit the new image digest to the environment\'s GitOps repository and let Argo CD or Flux sync it; CI keeps no cluster credentials.',
    kb: ['KB_06#Scripted_Deploy', 'KB_06#GitOps'],
    risk: 'deployment-failed',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const hit of deploySteps(job)) {
        report(pipeline.file.locIn(hit.run.node, hit.text, hit.offset), `job ${job.id} deploys with "${hit.text.trim()}" instead of a GitOps sync.`);
      }
    }
  },
});
