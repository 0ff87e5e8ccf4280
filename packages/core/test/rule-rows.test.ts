import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModeRows, defineMode, KnowledgeBase, type Rule } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rm-kb-'));
writeFileSync(join(dir, 'KB_01_architecture.md'), '# KB_01 — Architecture\n\n## Build_Once\n\nText.\n');
const kb = new KnowledgeBase(dir);

const rules = [
  { id: 'cache/costly', field: 'pipeline_blueprint.caching_strategy', when: (c) => c.profile.current_pain.includes('costs'), value: 'aggressive', why: 'Costs hurt.', kb: ['KB_01#Build_Once'] },
  { id: 'cache/default', field: 'pipeline_blueprint.caching_strategy', value: 'scoped_keys', why: 'Default.', kb: ['KB_01#Build_Once'] },
] as const satisfies readonly Rule[];

const cacheMode = defineMode({ id: 'cache', title: 'Cache', specMode: null, kb: [], dependsOn: { inputs: [], asks: [] }, keywords: [], signals: [], rules });

describe('checkModeRows', () => {
  it('passes a complete, correct table', () => {
    expect(
      checkModeRows(cacheMode, rules, {
        'cache/costly': { fires: { profile: { goal: 'x', current_pain: ['costs'] }, value: 'aggressive' }, skips: { profile: { goal: 'x' } } },
        'cache/default': { fires: { profile: { goal: 'x' }, value: 'scoped_keys' } },
      }, { kb }),
    ).toEqual([]);
  });

  it('reports a missing skips row, a wrong value, a rule that does not fire and one that should not', () => {
    const problems = checkModeRows(cacheMode, rules, {
      'cache/costly': { fires: { profile: { goal: 'x' } } },
      'cache/default': { fires: { profile: { goal: 'x' }, value: 'none' } },
    }, { kb });
    expect(problems).toEqual([
      'cache/costly: conditional rule without a skips row',
      'cache/costly: fires row: pipeline_blueprint.caching_strategy decided by cache/default',
      'cache/default: fires row: pipeline_blueprint.caching_strategy is "scoped_keys", expected "none"',
    ]);
    const still = checkModeRows(cacheMode, rules, {
      'cache/costly': { fires: { profile: { goal: 'x', current_pain: ['costs'] } }, skips: { profile: { goal: 'x', current_pain: ['costs'] } } },
      'cache/default': { fires: { profile: { goal: 'x' } } },
    }, { kb });
    expect(still).toEqual(['cache/costly: skips row: the rule still decided pipeline_blueprint.caching_strategy']);
  });

  it('reports a rule without a row (the compiler already demands it for an as-const table) and a KB trace that does not resolve', () => {
    // @ts-expect-error -- an as-const rule table: the compiler demands a row for cache/costly
    expect(checkModeRows(cacheMode, rules, { 'cache/default': { fires: { profile: { goal: 'x' } } } }, { kb })).toEqual(['cache/costly: no row (every rule needs one)']);
    const loose: readonly Rule[] = rules;
    expect(checkModeRows(cacheMode, loose, { 'cache/default': { fires: { profile: { goal: 'x' } } } }, { kb })).toEqual(['cache/costly: no row (every rule needs one)']);
    const empty = new KnowledgeBase(mkdtempSync(join(tmpdir(), 'rm-kb-')));
    expect(checkModeRows(cacheMode, loose, { 'cache/default': { fires: { profile: { goal: 'x' } } }, 'cache/costly': { fires: { profile: { goal: 'x', current_pain: ['costs'] } }, skips: { profile: { goal: 'x' } } } }, { kb: empty })[0]).toMatch(/^cache\/costly: fires row: unresolved KB trace\(s\): KB_01#Build_Once/);
  });
});
