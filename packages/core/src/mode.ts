import type { ArtifactSpec } from './artifacts.js';
import type { AskCriterionId } from './ask.js';
import type { DeliverySystem } from './delivery.js';
import type { Contradiction } from './contradictions.js';
import { ModeDefinitionError } from './errors.js';
import { goalSignal, readIntents, type GoalIntent, type IgnoredPhrase, type IntentHit, type IntentTable } from './intent.js';
import { KB_TRACE_PATTERN, type KbTrace } from './kb.js';
import { isArtifactSpec, type ArtifactOutcome, type NotGenerated } from './not-generated.js';
import type { NormalizedProfile } from './profile.js';
import type { RiskId } from './risk-matrix.js';
import type { JsonSchema } from './validate.js';

/** What a mode sees: the frozen, normalized profile and the goal's words. */
export interface ModeContext {
  readonly profile: NormalizedProfile;
  readonly intent: GoalIntent;
  /**
   * The plan's delivery system (image, repositories, signing identity, GitOps layout): modes take
   * every name and path from it, never spell one themselves. In contribute() it reflects the selected
   * modes (the signing workflow is the supply-chain one when that mode is in the plan).
   */
  readonly delivery: DeliverySystem;
  /**
   * In contribute() only: the ids of the other modes selected for this plan, so that
   * generated files can fit together (one release workflow calling another) without
   * any mode importing another.
   */
  readonly companions?: readonly string[];
  /** Contradictions in the profile (core's table); a mode generates no file for a vendor choice they put in doubt. */
  readonly contradictions?: readonly Contradiction[];
}

/** How strongly a mode applies (0..1) and why. The engine selects modes scoring at least APPLY_THRESHOLD. */
export interface Applicability {
  score: number;
  signals: string[];
  /** The goal phrases that engaged the mode (each also named in `signals`). */
  goal?: IntentHit[];
  /** Goal phrases that looked like the mode but were set aside (negated, false friends). */
  ignored?: IgnoredPhrase[];
}

export const APPLY_THRESHOLD = 0.5;

/** One decision: a value for an output field, the rule that made it, why, and the KB behind it. */
export interface Decision {
  field: string;
  value: unknown;
  rule: string;
  reason: string;
  kb: readonly KbTrace[];
}

/** What a mode returns. Output fields are built from the decisions by the engine. */
export interface Contribution {
  decisions: Decision[];
  artifacts: ArtifactSpec[];
  risks: RiskId[];
  kb: KbTrace[];
  warnings: string[];
  fallbacks: string[];
  /** Files the mode did not generate for this profile, and why (output `not_generated`). */
  notGenerated?: NotGenerated[];
}

/**
 * An output section a mode owns: its scalars go to this mode in a conflict, and the mode
 * says where the section sits in the output. A section that output.schema.json does not
 * define (a third-party section) comes with its own JSON Schema.
 */
export interface SectionDeclaration {
  /** The top-level output key, snake_case. */
  readonly id: string;
  /** JSON Schema (draft 2020-12) of a new section; a built-in section uses output.schema.json. */
  readonly schema?: JsonSchema;
  /** Place in the output: right after this section (default: after every other section). */
  readonly after?: string;
}

/** The plugin contract. Implement it directly, or build one with defineMode. */
export interface ModePlugin {
  readonly id: string;
  readonly title: string;
  /** The spec's section 5 mode number, or null for modes the spec needs but does not number. */
  readonly specMode: number | null;
  /** The mode's KB trace map (spec section 12). */
  readonly kb: readonly KbTrace[];
  /** Input fields (JSON pointers) the mode reads, and the section 4 ask-criteria it depends on. */
  readonly dependsOn: { readonly inputs: readonly string[]; readonly asks: readonly AskCriterionId[] };
  /** The output sections this mode owns; no two registered modes may own the same one. */
  readonly sections?: readonly SectionDeclaration[];
  /**
   * Breaks a conflict between two modes that do not own the section and score the same:
   * the higher precedence wins (default 0), then the earlier mode.
   */
  readonly precedence?: number;
  /** A folder of the mode's own KB files (`KB_NN_<topic>.md`) for traces Ringmaster's kb/ lacks. */
  readonly kbDir?: string;
  /** Every output field the mode may decide (defineMode lists its rules' fields), checked at registration. */
  readonly fields?: readonly string[];
  /** What the mode is for in the user's words: read by the engine for stated pains and the goal question. */
  readonly intents?: IntentTable;
  applies(ctx: ModeContext): Applicability;
  contribute(ctx: ModeContext): Contribution;
}

/** A profile signal that makes a mode relevant, with its weight (0..1). */
export interface Signal {
  id: string;
  weight: number;
  when(profile: NormalizedProfile): boolean;
}

/**
 * A rule is a row: for `field`, when `when` holds, the value is `value`, because `why`.
 * For each field the first matching rule wins, so list specific rules before defaults.
 */
export interface Rule {
  id: string;
  field: string;
  when?: (ctx: ModeContext) => boolean;
  value: unknown | ((ctx: ModeContext) => unknown);
  why: string;
  kb: readonly KbTrace[];
}

/** The values a mode decided, by field. */
export interface Decided {
  get<T = unknown>(field: string): T | undefined;
  has(field: string): boolean;
}

export interface ModeDefinition {
  id: string;
  title: string;
  specMode: number | null;
  kb: readonly KbTrace[];
  dependsOn: { inputs: readonly string[]; asks: readonly AskCriterionId[] };
  sections?: readonly SectionDeclaration[];
  precedence?: number;
  kbDir?: string;
  /** Goal words that mean this mode (phrase syntax of intent.ts), each a strong signal. */
  keywords: readonly string[];
  /** Phrases, symptoms and false friends (see IntentTable), kept as data in the mode package. */
  intents?: IntentTable;
  signals: readonly Signal[];
  rules: readonly Rule[];
  /** The files the decisions call for; a file that cannot fit the profile is a NotGenerated entry instead. */
  artifacts?(ctx: ModeContext, decided: Decided): ArtifactOutcome[];
  risks?(ctx: ModeContext, decided: Decided): RiskId[];
  /** Warnings and section 10 fallbacks taken, if any. */
  notes?(ctx: ModeContext, decided: Decided): { warnings?: string[]; fallbacks?: string[] };
}

/** Weight of a goal keyword hit. */
export const INTENT_WEIGHT = 0.9;

const MODE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const FIELD = /^[a-z_]+(\.[a-z_]+)+$/;
const SECTION_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Noisy-or of weights, rounded so that scores print stably. */
export function combineWeights(weights: readonly number[]): number {
  const miss = weights.reduce((acc, w) => acc * (1 - w), 1);
  return Math.round((1 - miss) * 1000) / 1000;
}

/** Evaluates a rule table: the first matching rule of each field decides it. */
export function evaluateRules(rules: readonly Rule[], ctx: ModeContext): Decision[] {
  const decided = new Set<string>();
  const decisions: Decision[] = [];
  for (const rule of rules) {
    if (decided.has(rule.field)) continue;
    if (rule.when && !rule.when(ctx)) continue;
    decided.add(rule.field);
    const value = typeof rule.value === 'function' ? (rule.value as (c: ModeContext) => unknown)(ctx) : rule.value;
    decisions.push({ field: rule.field, value, rule: rule.id, reason: rule.why, kb: rule.kb });
  }
  return decisions;
}

function checkTraces(modeId: string, where: string, traces: readonly string[]): void {
  for (const trace of traces) {
    if (!KB_TRACE_PATTERN.test(trace)) throw new ModeDefinitionError(modeId, `${where}: "${trace}" is not a KB_NN#Anchor trace`);
  }
}

function checkIntents(def: ModeDefinition): void {
  const phrases = [...def.keywords, ...(def.intents?.falseFriends ?? [])];
  for (const intent of def.intents?.intents ?? []) {
    if (intent.means.trim() === '') throw new ModeDefinitionError(def.id, 'an intent has no meaning (means)');
    if (intent.weight !== undefined && !(intent.weight > 0 && intent.weight <= 1)) throw new ModeDefinitionError(def.id, `intent "${intent.means}" weight must be in (0, 1]`);
    if (intent.phrases.length === 0) throw new ModeDefinitionError(def.id, `intent "${intent.means}" has no phrase`);
    phrases.push(...intent.phrases);
  }
  // Checked by shape only: phrases are compiled (stemmed) when a goal is first read, not at import.
  for (const phrase of phrases) {
    const pieces = phrase.trim().split(/\s+/);
    if (!pieces.some((p) => /[\p{L}\p{N}#]/u.test(p)) || pieces[0] === '...' || pieces[pieces.length - 1] === '...') {
      throw new ModeDefinitionError(def.id, `phrase "${phrase}" must have words, and "..." only between words`);
    }
  }
}

/** Builds a ModePlugin from a declarative definition, checking it at once (ids, fields, traces, weights). */
export function defineMode(def: ModeDefinition): ModePlugin & { readonly rules: readonly Rule[]; readonly keywords: readonly string[]; readonly signals: readonly Signal[] } {
  if (!MODE_ID.test(def.id)) throw new ModeDefinitionError(def.id, 'id must be kebab-case');
  checkTraces(def.id, 'kb', def.kb);
  const ruleIds = new Set<string>();
  for (const rule of def.rules) {
    if (!rule.id.startsWith(`${def.id}/`)) throw new ModeDefinitionError(def.id, `rule ${rule.id} must be named ${def.id}/<rule>`);
    if (ruleIds.has(rule.id)) throw new ModeDefinitionError(def.id, `duplicate rule ${rule.id}`);
    ruleIds.add(rule.id);
    if (!FIELD.test(rule.field)) throw new ModeDefinitionError(def.id, `rule ${rule.id}: field "${rule.field}" is not a dot path`);
    if (rule.why.trim() === '') throw new ModeDefinitionError(def.id, `rule ${rule.id} has no reason`);
    checkTraces(def.id, `rule ${rule.id}`, rule.kb);
  }
  for (const signal of def.signals) {
    if (!(signal.weight > 0 && signal.weight <= 1)) throw new ModeDefinitionError(def.id, `signal ${signal.id} weight must be in (0, 1]`);
  }
  for (const section of def.sections ?? []) {
    if (!SECTION_ID.test(section.id)) throw new ModeDefinitionError(def.id, `section "${section.id}" must be snake_case`);
  }
  if (def.precedence !== undefined && !Number.isFinite(def.precedence)) throw new ModeDefinitionError(def.id, 'precedence must be a finite number');
  checkIntents(def);

  return Object.freeze({
    id: def.id,
    title: def.title,
    specMode: def.specMode,
    kb: def.kb,
    dependsOn: def.dependsOn,
    ...(def.sections ? { sections: def.sections } : {}),
    ...(def.precedence !== undefined ? { precedence: def.precedence } : {}),
    ...(def.kbDir ? { kbDir: def.kbDir } : {}),
    fields: [...new Set(def.rules.map((rule) => rule.field))],
    ...(def.intents ? { intents: def.intents } : {}),
    rules: def.rules,
    keywords: def.keywords,
    signals: def.signals,
    applies(ctx: ModeContext): Applicability {
      const reading = readIntents(ctx.intent, def.intents, def.keywords, INTENT_WEIGHT);
      const signals = reading.hits.map(goalSignal);
      const weights = reading.hits.map((hit) => hit.weight);
      for (const signal of def.signals) {
        if (signal.when(ctx.profile)) {
          signals.push(signal.id);
          weights.push(signal.weight);
        }
      }
      return { score: combineWeights(weights), signals, goal: reading.hits, ignored: reading.ignored };
    },
    contribute(ctx: ModeContext): Contribution {
      const decisions = evaluateRules(def.rules, ctx);
      const byField = new Map(decisions.map((d) => [d.field, d.value]));
      const decided: Decided = {
        get: <T>(field: string) => byField.get(field) as T | undefined,
        has: (field: string) => byField.has(field),
      };
      const outcomes = def.artifacts?.(ctx, decided) ?? [];
      const artifacts = outcomes.filter(isArtifactSpec);
      for (const artifact of artifacts) checkTraces(def.id, `artifact ${artifact.name}`, artifact.kb);
      const skipped = outcomes.filter((o): o is NotGenerated => !isArtifactSpec(o));
      const notes = def.notes?.(ctx, decided) ?? {};
      return {
        decisions,
        artifacts,
        risks: def.risks?.(ctx, decided) ?? [],
        kb: [...def.kb],
        warnings: notes.warnings ?? [],
        fallbacks: notes.fallbacks ?? [],
        ...(skipped.length > 0 ? { notGenerated: skipped } : {}),
      };
    },
  });
}
