import { scriptHits } from '../analysis.js';
import { usesAction, withValue } from '../model.js';
import { createRule } from '../rule.js';

const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run'];
/** Refs that name the contributor's code rather than the base branch. */
const HEAD_REF = /github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.pull_request\.merge_commit_sha|github\.event\.workflow_run\.head_(?:sha|branch)|refs\/pull\/|github\.event\.pull_request\.head\.repo\.full_name|github\.event\.workflow_run\.head_repository\.full_name/;

const HEAD_FETCH = /\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull\/[^\n]*\/head\b/;

export const untrustedCheckout = createRule({
  meta: {
    id: 'untrusted-checkout',
    category: 'dangerous-triggers',
    severity: 'critical',
    description: 'A workflow triggered by pull_request_target or workflow_run, which runs with the base repository\'s secrets and a write token, checks out the pull request\'s head (or downloads the artifacts of the run that triggered it, which the pull request\'s code wrote) and then runs steps on that untrusted content.',
    fix: 'Run untrusted code under the pull_request trigger (no secrets, read-only token); if the privileged trigger is needed, do not check out the head, or only read it as data in a job without secrets.',
    kb: ['KB_17#Hardening', 'KB_04#Zero_Trust'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    const trigger = PRIVILEGED_TRIGGERS.find((t) => pipeline.triggers.has(t));
    if (!trigger) return;
    for (const job of pipeline.jobs) {
      job.steps.forEach((step, i) => {
        const runsAfter = job.steps.length > i + 1;
        if (usesAction(step, 'actions/checkout')) {
          const target = [withValue(step, 'ref'), withValue(step, 'repository')].find((v) => v && HEAD_REF.test(v.value));
          if (target && runsAfter) report(target.node, `${trigger} workflow checks out the pull request head (${target.value.trim()}) and runs steps on it with the base repository's secrets.`);
        }
        // artifacts of the triggering run: written by the pull request's code in an unprivileged workflow
        const runId = withValue(step, 'run-id') ?? withValue(step, 'run_id');
        const fromTrigger = (usesAction(step, 'actions/download-artifact') && !!runId && /github\.event\.workflow_run\.id/.test(runId.value)) || (usesAction(step, 'dawidd6/action-download-artifact') && trigger === 'workflow_run');
        if (fromTrigger && runsAfter) report(runId?.node ?? step.uses!.node, `${trigger} workflow downloads the triggering run's artifacts, which untrusted code wrote, and runs steps after them with the base repository's secrets.`, { confidence: 'medium' });
        for (const hit of scriptHits(step, HEAD_FETCH)) {
          report(pipeline.file.locIn(hit.run.node, hit.text, hit.offset), `${trigger} workflow fetches the pull request head ("${hit.text}") in a privileged job.`);
        }
      });
    }
  },
});
