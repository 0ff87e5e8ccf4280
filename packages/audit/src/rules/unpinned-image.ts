import { expressionsIn, normalizeExpression } from '../analysis.js';
import { createRule } from '../rule.js';
import { matrixOf, type Job, type Str } from '../model.js';

const MATRIX_ONLY = /^\s*matrix\.([A-Za-z_][\w-]*)\s*$/;

export const unpinnedImage = createRule({
  meta: {
    id: 'unpinned-image',
    category: 'unpinned-dependencies',
    severity: 'medium',
    description: 'A container image the pipeline runs (job container, service, GitLab image or service, docker:// action, or an image named by a matrix value) is referenced by tag instead of by @sha256 digest, so the bytes it runs can change under the same name.',
    fix: 'Reference the image by digest (image: name:tag@sha256:<digest>) and let Renovate or Dependabot update the digest.',
    gitlabFix: 'Reference the image by digest (image: name:tag@sha256:<digest>) and let Renovate update the digest.',
    kb: ['KB_13#Digest_Pinning', 'KB_04#Dependencies'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['github-workflow', 'github-action', 'gitlab-ci'],
  check({ pipeline, report }) {
    const check = (value: string, at: Str): void => {
      const image = value.trim().replace(/^docker:\/\//, '');
      if (image === '' || image.includes('$') || image.includes('@sha256:')) return;
      report(at.node, `image ${image} is not pinned by digest.`);
    };
    /** An image named through `${{ matrix.key }}`: each matrix value put in its place, reported at the value. */
    const checkTemplate = (job: Job, image: Str): void => {
      const exprs = expressionsIn(image.value);
      const keys = exprs.map((e) => MATRIX_ONLY.exec(normalizeExpression(e.body))?.[1]);
      if (exprs.length !== 1 || !keys[0]) return;
      const expr = exprs[0]!;
      const end = image.value.indexOf('}}', expr.offset) + 2;
      for (const v of matrixOf(job).values.get(keys[0]) ?? []) check(image.value.slice(0, expr.offset) + v.value + image.value.slice(end), v);
    };
    for (const job of pipeline.jobs) {
      for (const image of job.images) {
        if (image.value.includes('${{')) checkTemplate(job, image);
        else check(image.value, image);
      }
      for (const step of job.steps) if (step.uses?.value.startsWith('docker://')) check(step.uses.value, step.uses);
    }
  },
});
