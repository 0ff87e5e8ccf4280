import type { Decision } from './mode.js';

export interface ModeDecision extends Decision {
  mode: string;
}

export interface Conflict {
  field: string;
  winner: string;
  values: { mode: string; rule: string; value: unknown }[];
  resolution: string;
}

export interface MergeResult {
  /** The decisions that stand, in a stable order. */
  decisions: ModeDecision[];
  /** The value of each field after merging. */
  fields: Map<string, unknown>;
  conflicts: Conflict[];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How conflicts are settled: section -> owning mode, and each mode's declared precedence. */
export interface MergePolicy {
  owners: ReadonlyMap<string, string>;
  precedence?: ReadonlyMap<string, number>;
}

/**
 * Merges decisions from several modes, given in the engine's mode order.
 * Arrays are unions in first-seen order. Two different scalars for one field are
 * a conflict: the section's owner wins, else the mode with the higher score, else
 * the higher declared precedence, else the earlier mode; every conflict is reported.
 */
export function mergeDecisions(decisions: readonly ModeDecision[], scores: ReadonlyMap<string, number>, policy: MergePolicy): MergeResult {
  const fields = new Map<string, unknown>();
  const standing = new Map<string, ModeDecision>();
  const contributors = new Map<string, ModeDecision[]>();
  const conflicts: Conflict[] = [];

  for (const decision of decisions) {
    const previous = standing.get(decision.field);
    const all = contributors.get(decision.field) ?? [];
    all.push(decision);
    contributors.set(decision.field, all);
    if (previous === undefined) {
      standing.set(decision.field, decision);
      fields.set(decision.field, decision.value);
      continue;
    }
    const current = fields.get(decision.field);
    if (Array.isArray(current) && Array.isArray(decision.value)) {
      const union = [...current];
      for (const item of decision.value) if (!union.some((u) => deepEqual(u, item))) union.push(item);
      fields.set(decision.field, union);
      continue;
    }
    if (deepEqual(current, decision.value)) continue;
    const owner = policy.owners.get(decision.field.split('.')[0] ?? '');
    let winner = previous;
    let resolution: string;
    if (owner === decision.mode || owner === previous.mode) {
      winner = owner === decision.mode ? decision : previous;
      resolution = `section owner ${owner} wins`;
    } else {
      const newScore = scores.get(decision.mode) ?? 0;
      const oldScore = scores.get(previous.mode) ?? 0;
      const newPrecedence = policy.precedence?.get(decision.mode) ?? 0;
      const oldPrecedence = policy.precedence?.get(previous.mode) ?? 0;
      if (newScore !== oldScore) {
        winner = newScore > oldScore ? decision : previous;
        resolution = 'the mode with the higher applicability score wins';
      } else if (newPrecedence !== oldPrecedence) {
        winner = newPrecedence > oldPrecedence ? decision : previous;
        resolution = 'equal scores: the mode with the higher precedence wins';
      } else {
        resolution = 'equal scores: the earlier mode wins';
      }
    }
    standing.set(decision.field, winner);
    fields.set(decision.field, winner.value);
    const existing = conflicts.find((c) => c.field === decision.field);
    const values = all.map((d) => ({ mode: d.mode, rule: d.rule, value: d.value }));
    if (existing) {
      existing.winner = winner.mode;
      existing.values = values;
      existing.resolution = resolution;
    } else {
      conflicts.push({ field: decision.field, winner: winner.mode, values, resolution });
    }
  }

  const kept = decisions.filter((d) => {
    const winner = standing.get(d.field);
    return winner === d || Array.isArray(d.value);
  });
  return { decisions: kept, fields, conflicts };
}

/** Sets `a.b.c` in a nested object, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}
