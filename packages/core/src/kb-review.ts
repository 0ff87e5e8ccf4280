import { RingmasterError } from './errors.js';
import { isIsoDate, loadKnowledgeBase, type KnowledgeBase, type KbSection } from './kb.js';

/** A malformed `--older-than` age or reference date. Exit code 2 at the CLI edge. */
export class KbReviewInputError extends RingmasterError {
  constructor(what: string, expected: string, found: string) {
    super('kb_review_input', `${what}: expected ${expected}, found '${found}'`);
  }
}

/** An age such as `90d`, `12w`, `6m` or `1y`. */
export interface KbAge {
  count: number;
  unit: 'd' | 'w' | 'm' | 'y';
}

const AGE = /^([1-9]\d{0,3})([dwmy])$/;

export function parseKbAge(text: string, what = '--older-than'): KbAge {
  const m = AGE.exec(text.trim());
  if (!m) throw new KbReviewInputError(what, 'a positive age such as 90d, 12w, 6m or 1y', text);
  return { count: Number(m[1]), unit: m[2] as KbAge['unit'] };
}

/** The `YYYY-MM-DD` that lies `age` before `date`; months and years are calendar months (31 March − 1m = 28/29 February). */
export function dateBefore(date: string, age: KbAge): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  if (age.unit === 'd' || age.unit === 'w') {
    const days = age.count * (age.unit === 'w' ? 7 : 1);
    return new Date(Date.UTC(y, mo - 1, d - days)).toISOString().slice(0, 10);
  }
  const months = age.count * (age.unit === 'y' ? 12 : 1);
  const first = new Date(Date.UTC(y, mo - 1 - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** Checks a reference date given by a user (`--as-of`, `RINGMASTER_AS_OF`). */
export function parseReferenceDate(text: string, what: string): string {
  if (!isIsoDate(text.trim())) throw new KbReviewInputError(what, 'a calendar date YYYY-MM-DD', text);
  return text.trim();
}

/** Sections verified before `cutoff` (`YYYY-MM-DD`), oldest first. */
export function sectionsVerifiedBefore(kb: KnowledgeBase, cutoff: string, traces: Iterable<string> = kb.traces()): KbSection[] {
  return [...new Set(traces)]
    .map((t) => kb.get(t))
    .filter((s): s is KbSection => s !== undefined && s.verified !== '' && s.verified < cutoff)
    .sort((a, b) => a.verified.localeCompare(b.verified) || a.trace.localeCompare(b.trace));
}

/** The newest `Verified:` date in the knowledge base: the date the KB as shipped was last reviewed. */
export function latestVerified(kb: KnowledgeBase): string {
  return kb.traces().reduce((latest, t) => {
    const v = kb.get(t)?.verified ?? '';
    return v > latest ? v : latest;
  }, '');
}

/** Environment variable that sets the plan report's reference date for KB age notes. */
export const AS_OF_ENV = 'RINGMASTER_AS_OF';

/**
 * The plan's reference date for "this decision rests on old knowledge": `RINGMASTER_AS_OF`
 * when set, else the KB's own latest review date. Never the wall clock, so that the same
 * profile and KB give the same report on every run and every day.
 */
export function planReferenceDate(kb: KnowledgeBase, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env[AS_OF_ENV];
  return given ? parseReferenceDate(given, AS_OF_ENV) : latestVerified(kb);
}

/** How old a section may be, relative to the plan's reference date, before the report notes it. */
export const KB_REPORT_MAX_AGE: KbAge = { count: 1, unit: 'y' };

/** The cited sections verified more than a year before the plan's reference date. */
export function staleCitations(traces: Iterable<string>, kb: KnowledgeBase = loadKnowledgeBase(), asOf: string = planReferenceDate(kb)): { asOf: string; sections: KbSection[] } {
  return { asOf, sections: sectionsVerifiedBefore(kb, dateBefore(asOf, KB_REPORT_MAX_AGE), traces) };
}
