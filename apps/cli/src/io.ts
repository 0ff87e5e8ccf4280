import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PROFILE_LIMITS, ProfileInputError } from '@ringmaster/core';

function inputError(where: string, found: string): ProfileInputError {
  return new ProfileInputError([{ pointer: '', expected: 'a readable JSON file', found, message: `${where}: expected a readable JSON file, found ${found}` }]);
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'no permission to read it',
  EPERM: 'no permission to read it',
  EISDIR: 'a directory',
  ELOOP: 'a symbolic link loop',
  ENAMETOOLONG: 'a name that is too long',
  ENOTDIR: 'a path through something that is not a directory',
};

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
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') throw inputError(where, 'an empty file');
    return text;
  } finally {
    if (file !== '-') closeSync(fd);
  }
}
