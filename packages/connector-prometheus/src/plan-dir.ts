import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanFile } from './checks.js';
import { MetricsInputError } from './errors.js';

/**
 * The YAML files of a `plan --out` folder (the only files that hold analysis templates and SLO
 * rules), by path relative to it with `/` separators, sorted. Callers name the setting that gave
 * `dir` when they report the error.
 */
export function planFilesOfDir(dir: string): PlanFile[] {
  let found = 'a file';
  try {
    if (statSync(dir).isDirectory()) found = '';
  } catch {
    found = 'no such folder';
  }
  if (found !== '') throw new MetricsInputError(`${dir}: expected the folder of a plan --out, found ${found}`);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split('\\').join('/'))
    .filter((f) => /\.ya?ml$/.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((path) => ({ path, content: readFileSync(join(dir, path), 'utf8') }));
}
