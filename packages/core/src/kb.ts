import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnresolvedTraceError } from './errors.js';

/** A citation into the knowledge base: `KB_NN#Anchor`. */
export type KbTrace = `KB_${string}#${string}`;

export const KB_TRACE_PATTERN = /^KB_(\d{2})#([A-Za-z0-9_]+)$/;
const TRACE_IN_TEXT = /KB_\d{2}#[A-Za-z0-9_]+/g;

export interface KbSection {
  trace: KbTrace;
  document: string;
  title: string;
  file: string;
  /** The section's text, without its `Sources:` and `Verified:` lines. */
  body: string;
  /** Primary sources (the standard's or vendor's own pages), from the `Sources:` line. */
  sources: string[];
  /** When the claims were last checked against the sources (`YYYY-MM-DD`), from the `Verified:` line; '' when absent. */
  verified: string;
  /**
   * Claims that are Ringmaster's own choices, not a standard's requirement: the rest of a line
   * after `Ringmaster default:`, and each list item under a `Ringmaster defaults...:` line.
   */
  choices: string[];
}

/** A section whose `Sources:` or `Verified:` line is missing or malformed. */
export interface KbMetadataProblem {
  trace: KbTrace;
  message: string;
}

const SOURCES_LINE = /^Sources:(.*)$/m;
const VERIFIED_LINE = /^Verified:(.*)$/m;
const CHOICE = /Ringmaster default:\s*(.+)$/gm;
const CHOICE_BLOCK = /^Ringmaster defaults\b[^:\n]*:[ \t]*\n((?:[-*] .*\n?)+)/gm;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` naming a real calendar day. */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/**
 * The knowledge base: `kb/KB_NN_<topic>.md`, a `# KB_NN — Title` line and one
 * `## Anchor` heading per citable section. Right under each heading:
 *
 *     Sources: https://primary.source/page; https://another/page
 *     Verified: 2026-11-30
 *
 * (see kb/README.md). `problems()` lists sections where either line is missing or malformed.
 */
export class KnowledgeBase {
  private readonly sections = new Map<string, KbSection>();
  /** Each section's text as written, for `problems()`. */
  private readonly raw = new Map<string, string>();

  constructor(readonly dir: string) {
    const files = readdirSync(dir)
      .filter((f) => /^KB_\d{2}_.+\.md$/.test(f))
      .sort();
    for (const file of files) this.loadFile(file, readFileSync(join(dir, file), 'utf8'));
  }

  private loadFile(file: string, text: string): void {
    const doc = file.slice(0, 5);
    const title = /^# (.+)$/m.exec(text)?.[1]?.trim() ?? doc;
    const parts = text.split(/^## /m).slice(1);
    for (const part of parts) {
      const newline = part.indexOf('\n');
      const anchor = (newline === -1 ? part : part.slice(0, newline)).trim();
      const trace = `${doc}#${anchor}` as KbTrace;
      const text = newline === -1 ? '' : part.slice(newline + 1);
      const sources = (SOURCES_LINE.exec(text)?.[1] ?? '').split(';').map((u) => u.trim()).filter((u) => u !== '');
      const verified = VERIFIED_LINE.exec(text)?.[1]?.trim() ?? '';
      const choices = [
        ...[...text.matchAll(CHOICE)].map((m) => m[1] ?? ''),
        ...[...text.matchAll(CHOICE_BLOCK)].flatMap((m) => (m[1] ?? '').split('\n').map((item) => item.replace(/^[-*] /, ''))),
      ]
        .map((c) => c.trim())
        .filter((c) => c !== '');
      const body = text.replace(SOURCES_LINE, '').replace(VERIFIED_LINE, '').trim();
      this.sections.set(trace, { trace, document: doc, title, file, body, sources, verified, choices });
      this.raw.set(trace, text);
    }
  }

  has(trace: string): boolean {
    return this.sections.has(trace);
  }

  get(trace: string): KbSection | undefined {
    return this.sections.get(trace);
  }

  traces(): KbTrace[] {
    return [...this.sections.keys()] as KbTrace[];
  }

  /** Sections whose `Sources:` or `Verified:` line is missing, repeated or malformed, in trace order. */
  problems(): KbMetadataProblem[] {
    const out: KbMetadataProblem[] = [];
    for (const [trace, text] of [...this.raw].sort(([a], [b]) => a.localeCompare(b))) {
      const t = trace as KbTrace;
      const sourceLines = text.match(/^Sources:.*$/gm) ?? [];
      const verifiedLines = text.match(/^Verified:.*$/gm) ?? [];
      if (sourceLines.length !== 1) out.push({ trace: t, message: `expected one 'Sources: <url>; <url>' line, found ${sourceLines.length}` });
      if (verifiedLines.length !== 1) out.push({ trace: t, message: `expected one 'Verified: YYYY-MM-DD' line, found ${verifiedLines.length}` });
      if (sourceLines.length === 1 && verifiedLines.length === 1 && !/^\s*Sources:.*\nVerified:.*(\n|$)/.test(text)) {
        out.push({ trace: t, message: "the 'Sources:' and 'Verified:' lines must come first, right under the heading" });
      }
      const section = this.sections.get(trace);
      if (!section) continue;
      if (sourceLines.length === 1 && section.sources.length === 0) out.push({ trace: t, message: "'Sources:' names no source" });
      for (const url of section.sources) if (!/^https:\/\/[^\s/]+\.[^\s/]+\S*$/.test(url)) out.push({ trace: t, message: `source '${url}' is not an https URL (separate sources with '; ')` });
      if (verifiedLines.length === 1 && !isIsoDate(section.verified)) out.push({ trace: t, message: `'Verified: ${section.verified}' is not a calendar date (expected YYYY-MM-DD)` });
    }
    return out;
  }

  /** Throws when any trace does not resolve. */
  assertResolves(traces: Iterable<string>): void {
    const missing = [...new Set([...traces].filter((t) => !this.sections.has(t)))].sort();
    if (missing.length > 0) throw new UnresolvedTraceError(missing);
  }
}

/** Every `KB_NN#Anchor` mentioned in a text. */
export function tracesInText(text: string): string[] {
  return text.match(TRACE_IN_TEXT) ?? [];
}

/**
 * Finds `kb/`: `RINGMASTER_KB_DIR`, else the nearest `kb/` folder holding KB files
 * above this module (the repository root in the monorepo and in the CLI bundle).
 */
export function findKbDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  const fromEnv = process.env['RINGMASTER_KB_DIR'];
  if (fromEnv) return resolve(fromEnv);
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'kb');
    if (existsSync(join(candidate, 'KB_01_architecture.md'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no kb/ folder found above ${from}; set RINGMASTER_KB_DIR`);
    dir = parent;
  }
}

let shared: KnowledgeBase | undefined;
/** The knowledge base of this installation, loaded once per process. */
export function loadKnowledgeBase(dir?: string): KnowledgeBase {
  if (dir) return new KnowledgeBase(dir);
  shared ??= new KnowledgeBase(findKbDir());
  return shared;
}
