import { createRule } from '../rule.js';

export const missingPermissions = createRule({
  meta: {
    id: 'missing-permissions',
    category: 'excessive-permissions',
    severity: 'medium',
    description: 'A job runs with no permissions block, neither its own nor the workflow\'s, so its GITHUB_TOKEN gets the repository default, which may be read-write on every scope.',
    fix: 'Add permissions: { contents: read } at the top of the workflow and grant each job only the write scopes it uses.',
    kb: ['KB_17#Hardening', 'KB_05#Secrets'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    if (pipeline.permissions) return;
    for (const job of pipeline.jobs) {
      if (!job.permissions) report(job.keyNode, `job ${job.id} has no permissions block and the workflow sets none: its token gets the repository default.`);
    }
  },
});
