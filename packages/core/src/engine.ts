import { createHash } from 'node:crypto';
import type { ArtifactRenderer, ArtifactSpec } from './artifacts.js';
import { clarificationsFor, type AskCriterionId } from './ask.js';
import { profileContradictions } from './contradictions.js';
import { deliveryAssumptions, deliveryNameClashes, deliverySystem, placeholdersIn, type DeliverySystem, type Placeholder } from './delivery.js';
import { GuardrailViolationError, ModeFailedError, OutputSchemaError, ProfileInputError, UnresolvedTraceError } from './errors.js';
import { checkGuardrails } from './guardrails.js';
import { goalQuestion, statedPains, withStatedPains } from './goal-reading.js';
import { linkPlan } from './link.js';
import { goalIntent } from './intent.js';
import { tracesInText, type KnowledgeBase } from './kb.js';
import type { NotGenerated } from './not-generated.js';
import { mergeDecisions, setPath, type Conflict, type ModeDecision } from './merge.js';
import { APPLY_THRESHOLD, type Applicability, type Contribution, type ModeContext, type ModePlugin } from './mode.js';
import { deepFreeze, normalizeProfile } from './normalize.js';
import { riskRow, type RiskId, type RiskRow } from './risk-matrix.js';
import { assertKnownSection, registerModes, type ModeRegistry } from './sections.js';
import { KNOWN_TOP_LEVEL_KEYS, outputIssues, outputSchema, validateProfile, validatorIssues } from './validate.js';

/** The mode the engine falls back to when no mode applies (spec section 10, Mode 1). */
export const FALLBACK_MODE = 'blueprint';

export interface ArtifactEntry {
  name: string;
  type: ArtifactSpec['type'];
  content_skeleton: string;
  path: string;
  format: string;
  mode: string;
  kb: string[];
}

export interface DecisionLog {
  assumptions: string[];
  risk_tier: string;
  needs_clarification: string[];
  modes: { id: string; score: number; signals: string[] }[];
  /** Every registered mode, engaged or not, and why (goal phrases taken and set aside). */
  considered?: ConsideredMode[];
  decisions: (ModeDecision & { kb: string[] })[];
  conflicts: Conflict[];
  warnings: string[];
  fallbacks: string[];
}

export interface ConsideredMode {
  id: string;
  engaged: boolean;
  score: number;
  signals: string[];
  /** Goal phrases that looked like this mode but were set aside, each with the reason. */
  ignored: string[];
}

/** The output document (spec section 3.2 plus extensions; see schemas/output.schema.json). */
export interface PlanOutput {
  [section: string]: unknown;
  decision_log: DecisionLog;
  /** Always set by the engine; optional for hand-built outputs. */
  placeholders?: Placeholder[];
  risks?: RiskRow[];
  artifacts_to_generate: ArtifactEntry[];
  /** Files no mode could make coherent for this profile, and why; present only when there are some. */
  not_generated?: (NotGenerated & { mode: string })[];
  kb_references: string[];
}

/** A file `plan --out` writes, with the KB traces behind it. */
export interface PlannedFile {
  path: string;
  content: string;
  artifact: string;
  kb: string[];
}

export interface PlanResult {
  output: PlanOutput;
  files: PlannedFile[];
  /** A stable id for logs: the hash of the normalized profile. */
  requestId: string;
}

type SchemaNode = { properties?: Record<string, SchemaNode> };

/** Orders an object's keys as its schema lists them, recursively, so output is byte-stable. */
function orderLike(schema: SchemaNode | undefined, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !schema?.properties) return value;
  const record = value as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    if (key in record) ordered[key] = orderLike(schema.properties[key], record[key]);
  }
  for (const key of Object.keys(record).sort()) if (!(key in ordered)) ordered[key] = record[key];
  return ordered;
}

/**
 * Checks an output: the built-in sections and the engine's keys against output.schema.json,
 * each third-party section against the schema its mode gave.
 */
export function assertValidPlan(output: PlanOutput, registry: ModeRegistry): void {
  const builtIn: Record<string, unknown> = {};
  const issues = [];
  for (const [key, value] of Object.entries(output)) {
    const extension = registry.extensions.get(key);
    if (extension) issues.push(...validatorIssues(extension.validate, value, `/${key}`, output));
    else builtIn[key] = value;
  }
  issues.unshift(...outputIssues(builtIn));
  if (issues.length > 0) throw new OutputSchemaError(issues);
}

/**
 * validate -> normalize -> select modes -> contribute -> merge -> render ->
 * guardrails -> KB check -> output schema check. Same input, same bytes.
 */
export class Engine {
  readonly modes: readonly ModePlugin[];
  /** Section order, owners and third-party schemas, derived from the modes (see registerModes). */
  readonly registry: ModeRegistry;

  constructor(
    modes: readonly ModePlugin[],
    private readonly renderer: ArtifactRenderer,
    private readonly kb: KnowledgeBase,
  ) {
    this.registry = registerModes(modes, kb);
    this.modes = this.registry.modes;
  }

  /** Which modes apply to a profile, and how strongly. */
  select(ctx: ModeContext): { mode: ModePlugin; applicability: Applicability }[] {
    return this.consider(ctx).selected;
  }

  /** Every mode's applicability, and the modes selected (score >= APPLY_THRESHOLD, else the blueprint fallback). */
  private consider(ctx: ModeContext): { scored: { mode: ModePlugin; applicability: Applicability }[]; selected: { mode: ModePlugin; applicability: Applicability }[] } {
    const scored = this.modes.map((mode) => {
      try {
        return { mode, applicability: mode.applies(ctx) };
      } catch (error) {
        throw new ModeFailedError(mode.id, error);
      }
    });
    const selected = scored.filter((s) => s.applicability.score >= APPLY_THRESHOLD);
    if (selected.length > 0) return { scored, selected };
    const fallback = scored.find((s) => s.mode.id === FALLBACK_MODE);
    return { scored, selected: fallback ? [{ mode: fallback.mode, applicability: { score: fallback.applicability.score, signals: ['fallback:standard_enterprise_blueprint'] } }] : [] };
  }

  /**
   * The delivery system a plan of `input` builds on (images, repositories, signer, GitOps layout),
   * without the modes contributing: what promotion and signature checks need from a profile.
   */
  delivery(input: unknown): DeliverySystem {
    const { profile, selected } = this.understand(input);
    return deliverySystem(profile, selected.map((s) => s.mode.id));
  }

  /** Validate, normalize, read the goal, and select the modes: the part of a plan before any mode contributes. */
  private understand(input: unknown) {
    const { profile: given, warnings: inputWarnings } = validateProfile(input);
    const normalized = normalizeProfile(given, KNOWN_TOP_LEVEL_KEYS);
    const intent = goalIntent(normalized.profile.goal);
    // Symptoms in the goal ("the bill doubled") are pains the modes must see, stated as assumptions.
    const stated = withStatedPains(normalized.profile, statedPains(intent, this.modes, normalized.profile));
    const profile = deepFreeze(stated.profile);
    const assumptions = [...normalized.assumptions, ...stated.assumptions];
    const contradictions = deepFreeze(profileContradictions(profile));
    // Selection sees the delivery system before any mode is chosen; contribute() sees it for the selected modes.
    const delivery = deepFreeze(deliverySystem(profile, []));
    // Names the files would derive twice (one cluster object for two services) are refused like any invalid input.
    const clashes = deliveryNameClashes(delivery);
    if (clashes.length > 0) throw new ProfileInputError(clashes);
    const ctx: ModeContext = Object.freeze({ profile, intent, contradictions, delivery });
    return { inputWarnings, profile, assumptions, contradictions, ctx, ...this.consider(ctx) };
  }

  plan(input: unknown): PlanResult {
    const { inputWarnings, profile, assumptions, contradictions, ctx, scored, selected } = this.understand(input);
    const selectedIds = selected.map((s) => s.mode.id);
    const goalEngaged = selected.some((s) => (s.applicability.goal ?? []).length > 0);
    const warnings = [...inputWarnings];
    const fallbacks: string[] = [];
    if (selected.length === 1 && selected[0]?.applicability.signals[0] === 'fallback:standard_enterprise_blueprint') {
      warnings.push('goal not recognized and no profile signal selected a mode: standard enterprise blueprint (spec section 10).');
      fallbacks.push('blueprint: requirements ambiguous, standard enterprise blueprint with warnings.');
    }

    const contributions: { mode: ModePlugin; score: number; contribution: Contribution }[] = [];
    const delivery = deepFreeze(deliverySystem(profile, selectedIds));
    for (const { mode, applicability } of selected) {
      try {
        const companions = Object.freeze(selectedIds.filter((id) => id !== mode.id));
        contributions.push({ mode, score: applicability.score, contribution: mode.contribute(Object.freeze({ ...ctx, delivery, companions })) });
      } catch (error) {
        throw new ModeFailedError(mode.id, error);
      }
    }

    const scores = new Map(contributions.map((c) => [c.mode.id, c.score]));
    const all: ModeDecision[] = contributions.flatMap((c) => c.contribution.decisions.map((d) => ({ ...d, mode: c.mode.id })));
    for (const decision of all) assertKnownSection(this.registry, decision.mode, decision.field);
    const merged = mergeDecisions(all, scores, { owners: this.registry.owners, precedence: new Map(this.modes.map((m) => [m.id, m.precedence ?? 0])) });

    const sections: Record<string, unknown> = {};
    for (const [field, value] of merged.fields) setPath(sections, field, value);

    // Artifacts: one per file name; a second mode asking for the same name is a conflict, the earlier mode keeps it.
    let artifacts: { spec: ArtifactSpec; mode: string }[] = [];
    for (const c of contributions) {
      for (const spec of c.contribution.artifacts) {
        const existing = artifacts.find((a) => a.spec.name === spec.name);
        if (!existing) artifacts.push({ spec, mode: c.mode.id });
        else merged.conflicts.push({ field: `artifacts_to_generate/${spec.name}`, winner: existing.mode, values: [{ mode: existing.mode, rule: 'artifact', value: existing.spec.path }, { mode: c.mode.id, rule: 'artifact', value: spec.path }], resolution: 'the earlier mode keeps the file name' });
      }
      warnings.push(...c.contribution.warnings);
      fallbacks.push(...c.contribution.fallbacks);
    }
    const notGenerated = contributions.flatMap((c) => (c.contribution.notGenerated ?? []).map((n) => ({ artifact: n.artifact, reason: n.reason, mode: c.mode.id })));

    artifacts = linkPlan(artifacts, delivery);

    const files: PlannedFile[] = [];
    const entries: ArtifactEntry[] = artifacts.map(({ spec, mode }) => {
      const rendered = this.renderer.render(spec);
      const kb = [...new Set([...spec.kb, ...tracesInText(rendered.content)])].sort();
      files.push({ path: spec.path, content: rendered.content, artifact: spec.name, kb });
      for (const companion of rendered.companions ?? []) files.push({ path: companion.path, content: companion.content, artifact: spec.name, kb });
      return { name: spec.name, type: spec.type, content_skeleton: rendered.content, path: spec.path, format: spec.body.format, mode, kb };
    });

    const violations = checkGuardrails(files, merged.fields);
    if (violations.length > 0) throw new GuardrailViolationError(violations);

    const riskIds = [...new Set(contributions.flatMap((c) => c.contribution.risks))] as RiskId[];
    const risks = riskIds.map(riskRow);

    const asks = new Set<AskCriterionId>(selected.flatMap((s) => s.mode.dependsOn.asks));
    const decisionLog: DecisionLog = {
      assumptions: [...assumptions, ...deliveryAssumptions(files, delivery.defaults)],
      risk_tier: profile.risk_tier,
      // A goal no mode recognised is asked about first: planning the blueprint alone would guess.
      // A contradiction is always asked: no mode can generate a coherent file for it.
      needs_clarification: [
        ...(goalEngaged ? [] : [goalQuestion(profile.goal, this.modes)]),
        ...clarificationsFor(asks, profile),
        ...contradictions.map((c) => `${c.id}: ${c.question}`),
      ],
      modes: selected.map((s) => ({ id: s.mode.id, score: s.applicability.score, signals: s.applicability.signals })),
      considered: scored.map(({ mode, applicability: scoredAs }) => {
        // A selected mode reads as selected (the fallback's signal included).
        const applicability = selected.find((s) => s.mode === mode)?.applicability ?? scoredAs;
        return {
          id: mode.id,
          engaged: selectedIds.includes(mode.id),
          score: applicability.score,
          signals: applicability.signals,
          ignored: (scoredAs.ignored ?? []).map((i) => `"${i.quote}": ${i.why}`),
        };
      }),
      decisions: merged.decisions.map((d) => ({ field: d.field, value: d.value, rule: d.rule, mode: d.mode, reason: d.reason, kb: [...d.kb] })),
      conflicts: merged.conflicts,
      warnings,
      fallbacks,
    };

    const traces = new Set<string>();
    for (const c of contributions) for (const t of c.contribution.kb) traces.add(t);
    for (const d of merged.decisions) for (const t of d.kb) traces.add(t);
    for (const e of entries) for (const t of e.kb) traces.add(t);
    for (const r of risks) traces.add(r.kb);
    const knowledge = [this.kb, ...this.registry.knowledge];
    const unresolved = [...traces].filter((trace) => !knowledge.some((k) => k.has(trace)));
    if (unresolved.length > 0) throw new UnresolvedTraceError([...new Set(unresolved)].sort());

    const schemaProps = (outputSchema as { properties: Record<string, SchemaNode> }).properties;
    const output: PlanOutput = {} as PlanOutput;
    for (const section of this.registry.order) {
      const extension = this.registry.extensions.get(section);
      if (sections[section] !== undefined) output[section] = orderLike((extension?.schema as SchemaNode | undefined) ?? schemaProps[section], sections[section]);
    }
    output.decision_log = decisionLog;
    output.placeholders = placeholdersIn(files, delivery.defaults);
    if (risks.length > 0) output.risks = risks;
    output.artifacts_to_generate = entries;
    if (notGenerated.length > 0) output.not_generated = notGenerated;
    output.kb_references = [...traces].sort();
    assertValidPlan(output, this.registry);

    const requestId = createHash('sha256').update(JSON.stringify(profile)).digest('hex').slice(0, 16);
    return { output, files, requestId };
  }
}
