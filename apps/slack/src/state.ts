import type { Checklist, ChecklistRole, ChecklistStep } from '@ringmaster/core';
import { STEP_DONE_TYPES, type EventBody, type EvidenceEvent, type RunKind, type RunOpenedData } from '@ringmaster/evidence';
import { escapeText, inlineCode, mrkdwn, userMention, type SlackText } from './slack-text.js';

/** Pure run state, derived from the event log alone: same events, same state. */
export type StepStatus = 'open' | 'locked' | 'waiting' | 'done';

export interface StepState {
  step: ChecklistStep;
  index: number;
  visible: boolean;
  status: StepStatus;
  by?: string;
  at?: string;
  /** For choices: the option taken. */
  choice?: string;
  /** For waits: when the bake time ends. */
  until?: string;
}

export interface RunState {
  runId: string;
  kind: RunKind;
  /** The `/release` subcommand of the flow that opened it (absent in runs opened before it was recorded). */
  flow?: string;
  title: string;
  checklist: Checklist;
  params: Record<string, unknown>;
  requestedBy: string;
  channel: string;
  openedAt: string;
  closed: boolean;
  steps: StepState[];
  /** Steps shown: every unconditional step, and conditional ones a choice enabled (only the path taken). */
  visible: StepState[];
  doneCount: number;
  /** Every visible step done. */
  complete: boolean;
  lastAt: string;
}

/** What a click asks for. */
export type Intent =
  | { op: 'complete'; step: string }
  | { op: 'approve'; step: string }
  | { op: 'choose'; step: string; option: string }
  | { op: 'start_wait'; step: string }
  | { op: 'elapse'; step: string }
  | { op: 'snooze'; until: string };

export type RefusalCode = 'closed' | 'unknown_step' | 'hidden' | 'already_done' | 'locked' | 'wrong_op' | 'bad_option' | 'role' | 'segregation' | 'waiting' | 'elsewhere';

export type Decision =
  | { ok: true; events: Omit<EventBody, 'seq' | 'run_id'>[] }
  | { ok: false; code: RefusalCode; message: SlackText };

/** The actor, and the roles they hold (resolved by the caller, so this stays pure). */
export interface Actor {
  id: string;
  roles: ReadonlySet<ChecklistRole>;
}

export const SYSTEM_ACTOR = 'ringmaster';

function isGate(step: ChecklistStep): boolean {
  return step.kind === 'approval' || step.kind === 'wait';
}

/** The role a step needs: its own, or `approver` for approvals that name none. */
export function requiredRole(step: ChecklistStep): ChecklistRole | undefined {
  return step.role ?? (step.kind === 'approval' ? 'approver' : undefined);
}

export function deriveState(events: readonly EvidenceEvent[]): RunState {
  const first = events[0];
  if (first?.type !== 'run.opened') throw new Error('a run log starts with run.opened');
  const opened = first.data as unknown as RunOpenedData & { flow?: unknown };
  const checklist = opened.checklist;
  const byId = new Map<string, StepState>(
    checklist.steps.map((step, index) => [step.id, { step, index, visible: !step.conditional, status: 'open' as StepStatus }]),
  );
  let closed = false;
  for (const e of events) {
    const s = e.step ? byId.get(e.step) : undefined;
    if (e.type === 'run.closed') closed = true;
    if (!s) continue;
    if (e.type === 'wait.started' && s.status !== 'done') {
      s.status = 'waiting';
      s.until = String(e.data?.['until']);
      s.by = e.actor;
      s.at = e.at;
    }
    // An action that did not happen at the end of a bake (a failing canary, a burn rate that paused the promotion): the bake starts again.
    if (e.type === 'action.performed' && s.status === 'waiting' && e.data?.['outcome'] !== 'done') {
      s.status = 'open';
      delete s.until;
    }
    if (STEP_DONE_TYPES.has(e.type) && s.status !== 'done') {
      s.status = 'done';
      s.at = e.at;
      if (e.type !== 'wait.elapsed') s.by = e.actor;
      if (e.type === 'choice.made') s.choice = String(e.data?.['option']);
    }
  }
  // Conditional steps show only on the path a choice took.
  for (const s of byId.values()) {
    if (s.step.kind !== 'choice' || s.status !== 'done') continue;
    const option = s.step.options?.find((o) => o.id === s.choice);
    for (const id of option?.enables ?? []) {
      const target = byId.get(id);
      if (target) target.visible = true;
    }
  }
  const steps = [...byId.values()];
  const visible = steps.filter((s) => s.visible);
  // Gates (approvals, waits) need every earlier step done, and hold back every later one.
  let gateOpen = false;
  let allBeforeDone = true;
  for (const s of visible) {
    if (s.status === 'open') {
      if (gateOpen || (isGate(s.step) && !allBeforeDone)) s.status = 'locked';
    }
    if (s.status !== 'done') {
      allBeforeDone = false;
      if (isGate(s.step)) gateOpen = true;
    }
  }
  const doneCount = visible.filter((s) => s.status === 'done').length;
  return {
    runId: first.run_id,
    kind: opened.kind,
    ...(typeof opened.flow === 'string' ? { flow: opened.flow } : {}),
    title: opened.title,
    checklist,
    params: opened.params,
    requestedBy: first.actor,
    channel: opened.channel,
    openedAt: first.at,
    closed,
    steps,
    visible,
    doneCount,
    complete: visible.length > 0 && doneCount === visible.length,
    lastAt: events[events.length - 1]!.at,
  };
}

const OP_FOR_KIND: Record<ChecklistStep['kind'], Intent['op']> = {
  task: 'complete',
  approval: 'approve',
  choice: 'choose',
  wait: 'start_wait',
};

function label(step: ChecklistStep): SlackText {
  return mrkdwn`"${escapeText(step.title)}"`;
}

/** A role's name as people read it. */
function roleName(role: ChecklistRole): SlackText {
  return escapeText(role.replace(/_/g, ' '));
}

/**
 * What a click may do: the events it appends, or why it is refused. Refusals
 * change nothing.
 */
export function decide(state: RunState, intent: Intent, actor: Actor, at: string): Decision {
  if (state.closed) return { ok: false, code: 'closed', message: mrkdwn`Run ${inlineCode(state.runId)} is closed.` };
  if (intent.op === 'snooze') {
    // Silencing a run's reminders is for the people the run needs: a holder of one of its roles.
    const runRoles = [...new Set(state.checklist.steps.map(requiredRole).filter((r): r is ChecklistRole => r !== undefined))];
    if (runRoles.length && !runRoles.some((r) => actor.roles.has(r))) {
      return { ok: false, code: 'role', message: mrkdwn`Snoozing this run's reminders needs one of its roles (${escapeText(runRoles.map((r) => r.replace(/_/g, ' ')).join(', '))}), which you do not hold.` };
    }
    return { ok: true, events: [{ type: 'reminder.snoozed', actor: actor.id, at, data: { until: intent.until } }] };
  }
  const s = state.steps.find((x) => x.step.id === intent.step);
  if (!s) return { ok: false, code: 'unknown_step', message: mrkdwn`Run ${inlineCode(state.runId)} has no step "${escapeText(intent.step)}".` };
  const step = s.step;
  if (!s.visible) return { ok: false, code: 'hidden', message: mrkdwn`${label(step)} is not on the path taken in this run.` };
  if (s.status === 'done') {
    return { ok: false, code: 'already_done', message: mrkdwn`${label(step)} is already done${s.by ? mrkdwn` by ${userMention(s.by)}` : mrkdwn``}.` };
  }
  if (intent.op === 'elapse') {
    if (s.status !== 'waiting' || actor.id !== SYSTEM_ACTOR) return { ok: false, code: 'wrong_op', message: mrkdwn`Only the bake timer ends a bake.` };
    return { ok: true, events: [{ type: 'wait.elapsed', actor: SYSTEM_ACTOR, at, step: step.id }] };
  }
  if (s.status === 'waiting') return { ok: false, code: 'waiting', message: mrkdwn`${label(step)} is baking until ${escapeText(s.until ?? 'later')}.` };
  if (s.status === 'locked') {
    return { ok: false, code: 'locked', message: mrkdwn`${label(step)} is locked: finish the steps before it (approvals and bake times are gates).` };
  }
  if (OP_FOR_KIND[step.kind] !== intent.op) return { ok: false, code: 'wrong_op', message: mrkdwn`${label(step)} is a ${escapeText(step.kind)} step.` };
  const role = requiredRole(step);
  if (role && !actor.roles.has(role)) {
    return { ok: false, code: 'role', message: mrkdwn`${label(step)} needs the ${roleName(role)} role, which you do not hold.` };
  }
  if (step.kind === 'approval' && actor.id === state.requestedBy) {
    return {
      ok: false,
      code: 'segregation',
      message: mrkdwn`Segregation of duties: you requested this ${escapeText(state.kind)}, so someone else must approve ${label(step)}.`,
    };
  }
  switch (intent.op) {
    case 'complete':
      return { ok: true, events: [{ type: 'step.completed', actor: actor.id, at, step: step.id }] };
    case 'approve':
      return { ok: true, events: [{ type: 'step.approved', actor: actor.id, at, step: step.id }] };
    case 'choose': {
      if (!step.options?.some((o) => o.id === intent.option)) {
        return { ok: false, code: 'bad_option', message: mrkdwn`${label(step)} has no option "${escapeText(intent.option)}".` };
      }
      return { ok: true, events: [{ type: 'choice.made', actor: actor.id, at, step: step.id, data: { option: intent.option } }] };
    }
    case 'start_wait': {
      const until = new Date(Date.parse(at) + (step.waitMinutes ?? 0) * 60_000).toISOString();
      return { ok: true, events: [{ type: 'wait.started', actor: actor.id, at, step: step.id, data: { until, minutes: step.waitMinutes ?? 0 } }] };
    }
  }
}

/** The event that closes a run once every visible step is done (the store appends it in the same transaction). */
export function closingEvent(after: RunState, at: string): Omit<EventBody, 'seq' | 'run_id'> | undefined {
  return after.complete && !after.closed ? { type: 'run.closed', actor: SYSTEM_ACTOR, at, data: { reason: 'completed' } } : undefined;
}
