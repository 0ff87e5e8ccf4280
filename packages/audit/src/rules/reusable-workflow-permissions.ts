import type { Permissions, Pipeline } from '../model.js';
import { createRule } from '../rule.js';

const writes = (p: Permissions | undefined): Set<string> => new Set((p?.scopes ?? []).filter((s) => s.value?.value === 'write').map((s) => s.key));

/**
 * The write scopes a called workflow's jobs ask for; undefined when some job inherits the caller's
 * token (no permissions of its own or of its workflow) or asks for write-all, so its needs are unknown.
 */
function calleeWrites(callee: Pipeline): Set<string> | undefined {
  const out = new Set<string>();
  for (const job of callee.jobs) {
    const effective = job.permissions ?? callee.permissions;
    if (!effective || effective.shorthand?.value === 'write-all' || job.uses) return undefined;
    for (const scope of writes(effective)) out.add(scope);
  }
  return out;
}

export const reusableWorkflowPermissions = createRule({
  meta: {
    id: 'reusable-workflow-permissions',
    category: 'excessive-permissions',
    severity: 'medium',
    description: 'A job calls a reusable workflow of this repository with write scopes that none of the called workflow\'s jobs ask for, so the caller hands out more than the callee needs.',
    fix: 'Grant the calling job only the write scopes the called workflow\'s jobs declare (its permissions: blocks), and keep the rest read.',
    kb: ['KB_17#Hardening'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report, others }) {
    for (const job of pipeline.jobs) {
      const uses = job.uses?.value;
      if (!uses?.startsWith('./')) continue;
      const callee = others.get(uses.slice(2).split('@')[0]!);
      const needed = callee ? calleeWrites(callee) : undefined;
      if (!needed) continue;
      if (job.permissions) {
        for (const scope of job.permissions.scopes) {
          if (scope.value?.value === 'write' && !needed.has(scope.key)) report(scope.keyNode, `job ${job.id} grants ${scope.key}: write to ${uses}, whose jobs do not ask for it.`);
        }
      } else {
        const extra = [...writes(pipeline.permissions)].filter((s) => !needed.has(s));
        if (extra.length > 0) report(job.uses!.node, `job ${job.id} passes the workflow's ${extra.map((s) => `${s}: write`).join(', ')} to ${uses}, whose jobs do not ask for it.`);
      }
    }
  },
});
