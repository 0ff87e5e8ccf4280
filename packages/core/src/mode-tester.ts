import type { ArtifactSpec } from './artifacts.js';
import { deliverySystem } from './delivery.js';
import { profileContradictions } from './contradictions.js';
import { goalIntent } from './intent.js';
import { APPLY_THRESHOLD, type ModeContext, type ModePlugin } from './mode.js';
import { deepFreeze, normalizeProfile } from './normalize.js';
import type { NotGenerated } from './not-generated.js';
import { KNOWN_TOP_LEVEL_KEYS, validateProfile } from './validate.js';

/** A profile and what a mode must decide for it, by field. */
export interface ModeCase {
  name: string;
  profile: Record<string, unknown>;
  /** field -> expected value; `undefined` means the field must not be decided. */
  decisions?: Record<string, unknown>;
  /** rule ids that must fire. */
  rules?: string[];
  /** file names the mode must ask for. */
  artifacts?: string[];
}

/**
 * Builds the context a mode sees, from a profile that must be valid; `companions` are the other
 * selected modes, `self` the mode under test (both shape the plan's delivery system).
 */
export function contextFor(profile: Record<string, unknown>, companions: readonly string[] = [], self?: string): ModeContext {
  const { profile: given } = validateProfile(structuredClone(profile));
  const { profile: normalized } = normalizeProfile(given, KNOWN_TOP_LEVEL_KEYS);
  const frozen = deepFreeze(normalized);
  const delivery = deepFreeze(deliverySystem(frozen, self === undefined ? companions : [self, ...companions]));
  return Object.freeze({
    profile: frozen,
    intent: goalIntent(normalized.goal),
    delivery,
    companions: Object.freeze([...companions]),
    contradictions: deepFreeze(profileContradictions(normalized)),
  });
}

export interface ModeRun {
  applies: boolean;
  score: number;
  decisions: Map<string, { value: unknown; rule: string }>;
  artifacts: ArtifactSpec[];
  notGenerated: NotGenerated[];
}

/** Runs one mode on one profile, without a container or renderer; `companions` as if those modes were selected too. */
export function runMode(mode: ModePlugin, profile: Record<string, unknown>, companions: readonly string[] = []): ModeRun {
  const ctx = contextFor(profile, companions, mode.id);
  const { score } = mode.applies(ctx);
  const contribution = mode.contribute(ctx);
  return {
    applies: score >= APPLY_THRESHOLD,
    score,
    decisions: new Map(contribution.decisions.map((d) => [d.field, { value: d.value, rule: d.rule }])),
    artifacts: contribution.artifacts,
    notGenerated: contribution.notGenerated ?? [],
  };
}
