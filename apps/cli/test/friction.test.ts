// CLI friction: every case asserts the one-line message and the exit code.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/ringmaster.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rm-friction-'));
const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000, cwd: dir, ...(input === undefined ? {} : { input }) });

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('ringmaster CLI friction', () => {
  it('prints plan warnings on stderr too (unknown key), and accepts a UTF-8 BOM', () => {
    const result = run(['plan', file('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"goal":"Set up a CI/CD pipeline","colour":"blue"}')]))]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^ringmaster: warning: \/colour: unknown key kept but not used/m);
    expect(JSON.parse(result.stdout)).toHaveProperty('decision_log');
  });

  it('names the file and line:column of invalid JSON, exit 2', () => {
    const result = run(['plan', file('bad.json', '{\n  "goal": "x",\n}')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ringmaster: .*bad\.json:3:1: expected a JSON document, found invalid JSON \(/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses two services with one image in one line naming the later one, exit 2, writing nothing', () => {
    const out = join(dir, 'two-services');
    const result = run(['plan', file('two.json', JSON.stringify({ goal: 'Set up a CI/CD pipeline', delivery: { services: [{ name: 'crm-api' }, { name: 'crm-worker', image: 'crm-api' }] } })), '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('ringmaster: /delivery/services/1/image: expected an image not used by /delivery/services/0, found string "crm-api"\n');
    expect(existsSync(out)).toBe(false);
  });

  it('turns ENOENT and ENOTDIR into one line with exit 2', () => {
    for (const path of [join(dir, 'missing.json'), join(file('plain.txt', 'x'), 'below.json')]) {
      const result = run(['plan', path]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^ringmaster: .*: expected a readable JSON file, found (no such file|a path through something that is not a directory)/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('turns an unwritable --out into one line with exit 2', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const result = run(['plan', file('ok.json', '{"goal":"Set up a CI/CD pipeline"}'), '--out', join(locked, 'out')]);
    chmodSync(locked, 0o700);
    // root may write anywhere: then the plan simply succeeds
    if (result.status !== 0) {
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^ringmaster: .*locked.*: (no permission|something already there)/m);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('prints a short summary with --out instead of the whole document', () => {
    const result = run(['plan', file('sum.json', '{"goal":"Set up a CI/CD pipeline"}'), '--out', join(dir, 'out')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^wrote \d+ files to .*out: blueprint\.json, report\.md and the artifacts, listed in manifest\.json\n$/);
  });

  it('exits 2 with a message on an unknown command, even with --help', () => {
    const result = run(['frobnicate', '--help']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ringmaster: unknown command 'frobnicate'/);
    expect(result.stdout).toBe('');
  });

  it('gives each command --help with an example and the exit codes', () => {
    for (const command of ['plan', 'audit', 'validate', 'kb', 'modes']) {
      const result = run([command, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Examples:\\n  \\$ ringmaster ${command}`));
      expect(result.stdout).toMatch(/Exit codes: 0 success; 1 .*; 2 invalid input/);
    }
  });

  it('exits 2 on evidence verify of a document that is not a bundle', () => {
    const result = run(['evidence', 'verify', file('array.json', '[1, 2]')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ringmaster: .*array\.json: expected an evidence bundle .*found an array\n$/);
  });

  it('audits a single workflow file, several paths at once, and refuses an empty or wrong path', () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    const workflow = 'on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo test\n';
    writeFileSync(join(repo, '.github/workflows/a.yml'), workflow);
    writeFileSync(join(repo, '.github/workflows/b.yml'), workflow);
    const count = (paths: string[]) => /finding\(s\) in (\d+) file\(s\)/.exec(run(['audit', ...paths, '--fail-on', 'none']).stdout)?.[1];
    expect(count([repo])).toBe('2');
    expect(count([join(repo, '.github/workflows/a.yml')])).toBe('1');
    expect(count([join(repo, '.github/workflows/a.yml'), join(repo, '.github/workflows/b.yml')])).toBe('2');

    mkdirSync(join(dir, 'empty'));
    const empty = run(['audit', join(dir, 'empty')]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^ringmaster: .*empty: CI definition not found/);
    const missing = run(['audit', join(dir, 'nowhere')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^ringmaster: .*nowhere: not found \(no such file or directory\)\n$/);
  });

  it('shows plan --audit results in --format md and in report.md', () => {
    const repo = join(dir, 'audited');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.github/workflows/ci.yml'), 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n');
    const profile = file('audit-profile.json', '{"goal":"Set up a CI/CD pipeline"}');
    const md = run(['plan', profile, '--audit', repo, '--format', 'md']);
    expect(md.status).toBe(0);
    expect(md.stdout).toMatch(/## Starting point: audit of the existing CI\n\n`audit_baseline`: 1 file\(s\) in /);
    expect(md.stdout).toMatch(/^- \*\*(critical|high|medium|low)\*\* \.github\/workflows\/ci\.yml:\d+/m);
    const out = join(dir, 'audited-out');
    expect(run(['plan', profile, '--audit', repo, '--out', out]).status).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Starting point: audit of the existing CI');
  });

  it('rates a release workflow the same from the repository root and from .github/workflows', () => {
    const repo = join(dir, 'slsa');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.github/workflows/release.yml'), 'on:\n  push:\n    tags: ["v*"]\npermissions: {}\njobs:\n  build:\n    uses: ./.github/workflows/build.yml\n    permissions:\n      contents: read\n      id-token: write\n');
    writeFileSync(join(repo, '.github/workflows/build.yml'), 'on:\n  workflow_call: {}\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - run: echo build\n');
    const slsa = (path: string) => (JSON.parse(run(['audit', path, '--format', 'json', '--fail-on', 'none']).stdout) as { slsa: unknown[] }).slsa;
    expect(slsa(join(repo, '.github', 'workflows'))).toEqual(slsa(repo));
  });

  it('says when a local reusable workflow cannot be resolved', () => {
    const repo = join(dir, 'unresolved');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.github/workflows/release.yml'), 'on: push\npermissions: {}\njobs:\n  build:\n    uses: ./.github/workflows/missing.yml\n');
    const result = run(['audit', repo, '--fail-on', 'none']);
    expect(result.stdout).toMatch(/^note: \.github\/workflows\/release\.yml calls \.\/\.github\/workflows\/missing\.yml, which is not in .*: that reusable workflow could not be resolved/m);
  });
});
