import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compilePhrase,
  createContainer,
  defineMode,
  engineFrom,
  findPhrase,
  goalIntent,
  KnowledgeBase,
  matchKeywords,
  ModeDefinitionError,
  modeModule,
  readIntents,
  rendererModule,
  type IntentTable,
  type ModeContext,
  type ModeDefinition,
} from '../src/index.js';

const says = (goal: string, phrase: string): boolean => findPhrase(goalIntent(goal), compilePhrase(phrase)).length > 0;

describe('reading a goal', () => {
  it.each([
    ['Restored the backups', 'restore ... backup'],
    ['restoring backups', 'restore backup'],
    ['We PRIORITISED the fixes', 'prioritize ... fix'],
    ['prioritizing fixes', 'prioritise fixes'],
    ['we lost a whole region', 'lose ... region'],
    ['paged at 3 a.m. again', '# am'],
    ['paged at 4am', '# am'],
    ['on-call rota', 'on call'],
    ['CI/CD for the API', 'ci cd'],
    ['the data centre', 'data center'],
    ['Émigré migrations', 'migrat*'],
  ])('"%s" says "%s"', (goal, phrase) => {
    expect(says(goal, phrase)).toBe(true);
  });

  it.each([
    ['data integrity', 'integration'],
    ['continuous delivery', 'continuity'],
    ['we lose customers. A region is fine', 'lose ... region'],
    ['lose a lot of very big old region', 'lose ... region'],
    ['region lost', 'lose ... region'],
  ])('"%s" does not say "%s"', (goal, phrase) => {
    expect(says(goal, phrase)).toBe(false);
  });

  it('reads words that are also Object property names', () => {
    expect(goalIntent('constructor toString __proto__ valueOf hasOwnProperty').words).toEqual(['constructor', 'tostring', 'proto', 'valueof', 'hasownproperty']);
  });

  it('quotes the goal as written', () => {
    const intent = goalIntent('What if we LOSE a whole Region?');
    const span = findPhrase(intent, compilePhrase('lose ... region'))[0]!;
    expect(intent.goal.slice(intent.tokens[span[0]]!.start, intent.tokens[span[1] - 1]!.end)).toBe('LOSE a whole Region');
  });

  it('keeps matchKeywords for mode rules (stems, prefixes, word runs)', () => {
    expect(matchKeywords(goalIntent('Signed images, blue-green'), ['sign', 'blue green', 'cosign', 'imag*'])).toEqual(['sign', 'blue green', 'imag*']);
  });
});

const table: IntentTable = {
  outcome: 'recovery',
  intents: [
    { means: 'a region lost', phrases: ['lose ... region'] },
    { means: 'the bill went up', phrases: ['bill ... doubl*'], pain: 'costs' },
    { means: 'no downtime', phrases: ['no downtime'], weight: 0.4 },
  ],
  falseFriends: ['billing change*'],
};

describe('negation and false friends', () => {
  const read = (goal: string) => readIntents(goalIntent(goal), table, ['dr', 'backup*', 'billing', 'downtime'], 0.9);

  it.each([
    ['No need for DR, just a pipeline', 'DR', 'dismissed by "No need for"'],
    ["we don't need backups", 'backups', `dismissed by "don't need"`],
    ['this is not about billing', 'billing', 'dismissed by "not about"'],
    ['ship the billing change', 'billing', 'part of "billing change", which means something else'],
  ])('"%s": "%s" is set aside', (goal, quote, why) => {
    const reading = read(goal);
    expect(reading.hits).toEqual([]);
    expect(reading.ignored).toEqual([{ quote, why }]);
  });

  it('a lack is a need: "we have no backups", "there is no DR"', () => {
    expect(read('we have no backups').hits.map((h) => h.quote)).toEqual(['backups']);
    expect(read('there is no DR').hits.map((h) => h.quote)).toEqual(['DR']);
  });

  it('"no more" and "no longer" want the thing gone, and the need stands', () => {
    expect(read('no more backups failing').hits.map((h) => h.quote)).toEqual(['backups']);
  });

  it('a phrase that starts with a negation is read whole ("no downtime"), and its keyword inside is dismissed', () => {
    const reading = read('Upgrade with no downtime');
    expect(reading.hits).toEqual([{ quote: 'no downtime', means: 'no downtime', weight: 0.4 }]);
    expect(reading.ignored).toEqual([{ quote: 'downtime', why: 'dismissed by "no"' }]);
  });

  it('a dismissal reaches only its own clause', () => {
    expect(read('No canary please. We need DR').hits.map((h) => h.quote)).toEqual(['DR']);
    expect(read('not about cost, but we need DR').hits.map((h) => h.quote)).toEqual(['DR']);
  });

  it('a symptom carries its pain', () => {
    expect(read('our bill has doubled').hits).toContainEqual({ quote: 'bill has doubled', means: 'the bill went up', weight: 0.9, pain: 'costs' });
  });
});

describe('defineMode checks the intent table', () => {
  const base: ModeDefinition = { id: 'x', title: 'X', specMode: null, kb: [], dependsOn: { inputs: [], asks: [] }, keywords: [], signals: [], rules: [] };
  it.each([
    ['a weight above 1', { outcome: 'o', intents: [{ means: 'm', phrases: ['a'], weight: 1.5 }] }, /weight must be in/],
    ['no phrase', { outcome: 'o', intents: [{ means: 'm', phrases: [] }] }, /has no phrase/],
    ['a leading gap', { outcome: 'o', intents: [{ means: 'm', phrases: ['... region'] }] }, /only between words/],
    ['an empty false friend', { outcome: 'o', intents: [], falseFriends: ['  '] }, /must have words/],
    ['no meaning', { outcome: 'o', intents: [{ means: ' ', phrases: ['a'] }] }, /no meaning/],
  ])('rejects %s', (_name, intents, message) => {
    expect(() => defineMode({ ...base, intents: intents as IntentTable })).toThrow(ModeDefinitionError);
    expect(() => defineMode({ ...base, intents: intents as IntentTable })).toThrow(message);
  });
});

describe('the engine reads the goal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rm-kb-'));
  writeFileSync(join(dir, 'KB_01_architecture.md'), '# KB_01 — Architecture\n\n## Architecture\n\nText.\n');
  const mode = (id: string, field: string, intents: IntentTable, keywords: string[] = []) =>
    defineMode({
      id,
      title: id,
      specMode: null,
      kb: ['KB_01#Architecture'],
      dependsOn: { inputs: [], asks: [] },
      keywords,
      intents,
      signals: [{ id: 'pain:costs', weight: 0.3, when: (p) => p.current_pain.includes('costs') }],
      rules: [{ id: `${id}/r`, field, value: (ctx: ModeContext) => `pains: ${ctx.profile.current_pain.join(',')}`, why: 'Because.', kb: ['KB_01#Architecture'] }],
    });
  const dr = mode('dr', 'dr_plan.rpo', { outcome: 'recovery from disasters', intents: [{ means: 'a region lost', phrases: ['lose ... region'] }] });
  const finops = mode('finops', 'finops_controls.budgets', { outcome: 'lower cost', intents: [{ means: 'the bill went up', phrases: ['bill ... doubl*'], pain: 'costs' }], falseFriends: ['billing change'] }, ['billing']);
  const engine = engineFrom(createContainer([modeModule(dr), modeModule(finops), rendererModule({ render: (s) => ({ content: JSON.stringify(s.body) }) })], new KnowledgeBase(dir)));

  it('names the goal words that engaged a mode, and every mode considered', () => {
    const log = engine.plan({ goal: 'What if we lose a region, and ship the billing change?' }).output.decision_log;
    expect(log.modes).toEqual([{ id: 'dr', score: 0.9, signals: ['goal:"lose a region" (a region lost)'] }]);
    expect(log.considered).toEqual([
      { id: 'dr', engaged: true, score: 0.9, signals: ['goal:"lose a region" (a region lost)'], ignored: [] },
      { id: 'finops', engaged: false, score: 0, signals: [], ignored: ['"billing": part of "billing change", which means something else'] },
    ]);
    expect(log.needs_clarification).toEqual([]);
  });

  it('a symptom sets current_pain as an assumption, which the modes see', () => {
    const { output } = engine.plan({ goal: 'our bill doubled' });
    expect(output.decision_log.assumptions).toContain('current_pain: the goal says "bill doubled": assumed costs.');
    expect(output.decision_log.modes.map((m) => [m.id, m.signals])).toEqual([['finops', ['goal:"bill doubled" (the bill went up)', 'goal:"bill"', 'pain:costs']]]);
    expect(output['finops_controls']).toEqual({ budgets: 'pains: costs' });
  });

  it('a pain the profile already states is not assumed again', () => {
    const { output } = engine.plan({ goal: 'our bill doubled', current_pain: ['costs'] });
    expect(output.decision_log.assumptions.filter((a) => a.startsWith('current_pain'))).toEqual([]);
  });

  it('a goal that engages no mode is asked about, naming the outcomes and their modes', () => {
    const log = engine.plan({ goal: 'Make things better' }).output.decision_log;
    expect(log.needs_clarification).toEqual([
      'goal: "Make things better" does not say which outcome you want. Which one first: recovery from disasters (dr); lower cost (finops)? Say it in the goal and the matching modes plan it.',
    ]);
  });

  it('the same goal gives the same reading', () => {
    const goal = 'We lost a region; the bill doubled; not the billing change';
    expect(JSON.stringify(engine.plan({ goal }).output)).toBe(JSON.stringify(engine.plan({ goal }).output));
  });
});
