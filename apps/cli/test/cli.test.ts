import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/ringmaster.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rm-cli-'));

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Every stderr line is one `ringmaster:` message; nothing looks like a stack trace. */
function expectCleanError(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  for (const line of stderr.trim().split('\n')) expect(line).toMatch(/^ringmaster: /);
}

describe('ringmaster plan: exit codes and errors', () => {
  it.each([
    ['{}', '{}', ['ringmaster: /goal: expected a value (required), found nothing']],
    ['goal of the wrong type', '{"goal": 7}', ['ringmaster: /goal: expected string, found integer 7']],
    ['an enum outside the schema', '{"goal": "x", "cd_strategy": "yolo"}', ['ringmaster: /cd_strategy: expected one of "gitops", "push", "manual", found string "yolo"']],
    ['text that is not JSON', 'goal: yaml is not accepted', [expect.stringMatching(/^ringmaster: \S*profile\.json(:\d+:\d+)?: expected a JSON document, found invalid JSON \(Unexpected token/)]],
  ])('exits 2 on %s, one line per error naming the JSON pointer', (_name, text, lines) => {
    const { code, stdout, stderr } = run(['plan', file('profile.json', text)]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual(lines);
  });

  it('prints a valid blueprint and exits 0', () => {
    const { code, stdout } = run(['plan', '-'], JSON.stringify({ goal: 'Setup CI pipeline', infra: { cloud_provider: 'aws' } }));
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as Record<string, unknown>;
    expect(output).toHaveProperty('pipeline_blueprint');
    expect(output).toHaveProperty('decision_log');
  });

  it('prints YAML with --format yaml', () => {
    const { code, stdout } = run(['plan', '--format', 'yaml', '-'], '{"goal": "Setup CI pipeline"}');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^pipeline_blueprint:\n/);
  });

  it('exits 2 on an unknown option or command', () => {
    expect(run(['plan', '--frobnicate', '-'], '{}').code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
  });
});

describe('ringmaster on hostile files', () => {
  const loop = join(dir, 'loop');
  symlinkSync(loop, loop);
  const big = file('big.json', '');
  truncateSync(big, 50 * 1024 * 1024);
  const secret = file('secret.json', '{"goal": "x"}');
  chmodSync(secret, 0o000);

  it.each([
    ['an empty file', file('empty.json', ''), /found an empty file/],
    ['a binary file', file('binary.json', Buffer.from([0, 159, 146, 150, 255, 0, 1])), /invalid JSON/],
    ['a 50 MB file', big, /52428800 bytes \(the limit is/],
    ['a symlink loop', loop, /symbolic link loop/],
    ['a directory', dir, /found a directory/],
    ['a missing file', join(dir, 'missing.json'), /found no such file/],
  ])('%s: one clear line, exit 2', (_name, path, message) => {
    const { code, stderr } = run(['plan', path]);
    expect(code).toBe(2);
    expectCleanError(stderr);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it.skipIf(process.getuid?.() === 0)('a file without read permission: one clear line, exit 2', () => {
    const { code, stderr } = run(['plan', secret]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no permission/);
  });
});

describe('other commands', () => {
  it('validate reports unknown keys as warnings and exits 0', () => {
    const { code, stdout, stderr } = run(['validate', file('extra.json', '{"goal": "x", "colour": "blue"}')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid profile/);
    expect(stderr).toMatch(/warning: \/colour: unknown key/);
  });

  it('kb prints a section with its sources and verified-on date, and refuses an unknown one', () => {
    const { stdout } = run(['kb', 'KB_18#Tenant_Canary']);
    expect(stdout).toMatch(/## Tenant_Canary\n\nSources:\n(- https:\/\/\S+\n)+Verified: \d{4}-\d{2}-\d{2}\n\n\S/);
    const missing = run(['kb', 'KB_18#Nope']);
    expect(missing.code).toBe(2);
    expectCleanError(missing.stderr);
  });

  it('kb --stale lists the sections verified before the cutoff, oldest first', () => {
    const all = run(['kb', '--list']).stdout.trim().split('\n');
    // Measured from a date far ahead, every section is due; from the KB's own dates, none is.
    const due = run(['kb', '--stale', '--older-than', '1y', '--as-of', '2099-01-01']);
    expect(due.code).toBe(0);
    const lines = due.stdout.trim().split('\n');
    expect(lines).toHaveLength(all.length);
    const dates = lines.map((l) => /verified (\d{4}-\d{2}-\d{2})/.exec(l)?.[1] ?? '');
    expect(dates).toEqual([...dates].sort());
    expect(due.stderr).toMatch(/sections verified before 2098-01-01/);
    const none = run(['kb', '--stale', '--older-than', '90d', '--as-of', '2026-11-01']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
  });

  it('kb refuses --older-than without --stale', () => {
    const { code, stderr } = run(['kb', 'KB_18#Tenant_Canary', '--older-than', '1y']);
    expect(code).toBe(2);
    expect(stderr).toBe('ringmaster: --older-than and --as-of apply only with --stale\n');
  });

  it.each([
    [['--older-than', '6x'], "--older-than: expected a positive age such as 90d, 12w, 6m or 1y, found '6x'"],
    [['--older-than', '0m'], "--older-than: expected a positive age such as 90d, 12w, 6m or 1y, found '0m'"],
    [['--as-of', '2026-02-30'], "--as-of: expected a calendar date YYYY-MM-DD, found '2026-02-30'"],
  ])('kb --stale %j exits 2 with one line', (args, message) => {
    const { code, stdout, stderr } = run(['kb', '--stale', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`ringmaster: ${message}\n`);
  });

  it('modes lists every registered mode', () => {
    const modes = JSON.parse(run(['modes', '--json']).stdout) as { id: string }[];
    expect(modes.map((m) => m.id)).toContain('blueprint');
  });
});

describe('ringmaster in a pipeline', () => {
  it('exits 0 without an error when the reader closes the pipe early', () => {
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cli}" plan "${fileURLToPath(new URL('../../../examples/multi-tenant-canary.json', import.meta.url))}" | head -c 10 > /dev/null`], { encoding: 'utf8', timeout: 20_000 });
    // warnings (also printed on stderr) are fine; an error is not
    expect(result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('ringmaster: warning: '))).toEqual([]);
    expect(result.status).toBe(0);
  });
});
