import { jobHits, jobStrings } from '../analysis.js';
import { usesAction, type Job } from '../model.js';
import { createRule } from '../rule.js';

/** What shows that a job needs a scope's write access: commands in its scripts, actions it uses, strings it holds. */
interface ScopeNeed {
  commands?: RegExp;
  actions?: readonly string[];
  strings?: RegExp;
}

/** For each write scope this rule judges: what in a job needs it. */
export const SCOPE_NEEDS: Readonly<Record<string, ScopeNeed>> = {
  contents: {
    commands: /\bgit\s+push\b|\bgh\s+pr\s+merge\b|\bgh\s+release\b|\bgoreleaser\b|\bsemantic-release\b|\brelease-it\b|\bchangeset\s+(?:publish|tag)\b|\bgit\s+tag\b/,
    actions: [
      'softprops/action-gh-release', 'ncipollo/release-action', 'svenstaro/upload-release-action', 'actions/create-release', 'actions/upload-release-asset', 'marvinpinto/action-automatic-releases',
      'goreleaser/goreleaser-action', 'changesets/action', 'cycjimmy/semantic-release-action', 'stefanzweifel/git-auto-commit-action', 'peter-evans/create-pull-request', 'googleapis/release-please-action',
      'google-github-actions/release-please-action', 'peaceiris/actions-gh-pages', 'jamesives/github-pages-deploy-action', 'endbug/add-and-commit', 'ad-m/github-push-action', 'release-drafter/release-drafter',
    ],
  },
  packages: { strings: /\bghcr\.io\b|npm\.pkg\.github\.com|maven\.pkg\.github\.com|nuget\.pkg\.github\.com|rubygems\.pkg\.github\.com/, actions: ['actions/delete-package-versions'] },
  'pull-requests': {
    commands: /\bgh\s+pr\b/,
    actions: ['peter-evans/create-pull-request', 'marocchino/sticky-pull-request-comment', 'thollander/actions-comment-pull-request', 'googleapis/release-please-action', 'changesets/action', 'actions/labeler', 'peter-evans/create-or-update-comment', 'release-drafter/release-drafter', 'dependabot/fetch-metadata'],
  },
  issues: { commands: /\bgh\s+issue\b/, actions: ['peter-evans/create-or-update-comment', 'actions/stale', 'peter-evans/create-issue-from-file', 'actions/labeler'] },
  checks: { actions: ['dorny/test-reporter', 'enricomi/publish-unit-test-result-action', 'mikepenz/action-junit-report', 'reviewdog'] },
  statuses: { commands: /\/statuses\//, actions: ['myrotvorets/set-commit-status-action', 'ouzi-dev/commit-status-updater'] },
  'security-events': { actions: ['github/codeql-action/upload-sarif', 'github/codeql-action/analyze', 'ossf/scorecard-action'] },
  pages: { actions: ['actions/deploy-pages'] },
  attestations: { commands: /\bgh\s+attestation\s+(?:sign|create)\b/, actions: ['actions/attest-build-provenance', 'actions/attest', 'actions/attest-sbom'] },
  actions: { commands: /\bgh\s+(?:run\s+(?:cancel|rerun|delete)|workflow\s+(?:run|enable|disable)|cache\s+delete)\b/, actions: ['styfle/cancel-workflow-action', 'actions/delete-package-versions'] },
  deployments: { actions: ['chrnorm/deployment-action', 'chrnorm/deployment-status', 'bobheadxi/deployments'] },
};

export function needsWrite(job: Job, scope: string): boolean | undefined {
  const need = SCOPE_NEEDS[scope];
  if (!need) return undefined;
  return (
    (!!need.commands && jobHits(job, need.commands).length > 0) ||
    (!!need.actions && job.steps.some((s) => usesAction(s, ...need.actions!))) ||
    (!!need.strings && jobStrings(job).some((s) => need.strings!.test(s.value)))
  );
}

const GH_API = /\bgh\s+api\b/;

/** Jobs whose needs this rule cannot see: reusable-workflow calls (see reusable-workflow-permissions), github-script and gh api (any API call), local actions. */
function opaque(job: Job): boolean {
  return !!job.uses || jobHits(job, GH_API).length > 0 || job.steps.some((s) => usesAction(s, 'actions/github-script') || (!!s.uses && s.uses.value.startsWith('./')));
}

export const unneededWriteScope = createRule({
  meta: {
    id: 'unneeded-write-scope',
    category: 'excessive-permissions',
    severity: 'medium',
    description: 'A write scope (contents, packages, pull-requests, issues, checks, statuses, security-events, pages, attestations, actions, deployments) is granted to a job, broadening the workflow\'s permissions, or to the whole workflow, while the job\'s steps never do what needs it (push, release, publish to GitHub Packages, comment, report checks, upload SARIF, deploy Pages, attest).',
    fix: 'Drop the scope to read (or remove it) and grant write only on the job that pushes, releases, publishes or comments.',
    kb: ['KB_17#Hardening'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    const workflowWrites = new Set((pipeline.permissions?.scopes ?? []).filter((s) => s.value?.value === 'write').map((s) => s.key));
    for (const job of pipeline.jobs) {
      if (opaque(job) || !job.permissions) continue;
      for (const scope of job.permissions.scopes) {
        if (scope.value?.value !== 'write' || needsWrite(job, scope.key) !== false) continue;
        const broadens = pipeline.permissions && !workflowWrites.has(scope.key) ? `, broadening the workflow's ${scope.key} permission,` : '';
        report(scope.keyNode, `job ${job.id} has ${scope.key}: write${broadens} but no step that needs it.`);
      }
    }
    const inheriting = pipeline.jobs.filter((j) => !j.permissions);
    for (const scope of pipeline.permissions?.scopes ?? []) {
      if (scope.value?.value !== 'write') continue;
      const idle = inheriting.filter((j) => !opaque(j) && needsWrite(j, scope.key) === false);
      if (idle.length > 0) report(scope.keyNode, `workflow-level ${scope.key}: write reaches job(s) ${idle.map((j) => j.id).join(', ')}, which do not need it.`);
    }
  },
});
