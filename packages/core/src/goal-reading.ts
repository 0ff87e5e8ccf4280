import { readIntents, type GoalIntent } from './intent.js';
import { APPLY_THRESHOLD, INTENT_WEIGHT, type ModePlugin } from './mode.js';
import type { NormalizedProfile, Pain } from './profile.js';

/** A pain the goal states ("the bill doubled" -> costs), with the words that state it. */
export interface StatedPain {
  pain: Pain;
  quote: string;
}

/** Pains the goal states through the modes' symptom phrases, not already in the profile; first quote per pain. */
export function statedPains(intent: GoalIntent, modes: readonly ModePlugin[], profile: NormalizedProfile): StatedPain[] {
  const found = new Map<Pain, string>();
  for (const mode of modes) {
    if (!mode.intents) continue;
    for (const hit of readIntents(intent, mode.intents, [], INTENT_WEIGHT).hits) {
      if (hit.pain && hit.weight >= APPLY_THRESHOLD && !profile.current_pain.includes(hit.pain) && !found.has(hit.pain)) found.set(hit.pain, hit.quote);
    }
  }
  return [...found].map(([pain, quote]) => ({ pain, quote })).sort((a, b) => (a.pain < b.pain ? -1 : a.pain > b.pain ? 1 : 0));
}

/** The profile with the stated pains added, and one section 4 assumption line per pain. */
export function withStatedPains(profile: NormalizedProfile, stated: readonly StatedPain[]): { profile: NormalizedProfile; assumptions: string[] } {
  if (stated.length === 0) return { profile, assumptions: [] };
  const current_pain = [...new Set([...profile.current_pain, ...stated.map((s) => s.pain)])].sort();
  return {
    profile: { ...profile, current_pain },
    assumptions: stated.map((s) => `current_pain: the goal says "${s.quote}": assumed ${s.pain}.`),
  };
}

/**
 * The question asked when no mode was engaged by the goal's words: which outcome is wanted,
 * naming the modes that deliver each (only the modes registered in this engine).
 */
export function goalQuestion(goal: string, modes: readonly ModePlugin[]): string {
  const outcomes = modes.filter((m) => m.intents).map((m) => `${m.intents!.outcome} (${m.id})`);
  const shown = goal.length > 80 ? `${goal.slice(0, 77)}...` : goal;
  return `goal: "${shown}" does not say which outcome you want. Which one first: ${outcomes.join('; ')}? Say it in the goal and the matching modes plan it.`;
}
