import { actionEvidence, GitOpsInputError, SignatureRefusedError, signatureEvidence } from '@ringmaster/connector-gitops';
import { healthEvidence, MetricsInputError, type CanaryHealth } from '@ringmaster/connector-prometheus';
import { scrubText } from '../log.js';
import type { Decision, RunState } from '../state.js';
import type { ActionData } from '@ringmaster/evidence';
import type { Connectors } from './connectors.js';

/**
 * What a checklist step does when it is done, recorded in the run's parameters when
 * it opens (`params.actions`, by step id): the run's first event says which steps act.
 */
export type StepAction =
  /** Writes the promotion commit of `digest` to `target`'s overlay of the run's service. */
  | { action: 'promote'; target: string; digest: string }
  /** Writes the rollback commit of `target` to the digest chosen at the step `choice`. */
  | { action: 'rollback'; target: string; choice: string }
  /** When the bake ends, decides the canary's health; during the bake, watches the burn rate. */
  | { action: 'canary-health'; target: string };

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** The action of a step of a run, if it has one. */
export function stepAction(state: RunState, stepId: string): StepAction | undefined {
  const actions = state.params['actions'] as Record<string, StepAction> | undefined;
  return actions && Object.hasOwn(actions, stepId) ? actions[stepId] : undefined;
}

/** Why an action cannot run here, or undefined when its connector is configured. */
export function unavailable(action: StepAction, connectors: Connectors): string | undefined {
  if (action.action === 'canary-health') return connectors.health ? undefined : 'canary health is not configured (RINGMASTER_PROMETHEUS_URL)';
  return connectors.gitops ? undefined : 'the config repository is not configured (RINGMASTER_CONFIG_REPO)';
}

/** One line, credentials scrubbed (the connectors scrub theirs; this also catches anything the log scrubber knows). */
function reasonOf(err: unknown): string {
  return scrubText((err as Error).message ?? String(err), []).split('\n')[0]!.slice(0, 300);
}

/** A refusal (bad input the action cannot take) or a failure (the repository or Prometheus failed): the step stays where it was. */
export function failedAction(base: Pick<ActionData, 'action' | 'service' | 'ring'>, err: unknown): ActionData {
  const refused = err instanceof GitOpsInputError || err instanceof MetricsInputError;
  return { ...base, outcome: refused ? 'refused' : 'failed', reason: reasonOf(err) };
}

/** The connectors' evidence with reasons scrubbed once more (the connectors scrub theirs; this also catches anything the log scrubber knows). */
function scrubbed(data: ActionData): ActionData {
  return data.reason === undefined ? data : { ...data, reason: scrubText(data.reason, []) };
}

/**
 * Runs a step's GitOps action for a run (the run and step ids are the commit's
 * trailers, so a retried step finds its own commit and writes nothing new). The
 * outcomes to record, the action's last: the signature check of the digest comes
 * first; a digest whose signature does not verify is refused by that check alone
 * (one line in the thread), nothing written. Never throws: a refusal or failure is an outcome.
 */
export async function performGitOps(action: Exclude<StepAction, { action: 'canary-health' }>, state: RunState, stepId: string, connectors: Connectors): Promise<ActionData[]> {
  const service = typeof state.params['service'] === 'string' ? state.params['service'] : undefined;
  const base = { action: action.action, ring: action.target, ...(service ? { service } : {}) };
  const missing = unavailable(action, connectors);
  if (missing || !connectors.gitops) return [{ ...base, outcome: 'refused', reason: missing ?? 'not configured' }];
  // The run's service picks its overlay among the target's (a plan may release several services).
  const request = { target: action.target, runId: state.runId, stepId, dryRun: connectors.dryRun, ...(service ? { service } : {}) };
  try {
    if (action.action === 'promote') return actionEvidence(await connectors.gitops.promote({ ...request, digest: action.digest })).map(scrubbed);
    const chosen = state.steps.find((s) => s.step.id === action.choice)?.choice;
    if (!chosen || !DIGEST_RE.test(chosen)) return [{ ...base, outcome: 'refused', reason: 'no digest was chosen to roll back to' }];
    return actionEvidence(await connectors.gitops.rollback({ ...request, to: chosen })).map(scrubbed);
  } catch (err) {
    if (err instanceof SignatureRefusedError) return [scrubbed(signatureEvidence(err.check, action.target, service))];
    return [failedAction(base, err)];
  }
}

/** Checks a target's canary health; a query failure is a failed outcome (the bake does not pass on no answer). */
export async function performHealth(target: string, state: RunState, connectors: Connectors): Promise<{ data: ActionData; health?: CanaryHealth }> {
  const service = typeof state.params['service'] === 'string' ? state.params['service'] : undefined;
  const base = { action: 'canary-health' as const, ring: target, ...(service ? { service } : {}) };
  if (!connectors.health) return { data: { ...base, outcome: 'refused', reason: 'canary health is not configured (RINGMASTER_PROMETHEUS_URL)' } };
  try {
    const health = await connectors.health(target, service);
    return { data: healthEvidence(health, health.verdict === 'pass' ? null : health.reasons.join('; ').slice(0, 300), service), health };
  } catch (err) {
    return { data: failedAction(base, err) };
  }
}

/**
 * A transition with an action's outcomes (a signature check, then the action): each
 * is recorded either way (an `action.performed` event), the step's own events only
 * when the last, the action, happened (done, or a dry run); a refusal of the
 * transition itself stands.
 */
export function withOutcome(decision: Decision, outcomes: readonly ActionData[], actor: string, step: string, at: string, done: readonly ActionData['outcome'][] = ['done', 'dry-run']): Decision {
  if (!decision.ok) return decision;
  const records = outcomes.map((data) => ({ type: 'action.performed' as const, actor, at, step, data: { ...data } }));
  return { ok: true, events: done.includes(outcomes.at(-1)!.outcome) ? [...records, ...decision.events] : records };
}
