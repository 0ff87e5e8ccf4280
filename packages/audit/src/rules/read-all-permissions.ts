import { createRule } from '../rule.js';
import { permissionShorthands } from '../analysis.js';

export const readAllPermissions = createRule({
  meta: {
    id: 'read-all-permissions',
    category: 'excessive-permissions',
    severity: 'medium',
    description: 'A workflow or job sets permissions: read-all, giving its GITHUB_TOKEN read access to every scope (actions, security events, packages, deployments...) instead of the few it uses.',
    fix: 'Replace read-all with the scopes the job reads, usually permissions: { contents: read }.',
    kb: ['KB_17#Hardening'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    for (const { where, node } of permissionShorthands(pipeline, 'read-all')) report(node, `${where} grants read-all to its token.`);
  },
});
