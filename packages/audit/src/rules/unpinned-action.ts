import { mustReferenceByTag } from '@ringmaster/core';
import { createRule } from '../rule.js';
import type { Str } from '../model.js';

/** Owners whose actions GitHub itself publishes: by release tag they are fine by default, by branch they are not. */
const FIRST_PARTY = new Set(['actions', 'github']);
/** A release tag: v4, v4.2, 4.2.1, v1.0.0-rc.1. */
const VERSION_TAG = /^v?\d+(?:\.\d+)*(?:[-+][\w.-]+)?$/;

export const unpinnedAction = createRule({
  meta: {
    id: 'unpinned-action',
    category: 'unpinned-dependencies',
    severity: 'high',
    description: 'A third-party action or reusable workflow is referenced by a tag or branch instead of a full 40-character commit SHA, so whoever controls that repository can change the code the pipeline runs.',
    fix: 'Pin to the full commit SHA and keep the tag as a comment (uses: owner/repo@<sha> # v4.2.0); let Dependabot or Renovate bump it.',
    kb: ['KB_17#Action_Pinning', 'KB_04#Dependencies'],
    risk: 'dependency-confusion',
  },
  appliesTo: ['github-workflow', 'github-action'],
  check({ pipeline, report, strict }) {
    const check = (uses: Str | undefined): void => {
      if (!uses) return;
      const value = uses.value.trim();
      if (value.startsWith('./') || value.startsWith('docker://') || mustReferenceByTag(value)) return;
      const [path, ref] = value.split('@') as [string, string | undefined];
      if (ref && /^[0-9a-f]{40}$/.test(ref)) return;
      const what = `${path} is referenced by ${ref ? `"${ref}"` : 'no ref'}, not a commit SHA`;
      if (!FIRST_PARTY.has(path.split('/')[0]!.toLowerCase())) report(uses.node, `${what}.`);
      else if (!ref || !VERSION_TAG.test(ref)) report(uses.node, `${what}: a branch moves with every push.`);
      else if (strict) report(uses.node, `${what} (a first-party release tag).`, { confidence: 'low', severity: 'low' });
    };
    for (const job of pipeline.jobs) {
      check(job.uses);
      for (const step of job.steps) check(step.uses);
    }
  },
});
