import { BUILD_COMMAND, isProductionJob, scriptHits } from '../analysis.js';
import { usesAction } from '../model.js';
import { createRule } from '../rule.js';

export const rebuildForProduction = createRule({
  meta: {
    id: 'rebuild-for-production',
    category: 'unverified-artifacts',
    severity: 'medium',
    description: 'A job that targets a production environment builds the artifact again (docker build, build-push-action, npm run build, mvn package, go build) instead of promoting the artifact that was built, tested and signed earlier.',
    fix: 'Build once, then promote: deploy the digest produced by the build job (passed through job outputs) to each environment.',
    gitlabFix: 'Build once, then promote: deploy the digest produced by the build job (passed in a dotenv report) to each environment.',
    kb: ['KB_01#Build_Once', 'KB_12#Promotion'],
    risk: 'deployment-failed',
  },
  appliesTo: ['github-workflow', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (!isProductionJob(job)) continue;
      for (const step of job.steps) {
        if (usesAction(step, 'docker/build-push-action')) {
          report(step.uses!.node, `production job ${job.id} builds the image again.`);
          break;
        }
        const hit = scriptHits(step, BUILD_COMMAND)[0];
        if (hit) {
          report(pipeline.file.locIn(hit.run.node, hit.text, hit.offset), `production job ${job.id} builds again ("${hit.text.trim()}").`);
          break;
        }
      }
    }
  },
});
