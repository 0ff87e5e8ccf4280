import { unstorable } from './commands.js';

/**
 * The one place that knows how a button is written and read back. A button's
 * `action_id` is `rm.<op>[.<suffix>...]` (unique within a message); its value is
 * `run|step|op|option`. The clicking user always comes from Slack's signed payload,
 * never from the value.
 */
export type ButtonOp = 'complete' | 'approve' | 'choose' | 'start_wait' | 'page' | 'snooze';

export interface ClickedButton {
  runId: string;
  /** Empty for run-level buttons (page, snooze). */
  step: string;
  op: ButtonOp;
  /** A choice's option id, or the page number. */
  option: string;
}

const OPS: ReadonlySet<string> = new Set<ButtonOp>(['complete', 'approve', 'choose', 'start_wait', 'page', 'snooze']);
const RUN_ID_RE = /^rm-[0-9a-f]{8}$/;
const MAX_VALUE = 2000;
const MAX_STEP = 200;

/** Matches every action_id this app writes (Bolt's listener pattern). */
export const ACTION_ID_PATTERN = /^rm\./;

export function actionId(op: ButtonOp, ...suffix: readonly (string | number)[]): string {
  return ['rm', op, ...suffix].join('.');
}

export function buttonValue(runId: string, step: string, op: ButtonOp, option = ''): string {
  return [runId, step, op, option].join('|');
}

/**
 * Reads a clicked button back; undefined when it is not one this app wrote: wrong
 * shape, an unknown run id form or op, an op that differs from its action_id's, or a
 * character PostgreSQL cannot store.
 */
export function readButton(value: unknown, id: string): ClickedButton | undefined {
  if (typeof value !== 'string' || value.length > MAX_VALUE || unstorable(value) || unstorable(id)) return undefined;
  const parts = value.split('|');
  const [runId, step, op, option] = parts;
  if (parts.length !== 4 || !runId || !RUN_ID_RE.test(runId) || !op || !OPS.has(op) || op !== id.split('.')[1]) return undefined;
  if (step === undefined || step.length > MAX_STEP || option === undefined) return undefined;
  return { runId, step, op: op as ButtonOp, option };
}
