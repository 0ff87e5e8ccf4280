import type { PlanOutput } from '@ringmaster/core';

/**
 * Why each mode was or was not engaged, one line per mode considered: the goal's words that
 * engaged it (and what they were read as), the profile signals, and the goal words set aside.
 * Plans made before `decision_log.considered` existed explain only the modes that applied.
 */
export function explainModes(output: PlanOutput): string[] {
  const log = output.decision_log;
  const considered = log.considered ?? log.modes.map((m) => ({ ...m, engaged: true, ignored: [] as string[] }));
  const lines = considered.map((mode) => {
    const why = mode.signals.map(describeSignal);
    const verdict = mode.engaged ? `engaged (score ${mode.score})` : `not engaged (score ${mode.score}, below 0.5)`;
    const reasons = why.length > 0 ? why.join('; ') : 'nothing in the goal or the profile points to it';
    const setAside = mode.ignored.length > 0 ? `; set aside: ${mode.ignored.join('; ')}` : '';
    return `${mode.id}: ${verdict}: ${reasons}${setAside}`;
  });
  const question = log.needs_clarification.find((q) => q.startsWith('goal:'));
  return question ? [...lines, `The goal engaged no mode by its words, so the plan asks: ${question.slice('goal: '.length)}`] : lines;
}

function describeSignal(signal: string): string {
  if (signal.startsWith('goal:')) return `the goal says ${signal.slice('goal:'.length)}`;
  if (signal.startsWith('fallback:')) return 'fallback: nothing else applied (standard enterprise blueprint)';
  return signal;
}
