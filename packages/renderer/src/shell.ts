import { commentLines } from './comment.js';

/** Quotes a value for POSIX shells: single quotes, with each embedded quote closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const VAR_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * A bash script: strict mode, a comment, then every profile value as a quoted
 * readonly assignment, then the body (which expands them only as "${NAME}").
 */
export function renderShell(summary: string, vars: Readonly<Record<string, string>>, script: string): string {
  const header = ['#!/usr/bin/env bash', ...commentLines(summary, '#'), 'set -euo pipefail', ''];
  const assignments = Object.keys(vars)
    .sort()
    .map((name) => {
      if (!VAR_NAME.test(name)) throw new Error(`shell variable name ${JSON.stringify(name)} must match ${VAR_NAME}`);
      return `readonly ${name}=${shellQuote(vars[name] as string)}`;
    });
  return [...header, ...assignments, ...(assignments.length > 0 ? [''] : []), script.trim(), ''].join('\n');
}
