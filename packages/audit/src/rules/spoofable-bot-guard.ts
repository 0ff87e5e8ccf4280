import { isScalar } from 'yaml';
import { get, type Str } from '../model.js';
import { createRule } from '../rule.js';

/** Triggers whose runs hold the base repository's secrets or a write token while outsiders decide when they run. */
const PRIVILEGED = ['pull_request_target', 'workflow_run'];
const PULL_REQUEST = ['pull_request', 'issue_comment', 'pull_request_review', 'pull_request_review_comment'];

/** `github.actor == 'dependabot[bot]'` in either order, or `contains/startsWith/endsWith(github.actor, '[bot]')`. */
const BOT_ACTOR = /github\.(?:triggering_)?actor\s*==\s*['"][^'"]*\[bot\]['"]|['"][^'"]*\[bot\]['"]\s*==\s*github\.(?:triggering_)?actor|(?:contains|startsWith|endsWith)\(\s*github\.(?:triggering_)?actor\s*,\s*['"][^'"]*\[bot\]['"]\s*\)/i;

export const spoofableBotGuard = createRule({
  meta: {
    id: 'spoofable-bot-guard',
    category: 'dangerous-triggers',
    severity: 'high',
    description: 'A job or step in a pull_request_target, workflow_run or pull request workflow is guarded only by the actor being a bot (if: github.actor == \'dependabot[bot]\'), but github.actor is whoever caused the latest event, which an attacker can arrange, so the guard lets untrusted runs through.',
    fix: 'Check who opened the pull request (github.event.pull_request.user.login == \'dependabot[bot]\') rather than github.actor, and do not run the pull request\'s code in a privileged trigger at all.',
    kb: ['KB_17#Hardening', 'KB_04#Zero_Trust'],
    risk: 'runner-compromise',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    const privileged = PRIVILEGED.find((t) => pipeline.triggers.has(t));
    const pr = PULL_REQUEST.find((t) => pipeline.triggers.has(t));
    const trigger = privileged ?? pr;
    if (!trigger) return;
    const check = (node: unknown, where: string): void => {
      if (!isScalar(node) || typeof node.value !== 'string') return;
      const m = BOT_ACTOR.exec(node.value);
      if (!m) return;
      const cond: Str = { value: node.value, node };
      const actor = /github\.(?:triggering_)?actor/.exec(m[0])![0];
      report(pipeline.file.locIn(cond.node, actor, m.index + m[0].indexOf(actor)), `${where} trusts ${actor} to be a bot in a ${trigger} workflow; the actor can be spoofed.`, privileged ? {} : { confidence: 'medium' });
    };
    for (const job of pipeline.jobs) {
      check(get(job.node, 'if'), `job ${job.id}`);
      for (const step of job.steps) check(get(step.node, 'if'), `a step of job ${job.id}`);
    }
  },
});
