import { jobHits, jobStrings } from '../analysis.js';
import { usesAction, type Job } from '../model.js';
import { createRule } from '../rule.js';

/** For each scope this rule judges: what in a job shows that it needs write access. */
const NEEDS: Record<string, (job: Job) => boolean> = {
  contents: (job) =>
    jobHits(job, /\bgit\s+push\b|\bgh\s+pr\s+merge\b|\bgh\s+release\b|\bgoreleaser\b|\bsemantic-release\b|\bchangeset\s+(?:publish|tag)\b|\bgit\s+tag\b/).length > 0 ||
    job.steps.some((s) => usesAction(s, 'softprops/action-gh-release', 'ncipollo/release-action', 'goreleaser/goreleaser-action', 'changesets/action', 'stefanzweifel/git-auto-commit-action', 'peter-evans/create-pull-request', 'googleapis/release-please-action', 'google-github-actions/release-please-action', 'peaceiris/actions-gh-pages', 'endbug/add-and-commit', 'ad-m/github-push-action')),
  packages: (job) =>
    jobStrings(job).some((s) => /\bghcr\.io\b|npm\.pkg\.github\.com|maven\.pkg\.github\.com/.test(s.value)) ||
    job.steps.some((s) => usesAction(s, 'actions/delete-package-versions')),
  'pull-requests': (job) =>
    jobHits(job, /\bgh\s+pr\b/).length > 0 ||
    job.steps.some((s) => usesAction(s, 'peter-evans/create-pull-request', 'marocchino/sticky-pull-request-comment', 'thollander/actions-comment-pull-request', 'googleapis/release-please-action', 'changesets/action', 'actions/labeler', 'peter-evans/create-or-update-comment')),
  issues: (job) =>
    jobHits(job, /\bgh\s+issue\b/).length > 0 ||
    job.steps.some((s) => usesAction(s, 'peter-evans/create-or-update-comment', 'actions/stale', 'peter-evans/create-issue-from-file')),
};

/** Jobs whose needs this rule cannot see: reusable-workflow calls and github-script (any API call). */
function opaque(job: Job): boolean {
  return !!job.uses || job.steps.some((s) => usesAction(s, 'actions/github-script') || (!!s.uses && s.uses.value.startsWith('./')));
}

export const unneededWriteScope = createRule({
  meta: {
    id: 'unneeded-write-scope',
    category: 'excessive-permissions',
    severity: 'medium',
    description: 'A contents, packages, pull-requests or issues write scope is granted to a job (or to the whole workflow) whose steps never push, release, publish to GitHub Packages, or comment, so the token can do more than the job does.',
    fix: 'Drop the scope to read (or remove it) and grant write only on the job that pushes, releases, publishes or comments.',
    kb: ['KB_17#Hardening'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (opaque(job) || !job.permissions) continue;
      for (const scope of job.permissions.scopes) {
        const needs = NEEDS[scope.key];
        if (needs && scope.value?.value === 'write' && !needs(job)) report(scope.keyNode, `job ${job.id} has ${scope.key}: write but no step that needs it.`);
      }
    }
    const inheriting = pipeline.jobs.filter((j) => !j.permissions);
    for (const scope of pipeline.permissions?.scopes ?? []) {
      const needs = NEEDS[scope.key];
      if (!needs || scope.value?.value !== 'write') continue;
      const idle = inheriting.filter((j) => !opaque(j) && !needs(j));
      if (idle.length > 0) report(scope.keyNode, `workflow-level ${scope.key}: write reaches job(s) ${idle.map((j) => j.id).join(', ')}, which do not need it.`);
    }
  },
});
