import type { ArtifactRenderer } from './artifacts.js';
import { Engine } from './engine.js';
import { loadKnowledgeBase, type KnowledgeBase } from './kb.js';
import { deepEqual } from './merge.js';
import type { ModePlugin, Rule } from './mode.js';

/** A profile for one rule (and, for `fires`, optionally the value the rule must decide). */
export interface RuleRow {
  profile: Record<string, unknown>;
  /** Other modes selected with this one (`ctx.companions`). */
  companions?: readonly string[];
  value?: unknown;
}

/** A rule's rows: a profile where it decides its field; for a conditional rule, one where it must not. */
export interface RuleRows {
  fires: RuleRow;
  skips?: RuleRow;
}

export interface ModeRowsOptions {
  kb?: KnowledgeBase;
  /** The renderer of the plan each row runs through; by default each artifact body as JSON. */
  renderer?: ArtifactRenderer;
}

const jsonRenderer: ArtifactRenderer = { render: (spec) => ({ content: `${JSON.stringify(spec.body, null, 2)}\n` }) };

/** A plugin with no decisions, standing for a companion mode. */
function companion(id: string): ModePlugin {
  return { id, title: id, specMode: null, kb: [], dependsOn: { inputs: [], asks: [] }, applies: () => ({ score: 1, signals: ['tester'] }), contribute: () => ({ decisions: [], artifacts: [], risks: [], kb: [], warnings: [], fallbacks: [] }) };
}

/**
 * The mode tester (in the spirit of typescript-eslint's RuleTester): one row per rule id.
 * Each row is planned through the engine with the mode alone (selected whatever its score),
 * so every decided field is checked against the output schema (or the mode's own section
 * schema), every KB trace must resolve, and the guardrails run. Returns the problems, one
 * line each; a test asserts `toEqual([])`. Declare the rule table
 * `as const satisfies readonly Rule[]` and the compiler demands a row for every rule id.
 */
export function checkModeRows<const R extends readonly Rule[]>(mode: ModePlugin, rules: R, rows: { readonly [K in R[number]['id']]: RuleRows }, options: ModeRowsOptions = {}): string[] {
  const kb = options.kb ?? loadKnowledgeBase();
  const renderer = options.renderer ?? jsonRenderer;
  const forced: ModePlugin = { ...mode, applies: (ctx) => ({ ...mode.applies(ctx), score: 1 }) };
  const table = rows as Readonly<Record<string, RuleRows>>;
  const problems: string[] = [];

  const decide = (row: RuleRow): { rule: string; field: string; value: unknown }[] => {
    const engine = new Engine([forced, ...(row.companions ?? []).map(companion)], renderer, kb);
    return engine.plan(structuredClone(row.profile)).output.decision_log.decisions.filter((d) => d.mode === mode.id);
  };

  for (const id of Object.keys(table)) if (!rules.some((rule) => rule.id === id)) problems.push(`${id}: a row for no rule of ${mode.id}`);
  for (const rule of rules) {
    const row = table[rule.id];
    if (!row) {
      problems.push(`${rule.id}: no row (every rule needs one)`);
      continue;
    }
    if (rule.when && !row.skips) problems.push(`${rule.id}: conditional rule without a skips row`);
    try {
      const decisions = decide(row.fires);
      const decided = decisions.find((d) => d.field === rule.field);
      if (decided?.rule !== rule.id) problems.push(`${rule.id}: fires row: ${rule.field} decided by ${decided?.rule ?? 'no rule'}`);
      else if ('value' in row.fires && !deepEqual(decided.value, row.fires.value)) problems.push(`${rule.id}: fires row: ${rule.field} is ${JSON.stringify(decided.value)}, expected ${JSON.stringify(row.fires.value)}`);
    } catch (error) {
      problems.push(`${rule.id}: fires row: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (row.skips) {
      try {
        if (decide(row.skips).some((d) => d.rule === rule.id)) problems.push(`${rule.id}: skips row: the rule still decided ${rule.field}`);
      } catch (error) {
        problems.push(`${rule.id}: skips row: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return problems;
}
