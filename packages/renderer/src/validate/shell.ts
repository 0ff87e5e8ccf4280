import { spawnSync } from 'node:child_process';
import { finding, type Finding } from './types.js';

let shellcheckPresent: boolean | undefined;

/** Whether the `shellcheck` binary is on PATH (Debian: `apt-get install -y shellcheck`). */
export function shellcheckAvailable(): boolean {
  shellcheckPresent ??= spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
  return shellcheckPresent;
}

interface ShellcheckComment {
  line: number;
  column: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

/**
 * `bash -n` (syntax) and `shellcheck` (every finding, style included, is an error: generated
 * scripts must be clean), plus the strict-mode header every generated script carries.
 */
export function validateShell(content: string): Finding[] {
  const out: Finding[] = [];
  const lines = content.split('\n');
  if (!/^#!\s*\/(usr\/)?bin\/(env\s+)?bash\b/.test(lines[0] ?? '')) out.push(finding('shell-structure', 'first line must be a bash shebang (`#!/usr/bin/env bash`)', 'line 1'));
  if (!lines.some((l) => /^set -euo pipefail\s*$/.test(l))) out.push(finding('shell-structure', 'missing `set -euo pipefail`'));

  const syntax = spawnSync('bash', ['-n'], { input: content, encoding: 'utf8' });
  if (syntax.status !== 0) {
    for (const line of (syntax.stderr || 'bash -n failed').trim().split('\n')) {
      const m = /line (\d+): (.*)$/.exec(line);
      out.push(finding('bash -n', m ? (m[2] ?? line) : line, m ? `line ${m[1]}` : undefined));
    }
  }

  if (!shellcheckAvailable()) {
    out.push(finding('shellcheck', 'shellcheck is not installed, so the script was not linted (apt-get install -y shellcheck)', undefined, 'warning'));
    return out;
  }
  const lint = spawnSync('shellcheck', ['--shell=bash', '--format=json1', '--severity=style', '-'], { input: content, encoding: 'utf8' });
  if (lint.error) {
    out.push(finding('shellcheck', `shellcheck could not run: ${lint.error.message}`));
    return out;
  }
  try {
    const report = JSON.parse(lint.stdout || '{"comments":[]}') as { comments: ShellcheckComment[] };
    for (const c of report.comments) out.push(finding('shellcheck', `SC${c.code} (${c.level}): ${c.message}`, `line ${c.line}:${c.column}`));
  } catch {
    out.push(finding('shellcheck', `unreadable shellcheck output: ${(lint.stderr || lint.stdout).slice(0, 200)}`));
  }
  return out;
}
