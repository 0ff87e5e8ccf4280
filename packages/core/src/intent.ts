import { stemmer } from 'stemmer';
import type { Pain } from './profile.js';

/**
 * Goal understanding. A goal is read into tokens (case, accents, British spelling and
 * inflection folded: `Prioritised` and `prioritizing` are one word), split into clauses
 * at punctuation and at "but". Modes describe what they are for as phrases (data in each
 * mode package); a phrase matches the goal's words, never the goal as a whole string.
 *
 * Phrase syntax, one phrase per string:
 * - words match by stem (`restore` matches `restored`, `restoring`);
 * - `word*` matches a word starting with `word` (`migrat*`: `migration`, `migrating`);
 * - `#` matches a number (`# am` matches "3 a.m.", "4am");
 * - `...` lets up to three other words of the same clause stand between (`lose ... region`).
 */

export interface GoalToken {
  /** The word as normalised: lower case, no accents, no apostrophes, American spelling. */
  readonly word: string;
  /** Its Porter stem (irregular verbs first folded to their base form). */
  readonly stem: string;
  /** Index of the clause the word is in. */
  readonly clause: number;
  /** Where the word is in the goal text, for quoting it. */
  readonly start: number;
  readonly end: number;
}

export interface GoalIntent {
  /** The goal's normalised words joined by one space. */
  readonly text: string;
  readonly words: readonly string[];
  readonly tokens: readonly GoalToken[];
  /** The goal text as given (for quoting the words that engaged a mode). */
  readonly goal: string;
  /** The first letters of every word (and of its base form): a cheap test of which phrases may occur. */
  readonly roots: ReadonlySet<string>;
}

/** What a mode is for, said the way people say it. */
export interface Intent {
  /** What the goal means when it says one of the phrases, shown in explanations ("a region lost"). */
  means: string;
  phrases: readonly string[];
  /** 0..1, INTENT_WEIGHT when absent; below the apply threshold, a cue needs a second one. */
  weight?: number;
  /** The current pain this symptom states; the engine adds it to the profile as an assumption. */
  pain?: Pain;
}

/** A mode's goal vocabulary, kept as data in the mode package. */
export interface IntentTable {
  /** The outcome the mode delivers, in the user's words, for the question asked when a goal is unclear. */
  outcome: string;
  intents: readonly Intent[];
  /** Phrases that look like the mode but mean something else ("billing change" is not about cost). */
  falseFriends?: readonly string[];
}

/** A phrase of the goal that engaged a mode. */
export interface IntentHit {
  /** The goal's words as written. */
  quote: string;
  /** What they were read as; absent for a plain keyword of the mode. */
  means?: string;
  weight: number;
  pain?: Pain;
}

/** A phrase of the goal that looked like a mode but was not taken, and why. */
export interface IgnoredPhrase {
  quote: string;
  why: string;
}

// Irregular forms the stemmer cannot fold ("lost" and "lose" must meet).
const IRREGULAR: ReadonlyMap<string, string> = new Map(Object.entries({
  lost: 'lose', broke: 'break', broken: 'break', took: 'take', taken: 'take', went: 'go', gone: 'go',
  woke: 'wake', woken: 'wake', ran: 'run', fell: 'fall', fallen: 'fall', paid: 'pay', spent: 'spend',
  kept: 'keep', wrote: 'write', written: 'write', got: 'get', gotten: 'get', made: 'make', did: 'do',
  done: 'do', saw: 'see', seen: 'see', left: 'leave', built: 'build', held: 'hold', froze: 'freeze',
  frozen: 'freeze', stole: 'steal', stolen: 'steal', leapt: 'leap', rang: 'ring', rung: 'ring',
  shipped: 'ship', shook: 'shake', blew: 'blow', blown: 'blow', bit: 'bite', bitten: 'bite', hid: 'hide',
  hidden: 'hide', caught: 'catch', brought: 'bring', bought: 'buy', ate: 'eat', eaten: 'eat',
  drove: 'drive', driven: 'drive', grew: 'grow', grown: 'grow', knew: 'know', known: 'know',
}));

// British spellings folded to American, so that both spellings of a goal read the same.
const BRITISH_WORDS: ReadonlyMap<string, string> = new Map(Object.entries({
  catalogue: 'catalog', licence: 'license', defence: 'defense', offence: 'offense', centre: 'center',
  programme: 'program', behaviour: 'behavior', colour: 'color', favour: 'favor', honour: 'honor',
  labour: 'labor', rumour: 'rumor', grey: 'gray', cheque: 'check', tonne: 'ton', whilst: 'while', amongst: 'among',
}));

function americanSpelling(word: string): string {
  const whole = BRITISH_WORDS.get(word);
  if (whole) return whole;
  // -ise/-isation/-yse: a folding applied to every word alike, so a false fold ("compromise"
  // -> "compromize") still matches itself; only the two spellings of one word must meet.
  return word
    .replace(/(.{3,})is(e|ed|es|ing|ation|ations|er|ers)$/, '$1iz$2')
    .replace(/(.{2,})ys(e|ed|es|ing)$/, '$1yz$2')
    .replace(/(.{3,})(our)(s|ed|ing)?$/, (m, head: string, _our: string, tail = '') => (/(hour|four|your|pour|tour|sour|flour|ours|our)$/.test(m) ? m : `${head}or${tail}`));
}

const stemCache = new Map<string, string>();

/** The stem a word is compared by (cached: goals and phrases reuse few words). */
export function stemOf(word: string): string {
  let stem = stemCache.get(word);
  if (stem === undefined) {
    stem = stemmer(IRREGULAR.get(word) ?? word);
    if (stemCache.size < 50_000) stemCache.set(word, stem);
  }
  return stem;
}

// Words (with inner apostrophes) and the punctuation that ends a clause; "/" and "-" join ("CI/CD", "on-call").
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[.,;:!?()[\]{}"“”]|\s[-–—]\s|[–—]/gu;
const CLAUSE_WORDS = new Set(['but', 'however', 'although', 'though', 'whereas']);

function foldWord(raw: string): string {
  return raw
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f'’]/g, '');
}

/** Splits "3am" into "3" "am" and "sev1" into "sev" "1", so that numbers stand alone. */
function splitDigits(word: string): string[] {
  return word.split(/(?<=\d)(?=\p{L})|(?<=\p{L})(?=\d)/u);
}

/** Reads a goal: tokens with stems and clauses. Pure and deterministic. */
export function goalIntent(goal: string): GoalIntent {
  const tokens: GoalToken[] = [];
  let clause = 0;
  let previousRaw = '';
  for (const m of goal.matchAll(TOKEN)) {
    const raw = m[0];
    const start = m.index;
    const wordLike = /[\p{L}\p{N}]/u.test(raw);
    // Punctuation ends a clause, except the dot after a single letter ("a.m.", "e.g.").
    if (!wordLike && !(raw === '.' && /^\p{L}$/u.test(previousRaw))) clause++;
    previousRaw = raw;
    if (!wordLike) continue;
    for (const part of splitDigits(foldWord(raw))) {
      if (part === '') continue;
      const prev = tokens[tokens.length - 1];
      // "3 a.m." and "3 a m" read as "3 am".
      if (part === 'm' && prev && (prev.word === 'a' || prev.word === 'p') && /^\d+$/.test(tokens[tokens.length - 2]?.word ?? '')) {
        tokens[tokens.length - 1] = { ...prev, word: `${prev.word}m`, stem: `${prev.word}m`, end: start + raw.length };
        continue;
      }
      if (CLAUSE_WORDS.has(part)) {
        clause++;
        continue;
      }
      const word = americanSpelling(part);
      tokens.push({ word, stem: stemOf(word), clause, start, end: start + raw.length });
    }
  }
  const words = tokens.map((t) => t.word);
  const roots = new Set<string>();
  for (const word of words) {
    roots.add(rootOf(word));
    const base = IRREGULAR.get(word);
    if (base) roots.add(rootOf(base));
  }
  return { text: words.join(' '), words, tokens, goal, roots };
}

const ROOT_LENGTH = 3;
const rootOf = (word: string): string => word.slice(0, ROOT_LENGTH);

const phraseRoots = new Map<string, string[]>();

/**
 * The roots a goal must have for a phrase to occur in it, without stemming: the first letters
 * of each word of the phrase (inflection and spelling change only later letters). Phrases are
 * written in plain ASCII. A prefix shorter than a root, `#` and `...` ask for nothing.
 */
function rootsOfPhrase(source: string): string[] {
  let roots = phraseRoots.get(source);
  if (!roots) {
    roots = [];
    for (const piece of source.toLowerCase().replace(/'/g, '').split(/\s+/)) {
      const lead = /^[a-z]+|^[0-9]+/.exec(piece)?.[0];
      if (!lead || (piece.endsWith('*') && lead.length < ROOT_LENGTH && lead.length === piece.length - 1)) continue;
      roots.push(rootOf(IRREGULAR.get(lead) ?? lead));
    }
    phraseRoots.set(source, roots);
  }
  return roots;
}

/** False when a phrase cannot occur in the goal (a word's root is missing): most phrases, cheaply. */
export function phraseMayOccur(intent: GoalIntent, source: string): boolean {
  return rootsOfPhrase(source).every((root) => intent.roots.has(root));
}

type Part = { kind: 'stem'; stem: string; residue: string } | { kind: 'prefix'; prefix: string } | { kind: 'number' } | { kind: 'gap' };

/** A phrase compiled once: its parts, in order. */
export interface Phrase {
  readonly source: string;
  readonly parts: readonly Part[];
}

const phraseCache = new Map<string, Phrase>();

export function compilePhrase(source: string): Phrase {
  const cached = phraseCache.get(source);
  if (cached) return cached;
  const parts: Part[] = [];
  for (const piece of source.trim().split(/\s+/)) {
    if (piece === '...') parts.push({ kind: 'gap' });
    else if (piece === '#') parts.push({ kind: 'number' });
    else if (piece.endsWith('*')) parts.push({ kind: 'prefix', prefix: foldWord(piece.slice(0, -1)) });
    else {
      for (const folded of splitDigits(foldWord(piece))) {
        const word = americanSpelling(folded);
        if (/[\p{L}\p{N}]/u.test(word)) parts.push({ kind: 'stem', stem: stemOf(word), residue: residueOf({ word, stem: stemOf(word) }) });
      }
    }
  }
  const phrase = { source, parts };
  phraseCache.set(source, phrase);
  return phrase;
}

const MAX_GAP = 3;

// The stemmer also strips derivational suffixes, which change the meaning: "integrity" and
// "integration", "continuity" and "continuous" share a stem. Such a suffix must then be the same on both words.
const DERIVATIONAL = new Set(['ity', 'ities', 'ous', 'ously', 'ation', 'ations', 'ative', 'atives', 'ator', 'ators', 'ism', 'ist', 'ists', 'ivity', 'ance', 'ence', 'ences', 'ant', 'ent', 'ible', 'able', 'ful', 'less', 'ual']);

/** What the stemmer removed from a word: "integrity" -> "ity". */
function residueOf(token: { word: string; stem: string }): string {
  let i = 0;
  while (i < token.word.length && token.word[i] === token.stem[i]) i++;
  return token.word.slice(i);
}

function partMatches(part: Part, token: GoalToken): boolean {
  switch (part.kind) {
    case 'stem': {
      if (token.stem !== part.stem) return false;
      const residue = residueOf(token);
      return residue === part.residue || !(DERIVATIONAL.has(residue) || DERIVATIONAL.has(part.residue));
    }
    case 'prefix':
      return token.word.startsWith(part.prefix) || token.stem.startsWith(part.prefix);
    case 'number':
      return /^\d+$/.test(token.word);
    default:
      return false;
  }
}

/** The end (exclusive) of a match of `parts` starting at token `i`, or -1. */
function matchFrom(tokens: readonly GoalToken[], parts: readonly Part[], p: number, i: number, clause: number): number {
  if (p === parts.length) return i;
  const part = parts[p]!;
  if (part.kind === 'gap') {
    for (let skip = 0; skip <= MAX_GAP; skip++) {
      const at = i + skip;
      if (at > tokens.length || (skip > 0 && tokens[at - 1]!.clause !== clause)) break;
      const end = matchFrom(tokens, parts, p + 1, at, clause);
      if (end >= 0) return end;
    }
    return -1;
  }
  const token = tokens[i];
  if (!token || token.clause !== clause || !partMatches(part, token)) return -1;
  return matchFrom(tokens, parts, p + 1, i + 1, clause);
}

/** Every place a phrase occurs in the goal, as token spans [start, end). */
export function findPhrase(intent: GoalIntent, phrase: Phrase): [number, number][] {
  const spans: [number, number][] = [];
  if (phrase.parts.length === 0) return spans;
  for (let i = 0; i < intent.tokens.length; i++) {
    const end = matchFrom(intent.tokens, phrase.parts, 0, i, intent.tokens[i]!.clause);
    if (end > i) spans.push([i, end]);
  }
  return spans;
}

/** The goal's own words for a token span. */
export function quoteOf(intent: GoalIntent, [start, end]: [number, number]): string {
  return intent.goal.slice(intent.tokens[start]!.start, intent.tokens[end - 1]!.end);
}

/**
 * Which keywords occur in the goal (words by stem, `prefix*`, several words in a row).
 * Kept for mode rules that ask "did the goal say X?"; no negation is applied here.
 */
export function matchKeywords(intent: GoalIntent, keywords: readonly string[]): string[] {
  return keywords.filter((keyword) => phraseMayOccur(intent, keyword) && findPhrase(intent, compilePhrase(keyword)).length > 0);
}

// Words that dismiss what follows them in the same clause ("no need for DR", "not about cost").
const DISMISSALS = [
  'no need for', 'no need to', 'dont need', 'do not need', 'does not need', 'doesnt need', 'not need', 'not about',
  'nothing to do with', 'not interested in', 'not looking for', 'not worried about', 'not concerned about',
  'dont care about', 'do not care about', 'not asking about', 'not asking for', 'not related to', 'not a', 'not an',
  'instead of', 'rather than', 'other than', 'never mind', 'forget about', 'out of scope', 'no', 'without', 'zero',
].map(compilePhrase);
// Bare "no"/"without"/"zero" after these state a lack, which is a need ("we have no backups").
const LACK_BEFORE = new Set(['have', 'has', 'had', 'is', 'are', 'there', 'theres', 'got', 'still', 'literally']);
// "no more X" and "no longer X" want X gone: the need stands.
const NOT_DISMISSAL_AFTER = new Set(['more', 'longer']);
const DISMISSAL_REACH = 3;
// A bare "no"/"without"/"zero" negates only the word right after it, past these
// ("without a DR plan"): "zero-downtime schema migrations" still asks for migrations.
const BARE_SKIPPABLE = new Set(['a', 'an', 'the', 'any', 'our', 'real', 'proper']);

/** Where the goal dismisses what follows: [start, end) of each dismissal, read once per goal. */
const dismissalsOf = new WeakMap<GoalIntent, { start: number; end: number; bare: boolean }[]>();

function dismissalSpans(intent: GoalIntent): { start: number; end: number; bare: boolean }[] {
  let spans = dismissalsOf.get(intent);
  if (!spans) {
    spans = [];
    for (const dismissal of DISMISSALS) {
      for (const [start, end] of findPhrase(intent, dismissal)) spans.push({ start, end, bare: dismissal.parts.length === 1 });
    }
    dismissalsOf.set(intent, spans);
  }
  return spans;
}

/** The dismissal that covers token `at`, if any (its words as written). */
function dismissalBefore(intent: GoalIntent, at: number): string | undefined {
  const clause = intent.tokens[at]!.clause;
  for (const { start, end, bare } of dismissalSpans(intent)) {
    if (end > at || at - end > DISMISSAL_REACH || intent.tokens[start]!.clause !== clause) continue;
    const before = intent.tokens[start - 1];
    if (bare && before && before.clause === clause && LACK_BEFORE.has(before.word)) continue;
    if (bare && NOT_DISMISSAL_AFTER.has(intent.tokens[end]?.word ?? '')) continue;
    if (bare && intent.tokens.slice(end, at).some((t) => !BARE_SKIPPABLE.has(t.word))) continue;
    return quoteOf(intent, [start, end]);
  }
  return undefined;
}

export interface IntentReading {
  hits: IntentHit[];
  ignored: IgnoredPhrase[];
}

const overlaps = (a: [number, number], b: [number, number]): boolean => a[0] < b[1] && b[0] < a[1];

/**
 * Reads a goal against a mode's keywords and intent table: the phrases that engage the
 * mode, and those set aside (dismissed by a negation, or inside a false friend). One hit
 * per intent (its first occurrence); keyword hits carry `INTENT_WEIGHT`.
 */
export function readIntents(intent: GoalIntent, table: IntentTable | undefined, keywords: readonly string[], keywordWeight: number): IntentReading {
  const masks: { span: [number, number]; quote: string }[] = [];
  for (const friend of table?.falseFriends ?? []) {
    if (!phraseMayOccur(intent, friend)) continue;
    for (const span of findPhrase(intent, compilePhrase(friend))) masks.push({ span, quote: quoteOf(intent, span) });
  }
  const groups: (Omit<Intent, 'means'> & { means?: string })[] = [...(table?.intents ?? [])];
  for (const keyword of keywords) groups.push({ phrases: [keyword], weight: keywordWeight });

  const hits: IntentHit[] = [];
  const ignored: IgnoredPhrase[] = [];
  const takenSpans = new Set<string>();
  for (const group of groups) {
    for (const source of group.phrases) {
      if (!phraseMayOccur(intent, source)) continue;
      const span = findPhrase(intent, compilePhrase(source)).find((candidate) => {
        const quote = quoteOf(intent, candidate);
        const mask = masks.find((m) => overlaps(m.span, candidate));
        const dismissal = mask ? undefined : dismissalBefore(intent, candidate[0]);
        if (!mask && !dismissal) return true;
        const why = mask ? `part of "${mask.quote}", which means something else` : `dismissed by "${dismissal}"`;
        if (!ignored.some((i) => i.quote === quote)) ignored.push({ quote, why });
        return false;
      });
      if (!span) continue;
      // The same words read by two intents count once: the first intent listed takes them.
      const key = `${span[0]}:${span[1]}`;
      if (!takenSpans.has(key)) {
        takenSpans.add(key);
        hits.push({ quote: quoteOf(intent, span), weight: group.weight ?? keywordWeight, ...(group.means ? { means: group.means } : {}), ...(group.pain ? { pain: group.pain } : {}) });
      }
      break;
    }
  }
  // A phrase set aside in one place but taken in another is not "ignored".
  const taken = new Set(hits.map((h) => h.quote.toLowerCase()));
  return { hits, ignored: ignored.filter((i) => !taken.has(i.quote.toLowerCase())) };
}

/** The signal that names a goal phrase: `goal:"lose a whole region" (a region lost)`, or `goal:"Canary"` for a keyword. */
export function goalSignal(hit: IntentHit): string {
  return hit.means ? `goal:"${hit.quote}" (${hit.means})` : `goal:"${hit.quote}"`;
}
