import { expressionsIn, normalizeExpression } from '../analysis.js';
import { usesAction, withValue, type Str } from '../model.js';
import { createRule } from '../rule.js';

/** Event fields an outsider can write: titles, bodies, branch names, commit messages, authors. */
export const UNTRUSTED_INPUT = new RegExp(
  [
    String.raw`github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)\b`,
    String.raw`github\.event\.(?:comment|review|review_comment)\.body\b`,
    String.raw`github\.event\.pages\b[^ ]*\.page_name\b`,
    String.raw`github\.event\.commits\b[^ ]*\.(?:message|author\.(?:email|name))\b`,
    String.raw`github\.event\.head_commit\.(?:message|author\.(?:email|name))\b`,
    String.raw`github\.event\.pull_request\.head\.(?:ref|label|repo\.default_branch)\b`,
    String.raw`github\.head_ref\b`,
    String.raw`github\.event\.workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:email|name)))\b`,
    String.raw`github\.event\.workflow_run\.pull_requests\b[^ ]*\.head\.ref\b`,
  ].join('|'),
);

export const scriptInjection = createRule({
  meta: {
    id: 'script-injection',
    category: 'script-injection',
    severity: 'high',
    description: 'An attacker-controlled ${{ github.event.* }} value (issue or pull request title and body, comment body, branch name, commit message or author) is expanded directly into a run script or an actions/github-script script, where it is executed as code.',
    fix: 'Pass the value through an environment variable (env: TITLE: ${{ github.event.issue.title }}) and use "$TITLE" in the script, or read it from context.payload in github-script.',
    kb: ['KB_17#Hardening', 'KB_04#Zero_Trust'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow', 'github-action'],
  check({ pipeline, report }) {
    const check = (script: Str | undefined, where: string): void => {
      if (!script) return;
      for (const { body, offset } of expressionsIn(script.value)) {
        const m = UNTRUSTED_INPUT.exec(normalizeExpression(body));
        if (m) report(pipeline.file.locIn(script.node, '${{', offset), `${m[0]} is expanded into ${where}; an attacker who sets it runs code.`);
      }
    };
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        check(step.run, 'a run script');
        if (usesAction(step, 'actions/github-script')) check(withValue(step, 'script'), 'a github-script script');
      }
    }
  },
});
