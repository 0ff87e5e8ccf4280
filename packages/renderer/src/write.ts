import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RingmasterError, type PlanResult } from '@ringmaster/core';
import { renderReport } from './report.js';

/** One line of `manifest.json`. */
export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
  /** The artifact the file belongs to; null for blueprint.json and report.md. */
  artifact: string | null;
  kb: string[];
}

export interface Manifest {
  requestId: string;
  files: ManifestEntry[];
}

export const BLUEPRINT_FILE = 'blueprint.json';
export const MANIFEST_FILE = 'manifest.json';
export const REPORT_FILE = 'report.md';
const RESERVED = new Set([BLUEPRINT_FILE, MANIFEST_FILE, REPORT_FILE]);

export class UnsafePathError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`refusing to write ${JSON.stringify(path)}: ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/** A path relative to the output folder that cannot leave it. */
export function assertSafeRelativePath(path: string): void {
  if (path === '') throw new UnsafePathError(path, 'empty path');
  if (path.includes('\0')) throw new UnsafePathError(path, 'NUL byte');
  if (path.includes('\\')) throw new UnsafePathError(path, 'backslash; use forward slashes');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new UnsafePathError(path, 'absolute path');
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) throw new UnsafePathError(path, '`..` would escape the output folder');
  if (segments.some((s) => s === '' || s === '.')) throw new UnsafePathError(path, 'empty or `.` path segment');
}

/**
 * An earlier plan in the folder wrote files the new plan does not, and some of them were changed
 * since: removing them could lose work, keeping them could leave a stale workflow that still runs.
 */
export class StaleFilesChangedError extends RingmasterError {
  constructor(readonly paths: readonly string[]) {
    super('out_input', `the earlier plan in the --out folder wrote ${paths.join(', ')}, which this plan does not, and ${paths.length === 1 ? 'it was' : 'they were'} changed since: move ${paths.length === 1 ? 'it' : 'them'} away or pass --force to remove ${paths.length === 1 ? 'it' : 'them'}`);
  }
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(typeof content === 'string' ? Buffer.from(content, 'utf8') : content).digest('hex');
}

/** Every file `writePlan` writes, with its content: the plan's files, blueprint.json, report.md and manifest.json. */
export function planFiles(result: PlanResult): { files: { path: string; content: string }[]; manifest: Manifest } {
  const files = result.files.map((f) => ({ path: f.path, content: f.content, artifact: f.artifact as string | null, kb: [...f.kb].sort() }));
  const seen = new Set<string>();
  for (const file of files) {
    assertSafeRelativePath(file.path);
    if (RESERVED.has(file.path)) throw new UnsafePathError(file.path, 'the name is reserved for the plan itself');
    if (seen.has(file.path)) throw new UnsafePathError(file.path, 'two artifacts render to the same path');
    seen.add(file.path);
  }
  files.push({ path: BLUEPRINT_FILE, content: `${JSON.stringify(result.output, null, 2)}\n`, artifact: null, kb: [] });
  files.push({ path: REPORT_FILE, content: renderReport(result.output), artifact: null, kb: [] });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: Manifest = {
    requestId: result.requestId,
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.content), bytes: Buffer.byteLength(f.content, 'utf8'), artifact: f.artifact, kb: f.kb })),
  };
  const all = [...files.map(({ path, content }) => ({ path, content })), { path: MANIFEST_FILE, content: `${JSON.stringify(manifest, null, 2)}\n` }];
  return { files: all, manifest };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `mkdir -p`, one level at a time: Node's `mkdir({ recursive: true })` spins forever under
 * some pseudo file systems (a path below /proc), where each level fails at once instead.
 */
async function ensureDir(dir: string): Promise<void> {
  if (await exists(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) await ensureDir(parent);
  try {
    await mkdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Writes via a temporary file in the same folder and a rename, so a reader never sees half a file.
 * A script (a file starting with `#!`) is executable: pipelines run `scripts/promote.sh` directly,
 * and Git keeps the bit when the user commits it.
 */
async function atomicWrite(path: string, content: string): Promise<void> {
  await ensureDir(dirname(path));
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, { encoding: 'utf8', flag: 'wx', mode: content.startsWith('#!') ? 0o755 : 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The files an earlier plan's manifest.json lists; none when there is no readable manifest. */
async function earlierPlanFiles(target: string): Promise<ManifestEntry[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(target, MANIFEST_FILE), 'utf8'));
  } catch {
    return [];
  }
  const files = (parsed as Partial<Manifest> | null)?.files;
  if (!Array.isArray(files)) return [];
  return files.filter((f): f is ManifestEntry => {
    if (typeof f?.path !== 'string' || typeof f.sha256 !== 'string') return false;
    try {
      assertSafeRelativePath(f.path);
      return true;
    } catch {
      return false; // a manifest naming a path outside the folder is not ours to act on
    }
  });
}

/**
 * The files of the earlier plan that the new one does not write and that still exist: `remove`
 * are as the earlier plan wrote them, `changed` were edited since.
 */
async function staleFiles(target: string, keep: ReadonlySet<string>): Promise<{ remove: string[]; changed: string[] }> {
  const remove: string[] = [];
  const changed: string[] = [];
  for (const entry of await earlierPlanFiles(target)) {
    if (keep.has(entry.path)) continue;
    let content: Buffer;
    try {
      content = await readFile(join(target, entry.path));
    } catch {
      continue; // already gone
    }
    (sha256(content) === entry.sha256 ? remove : changed).push(entry.path);
  }
  return { remove, changed };
}

/** Removes a file, then every folder above it (inside `target`) that it left empty. */
async function removeWithEmptyParents(target: string, path: string): Promise<void> {
  await rm(join(target, path), { force: true });
  for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) {
    if ((await readdir(join(target, dir))).length > 0) return;
    await rmdir(join(target, dir));
  }
}

export interface WriteOptions {
  /** Also remove stale files of the earlier plan that were changed since it wrote them. */
  force?: boolean;
}

/**
 * Writes a plan to `dir`: every file of `result.files` at its path, plus blueprint.json,
 * report.md and manifest.json (sha256, size, artifact and KB traces of every file, sorted).
 * Paths are checked before anything is written. A new folder is built beside `dir` and renamed
 * into place, so an error leaves no partial folder; into an existing folder each file is written
 * atomically, and on error the files this call created are removed again.
 *
 * Into a folder holding an earlier plan, the files its manifest.json lists and the new plan does
 * not are removed once the new files are written (a stale workflow must not keep running). Only
 * files the earlier plan wrote are touched; if one of them was changed since, nothing is written
 * and StaleFilesChangedError names it, unless `force` is set.
 */
export async function writePlan(result: PlanResult, dir: string, options: WriteOptions = {}): Promise<Manifest> {
  const { files, manifest } = planFiles(result);
  const target = resolve(dir);
  if (!(await exists(target))) {
    await ensureDir(dirname(target));
    const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
    try {
      for (const file of files) await atomicWrite(join(staging, file.path), file.content);
      await rename(staging, target);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    return manifest;
  }
  const stale = await staleFiles(target, new Set(files.map((f) => f.path)));
  if (stale.changed.length > 0 && options.force !== true) throw new StaleFilesChangedError(stale.changed.sort());
  const created: string[] = [];
  try {
    for (const file of files) {
      const path = join(target, file.path);
      const isNew = !(await exists(path));
      await atomicWrite(path, file.content);
      if (isNew) created.push(path);
    }
  } catch (error) {
    for (const path of created) await rm(path, { force: true });
    throw error;
  }
  for (const path of [...stale.remove, ...stale.changed].sort()) await removeWithEmptyParents(target, path);
  return manifest;
}
