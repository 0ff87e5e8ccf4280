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
  body: string;
}

/**
 * The knowledge base: `kb/KB_NN_<topic>.md`, a `# KB_NN — Title` line and one
 * `## Anchor` heading per citable section.
 */
export class KnowledgeBase {
  private readonly sections = new Map<string, KbSection>();

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
      this.sections.set(trace, { trace, document: doc, title, file, body: newline === -1 ? '' : part.slice(newline + 1).trim() });
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
