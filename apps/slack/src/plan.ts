import type { Engine, PlanResult } from '@ringmaster/core';
import { createEngine } from '@ringmaster/modes';
import { parse } from 'yaml';
import { bold, escapeText, inlineCode, joinText, mrkdwn, type SlackText } from './slack-text.js';

let engine: Engine | undefined;

/** The same engine the CLI runs, built on first use. */
export function planEngine(): Engine {
  engine ??= createEngine();
  return engine;
}

/** Reads a pasted profile (JSON or YAML); a message for the modal when it is not one. */
export function readProfile(text: string): { ok: true; profile: unknown } | { ok: false; message: string } {
  try {
    const profile: unknown = parse(text);
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return { ok: false, message: 'The profile must be a JSON or YAML object.' };
    return { ok: true, profile };
  } catch (err) {
    return { ok: false, message: `Not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}` };
  }
}

export function runPlan(profile: unknown): PlanResult {
  return planEngine().plan(profile);
}

/** A short Slack summary of a blueprint; everything the profile put in it (warnings, questions, names) is escaped. */
export function planSummary(result: PlanResult): SlackText {
  const log = result.output.decision_log;
  const modes = log.modes.map((m) => m.id).join(', ') || 'none';
  const lines: SlackText[] = [
    mrkdwn`*Blueprint ready* (request ${inlineCode(result.requestId)})`,
    mrkdwn`• risk tier: ${bold(String(log.risk_tier))} · modes: ${escapeText(modes)}`,
    mrkdwn`• ${result.files.length} files · ${log.decisions.length} decisions · ${result.output.kb_references.length} KB references`,
  ];
  if (log.needs_clarification.length) lines.push(mrkdwn`• needs clarification: ${escapeText(log.needs_clarification.join('; '))}`);
  if (log.warnings.length) lines.push(mrkdwn`• warnings: ${escapeText(log.warnings.slice(0, 5).join('; '))}`);
  return joinText(lines, '\n');
}
