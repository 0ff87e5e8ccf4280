import type { ChecklistStep } from '@ringmaster/core';
import { promotionChecklist } from '@ringmaster/modes';
import { DIGEST_RE, type StepAction } from '../actions/step-actions.js';
import { escapeText } from '../slack-text.js';
import { defineFlow, refuse, SERVICE_RE, VERSION_RE } from './flow.js';

const RING_RE = /^[A-Za-z0-9][A-Za-z0-9 ._%-]{0,40}$/;

/**
 * The acting steps of a promotion whose version is a digest: before each ring's checks,
 * "promote to <ring>" writes the promotion commit (ring 1 after the page is
 * acknowledged, every later ring after the previous ring's approval, which is a gate);
 * each ring's bake checks canary health when it ends. Rings are matched to the
 * checklist's blocks by position: each ring has one bake (its only `wait` step) and
 * ends with its approval.
 */
function withActions(steps: readonly ChecklistStep[], rings: readonly string[], digest: string, connectors: { gitops: boolean; health: boolean }): { steps: ChecklistStep[]; actions: Record<string, StepAction> } {
  const out: ChecklistStep[] = [];
  const actions: Record<string, StepAction> = {};
  let ring = 0;
  let blockStarts = true;
  for (const [i, step] of steps.entries()) {
    const name = rings[ring];
    if (i > 0 && blockStarts && name !== undefined && connectors.gitops) {
      const id = `promote-${ring + 1}`;
      out.push({
        id,
        title: `${name}: promote to ${digest.slice(0, 19)}…`,
        detail: `Writes the promotion commit (the image pinned to ${digest}) to the ${name} overlay of the config repository and posts its link here.`,
        kind: 'task',
        role: 'release_captain',
      });
      actions[id] = { action: 'promote', target: name, digest };
    }
    blockStarts = false;
    out.push(step);
    if (step.kind === 'wait' && name !== undefined && connectors.health) actions[step.id] = { action: 'canary-health', target: name };
    if (i === 0 || step.kind === 'approval') {
      if (step.kind === 'approval') ring += 1;
      blockStarts = true;
    }
  }
  return { steps: out, actions };
}

/** Release captain promotion (spec Mode 6), ring by ring with bake times. */
export const promoteFlow = defineFlow<{ service: string; version: string; rings?: string[] }>({
  command: 'promote',
  usage: '<service> <version|digest> [ring1,ring2,...]',
  description: 'release captain promotion, ring by ring (a sha256 digest is committed to the config repository when it is configured)',
  kind: 'promotion',
  mode: 'progressive-delivery',
  parse([service, version, rings, ...extra]) {
    if (!service || !version || !SERVICE_RE.test(service) || !VERSION_RE.test(version) || extra.length) {
      return refuse(escapeText('`promote` needs a service and a version, e.g. `/release promote payments 1.42.0 internal,canary,ga`.'));
    }
    const list = rings?.split(',').map((r) => r.trim()).filter(Boolean);
    if (list && (list.length === 0 || list.length > 12 || !list.every((r) => RING_RE.test(r)))) return refuse(escapeText('Rings are a comma-separated list of up to 12 names.'));
    return { ok: true, args: { service, version, ...(list ? { rings: list } : {}) } };
  },
  plan({ service, version, rings }, { defaultRings, actions: connectors }) {
    const params: Record<string, unknown> = { service, version, rings: rings ?? [...defaultRings] };
    const checklist = promotionChecklist(params as { service: string; version: string; rings: string[] });
    if (!connectors || !DIGEST_RE.test(version) || (!connectors.gitops && !connectors.health)) return { checklist, params };
    const acting = withActions(checklist.steps, params['rings'] as string[], version, connectors);
    return { checklist: { ...checklist, steps: acting.steps }, params: { ...params, actions: acting.actions } };
  },
  riskTier: () => 'unknown',
  evidence: {},
});
