import { createRule } from '../rule.js';
import type { Str } from '../model.js';

export const unpinnedImage = createRule({
  meta: {
    id: 'unpinned-image',
    category: 'unpinned-dependencies',
    severity: 'medium',
    description: 'A container image the pipeline runs (job container, service, GitLab image, docker:// action) is referenced by tag instead of by @sha256 digest, so the bytes it runs can change under the same name.',
    fix: 'Reference the image by digest (image: name:tag@sha256:<digest>) and let Renovate or Dependabot update the digest.',
    kb: ['KB_13#Digest_Pinning', 'KB_04#Dependencies'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    const check = (image: Str): void => {
      const value = image.value.trim().replace(/^docker:\/\//, '');
      if (value === '' || value.includes('$') || value.includes('@sha256:')) return;
      report(image.node, `image ${value} is not pinned by digest.`);
    };
    for (const job of pipeline.jobs) {
      for (const image of job.images) check(image);
      for (const step of job.steps) if (step.uses?.value.startsWith('docker://')) check(step.uses);
    }
  },
});
