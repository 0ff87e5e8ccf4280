import { createRule } from '../rule.js';
import { permissionShorthands } from '../analysis.js';

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
    for (const { where, node } of permissionShorthands(pipeline, 'write-all')) report(node, `${where} grants write-all to its token.`);
  },
});
