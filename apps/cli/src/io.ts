import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FS_ERRORS, parseProfileText, PROFILE_LIMITS, ProfileInputError } from '@ringmaster/core';

function inputError(where: string, found: string): ProfileInputError {
  return new ProfileInputError([{ pointer: '', expected: 'a readable JSON file', found, message: `${where}: expected a readable JSON file, found ${found}` }]);
}


/** Reads a profile from a file or `-` (stdin), refusing directories, huge files and unreadable paths. */
export function readProfileText(file: string): string {
  const where = file === '-' ? '(stdin)' : file;
  let fd: number;
  try {
    fd = file === '-' ? 0 : openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw inputError(where, FS_ERRORS[code] ?? `an unreadable path (${code || 'error'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw inputError(where, 'a directory');
    if (stat.isFile() && stat.size > PROFILE_LIMITS.maxBytes) throw inputError(where, `${stat.size} bytes (the limit is ${PROFILE_LIMITS.maxBytes})`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EAGAIN') continue;
        if (code === 'EOF') break;
        throw inputError(where, FS_ERRORS[code] ?? `an unreadable input (${code || 'error'})`);
      }
      if (read === 0) break;
      total += read;
      if (total > PROFILE_LIMITS.maxBytes) throw inputError(where, `more than ${PROFILE_LIMITS.maxBytes} bytes`);
      chunks.push(Buffer.from(buffer.subarray(0, read)));
    }
    // A UTF-8 byte order mark (Windows editors write one) is not part of the JSON: accepted.
    const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
    if (text.trim() === '') throw inputError(where, 'an empty file');
    return text;
  } finally {
    if (file !== '-') closeSync(fd);
  }
}

/** Line and column (from 1) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/** Reads and parses a profile; invalid JSON names the file and the line:column. */
export function readProfile(file: string): unknown {
  const where = file === '-' ? '(stdin)' : file;
  const text = readProfileText(file);
  try {
    JSON.parse(text);
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    const position = /at position (\d+)/.exec(detail);
    const at = position ? lineColumn(text, Number(position[1])) : (/line (\d+) column (\d+)/.exec(detail)?.slice(1).join(':') ?? '');
    const reason = detail.replace(/ in JSON at position \d+.*$/, '').replace(/, "[\s\S]*"(\.\.\.)? is not valid JSON$/, '');
    const message = `${where}${at ? `:${at}` : ''}: expected a JSON document, found invalid JSON (${reason})`;
    throw new ProfileInputError([{ pointer: '', expected: 'a JSON document', found: `invalid JSON (${reason})`, message }]);
  }
  return parseProfileText(text);
}
