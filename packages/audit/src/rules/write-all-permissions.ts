import { createRule } from '../rule.js';
import type { Permissions } from '../model.js';

export const writeAllPermissions = createRule({
  meta: {
    id: 'write-all-permissions',
    category: 'excessive-permissions',
    severity: 'high',
    description: 'A workflow or job sets permissions: write-all, giving its GITHUB_TOKEN write access to every scope.',
    fix: 'Replace write-all with the scopes the job uses, e.g. permissions: { contents: read, packages: write }.',
    kb: ['KB_17#Hardening'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    const check = (p: Permissions | undefined, where: string): void => {
      if (p?.shorthand?.value === 'write-all') report(p.shorthand.node, `${where} grants write-all to its token.`);
    };
    check(pipeline.permissions, 'the workflow');
    for (const job of pipeline.jobs) check(job.permissions, `job ${job.id}`);
  },
});
