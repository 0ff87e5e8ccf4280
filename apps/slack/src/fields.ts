import { createHash } from 'node:crypto';
import type { FlowRegistry } from './flows/index.js';
import type { RunState } from './state.js';

/** A short stable id for a delivery's log lines (its key hashed: keys hold user ids). */
export function requestId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Spec section 9 fields for a run's log lines. */
export function runFields(state: RunState, flows: FlowRegistry): Record<string, unknown> {
  const flow = flows.forRun(state);
  return { run_id: state.runId, mode_selected: flow.mode, kb_traces_used: state.checklist.kb, risk_tier: flow.riskTier(state.params) };
}

/** A Slack user id (U..., W...) and a conversation id (C..., D..., G...), as the app accepts them from payloads. */
export const USER_RE = /^[UW][A-Z0-9]{2,}$/;
export const CHANNEL_RE = /^[CDG][A-Z0-9]{2,}$/;
