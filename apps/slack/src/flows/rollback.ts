import type { ChecklistStep } from '@ringmaster/core';
import { rollbackChecklist } from '@ringmaster/modes';
import { failedAction, type StepAction } from '../actions/step-actions.js';
import { escapeText, inlineCode, mrkdwn } from '../slack-text.js';
import { defineFlow, refuse, SERVICE_RE, VERSION_RE } from './flow.js';

/** A version or digest starts with a digit, `v<digit>` or `sha256:`; anything else in second place is a ring. */
const VERSION_LIKE_RE = /^(?:sha256:|v?\d)/i;
/** How many earlier digests a rollback offers (newest first). */
const MAX_OFFERED = 10;

interface Promoted {
  digest: string;
  committedAt: string;
  runId: string | null;
}

interface RollbackArgs {
  service: string;
  version?: string;
  ring?: string;
  /** Filled by `prepare` from the config repository: the digests promoted to the ring before the current one, newest first. */
  promoted?: Promoted[];
}

/** The mode package's steps this flow makes act: "identify the last good digest" becomes a choice of them; "revert" writes the commit. */
const CHOOSE_STEP = 'identify-digest';
const REVERT_STEP = 'revert';

function withActions(steps: readonly ChecklistStep[], ring: string, promoted: readonly Promoted[]): { steps: ChecklistStep[]; actions: Record<string, StepAction> } {
  const out = steps.map((step): ChecklistStep => {
    if (step.id === CHOOSE_STEP) {
      return {
        ...step,
        title: `Choose the digest to roll ${ring} back to (newest first)`,
        kind: 'choice',
        options: promoted.map((p) => ({ id: p.digest, label: `${p.digest.slice(0, 19)}… · ${p.committedAt.slice(0, 10)}${p.runId ? ` · ${p.runId}` : ''}`, enables: [] })),
      };
    }
    if (step.id === REVERT_STEP) return { ...step, title: `Write the rollback commit of ${ring}`, detail: `Commits the chosen digest to the ${ring} overlay of the config repository and posts its link here.` };
    return step;
  });
  const acting = out.some((s) => s.id === CHOOSE_STEP) && out.some((s) => s.id === REVERT_STEP);
  return { steps: out, actions: acting ? { [REVERT_STEP]: { action: 'rollback', target: ring, choice: CHOOSE_STEP } } : {} };
}

/** Rollback to a previously promoted signed digest; with a ring and the config repository configured, it offers the digests promoted there before and writes the commit. */
export const rollbackFlow = defineFlow<RollbackArgs>({
  command: 'rollback',
  usage: '<service> [ring] [version|digest]',
  description: 'roll back to a previously promoted signed digest (with a ring: chosen from those promoted there before)',
  kind: 'rollback',
  mode: 'incident',
  parse([service, second, third, ...extra]) {
    const usage = escapeText('`rollback` takes a service, an optional ring and an optional version or digest, e.g. `/release rollback payments canary` or `/release rollback payments sha256:4f1c...`.');
    if (!service || !SERVICE_RE.test(service) || extra.length) return refuse(usage);
    const ring = second !== undefined && !VERSION_LIKE_RE.test(second) ? second : undefined;
    const version = ring === undefined ? second : third;
    if (ring === undefined && third !== undefined) return refuse(usage);
    if (ring !== undefined && !SERVICE_RE.test(ring)) return refuse(mrkdwn`${inlineCode(ring.slice(0, 40))} is not a ring name.`);
    if (version !== undefined && !VERSION_RE.test(version)) return refuse(mrkdwn`${inlineCode(version.slice(0, 40))} is not a version or digest.`);
    return { ok: true, args: { service, ...(ring ? { ring } : {}), ...(version ? { version } : {}) } };
  },
  async prepare(args, connectors) {
    if (!args.ring || !connectors.gitops) return { ok: true, args };
    let history;
    try {
      history = await connectors.gitops.history(args.ring, { service: args.service });
    } catch (err) {
      const { reason } = failedAction({ action: 'rollback' }, err);
      return refuse(mrkdwn`The config repository could not list what was promoted to ${inlineCode(args.ring)}: ${escapeText(reason ?? 'unknown')}. Nothing was opened.`);
    }
    const current = history[0]?.digest;
    const seen = new Set<string>(current ? [current] : []);
    const earlier = history.filter((p) => !seen.has(p.digest) && seen.add(p.digest)).filter((p) => args.version === undefined || p.digest === args.version);
    if (earlier.length === 0) {
      return refuse(mrkdwn`Nothing was promoted to ${inlineCode(args.ring)} before its current digest${args.version ? mrkdwn` that is ${inlineCode(args.version)}` : mrkdwn``}; there is nothing to roll back to.`);
    }
    return { ok: true, args: { ...args, promoted: earlier.slice(0, MAX_OFFERED).map((p) => ({ digest: p.digest, committedAt: p.committedAt, runId: p.runId })) } };
  },
  plan({ service, version, ring, promoted }) {
    const params: Record<string, unknown> = { service, ...(version ? { version } : {}), ...(ring ? { ring } : {}) };
    const checklist = rollbackChecklist(params as { service: string; version?: string });
    if (!ring || !promoted?.length) return { checklist, params };
    const acting = withActions(checklist.steps, ring, promoted);
    return { checklist: { ...checklist, steps: acting.steps }, params: { ...params, promoted: promoted.map((p) => p.digest), actions: acting.actions } };
  },
  riskTier: () => 'high',
  evidence: {},
});
