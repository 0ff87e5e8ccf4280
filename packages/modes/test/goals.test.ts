import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';

interface GoalRow {
  goal: string;
  engage: string[];
  not: string[];
  ask?: boolean;
  /** Pains the goal states, which must be assumed in decision_log.assumptions. */
  pains?: string[];
}

const table = JSON.parse(readFileSync(new URL('./goals.json', import.meta.url), 'utf8')) as { goals: GoalRow[] };
const engine = createEngine();
const MODE_IDS = engine.modes.map((m) => m.id);

/** The modes a goal engaged through its own words (not a fallback, not profile signals alone). */
function plan(goal: string) {
  const { output } = engine.plan({ goal });
  const log = output.decision_log;
  const byGoal = log.modes.filter((m) => m.signals.some((s) => s.startsWith('goal:'))).map((m) => m.id);
  return { selected: log.modes.map((m) => m.id), byGoal, log };
}

describe('goals written as people write them', () => {
  it('the table is large and names only real modes', () => {
    expect(table.goals.length).toBeGreaterThanOrEqual(100);
    for (const row of table.goals) for (const id of [...row.engage, ...row.not]) expect(MODE_IDS).toContain(id);
  });

  it.each(table.goals.map((row) => [row.goal, row] as const))('%s', (_goal, row) => {
    const { selected, byGoal, log } = plan(row.goal);
    for (const id of row.engage) expect(byGoal, `${id} engaged by the goal's words`).toContain(id);
    for (const id of row.not) expect(selected, `${id} not engaged`).not.toContain(id);
    const asked = log.needs_clarification.some((q) => q.startsWith('goal:'));
    expect(asked, 'asks about the goal').toBe(row.ask === true);
    const assumed = log.assumptions.filter((a) => a.startsWith('current_pain:')).map((a) => a.replace(/^.*assumed (\w+)\.$/, '$1'));
    for (const pain of row.pains ?? []) expect(assumed, `${pain} assumed`).toContain(pain);
  });
});

describe('more words never lose a mode', () => {
  const unrelated = fc.oneof(
    fc.constantFrom(
      'The team is six people in two time zones.',
      'We mostly write TypeScript and some Go.',
      'Thanks in advance!',
      'Our office moved to Leeds last year.',
      'Context: B2B product, about 300 customers.',
      'Sorry for the long message.',
    ),
    fc.lorem({ maxCount: 8, mode: 'words' }).map((words) => `${words}.`),
  );
  const goals = fc.constantFrom(...table.goals.map((row) => row.goal));

  it('adding an unrelated sentence before or after a goal keeps every mode its words engaged', () => {
    fc.assert(
      fc.property(goals, unrelated, fc.boolean(), (goal, sentence, before) => {
        const engaged = plan(goal).byGoal;
        const longer = plan(before ? `${sentence} ${goal}` : `${goal.replace(/[^.!?]$/, '$&.')} ${sentence}`).byGoal;
        for (const id of engaged) expect(longer).toContain(id);
      }),
      { numRuns: 60 },
    );
  });
});
