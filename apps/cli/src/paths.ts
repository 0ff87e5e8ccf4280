import { statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The repository a path belongs to: for a path inside a `.github` folder, the folder that
 * holds `.github`; else the folder itself (or a file's folder). Auditing from there means a
 * local reusable workflow (`uses: ./.github/workflows/x.yml`) resolves wherever the audit starts.
 */
export function repositoryRoot(path: string): string {
  const start = statSync(path).isDirectory() ? path : dirname(path);
  const parts = start.split(sep);
  const github = parts.lastIndexOf('.github');
  return github > 0 ? parts.slice(0, github).join(sep) || sep : start;
}

/** Is `file` (relative to `root`, POSIX separators) the path itself or inside it? */
export function isWithin(root: string, file: string, path: string): boolean {
  const rel = relative(path, resolve(root, ...file.split('/')));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}
