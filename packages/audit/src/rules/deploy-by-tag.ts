import { deploySteps } from '../analysis.js';
import { usesAction } from '../model.js';
import { createRule } from '../rule.js';

/** An image reference with a tag and no digest, as a deploy command names it. */
const TAGGED_IMAGE = /(?:^|[\s=,"'])((?:[\w.-]+(?::\d+)?\/)*[\w.-]+:[\w.${}-]+)(?=$|[\s,"'])/;

export const deployByTag = createRule({
  meta: {
    id: 'deploy-by-tag',
    category: 'unverified-artifacts',
    severity: 'high',
    description: 'A deploy command names the image by tag (kubectl set image name:tag, helm --set image.tag=..., azure/k8s-deploy images with a tag) rather than by digest, so what runs in production is whatever the tag points to at pull time, not the artifact that was built and scanned.',
    fix: 'Deploy the digest the build produced (image@sha256:...), passed from the build job\'s outputs or read from the signed provenance.',
    gitlabFix: 'Deploy the digest the build produced (image@sha256:...), passed from the build job in a dotenv report (artifacts: reports: dotenv) or read from the signed provenance.',
    kb: ['KB_13#Immutable_Tags', 'KB_13#Digest_Pinning', 'KB_01#Build_Once'],
    risk: 'deployment-failed',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const hit of deploySteps(job)) {
        const line = hit.run.value.slice(hit.offset).split('\n')[0]!;
        if (line.includes('@sha256:')) continue;
        const tagSet = /--set(?:-string)?[ =][^\s]*\bimage\.tag=/.exec(line);
        const setImage = /set\s+image\b/.test(hit.text) ? TAGGED_IMAGE.exec(line.slice(hit.text.length)) : null;
        if (tagSet) report(pipeline.file.locIn(hit.run.node, tagSet[0], hit.offset), `job ${job.id} deploys by image tag (${tagSet[0].trim()}), not by digest.`);
        else if (setImage) report(pipeline.file.locIn(hit.run.node, hit.text, hit.offset), `job ${job.id} deploys ${setImage[1]} by tag, not by digest.`);
      }
      for (const step of job.steps) {
        if (!usesAction(step, 'azure/k8s-deploy')) continue;
        const images = step.with.find((e) => e.key === 'images')?.value;
        if (images && !images.value.includes('@sha256:')) report(images.node, `job ${job.id} deploys images by tag, not by digest.`);
      }
    }
  },
});
