import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StaleFilesChangedError, UnsafePathError, writePlan, type Manifest } from '../src/write.js';
import { samplePlan } from './sample-plan.js';

const root = mkdtempSync(join(tmpdir(), 'ringmaster-write-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writePlan', () => {
  it('writes the files, blueprint.json, report.md and a sorted sha256 manifest', async () => {
    const dir = join(root, 'out1');
    const plan = samplePlan([
      { path: 'scripts/health_check.sh', content: '#!/usr/bin/env bash\nset -euo pipefail\n', artifact: 'health_check.sh', kb: ['KB_18#Tenant_Canary'] },
      { path: 'k8s/app.yaml', content: 'a: 1\n', artifact: 'app.yaml', kb: ['KB_01#Architecture'] },
    ]);
    const manifest = await writePlan(plan, dir);
    expect(manifest.files.map((f) => f.path)).toEqual(['blueprint.json', 'k8s/app.yaml', 'report.md', 'scripts/health_check.sh']);
    const written = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(written).toEqual(manifest);
    for (const entry of written.files) {
      const content = readFileSync(join(dir, entry.path));
      expect(entry.sha256).toBe(createHash('sha256').update(content).digest('hex'));
      expect(entry.bytes).toBe(content.length);
    }
    expect(written.files.find((f) => f.path === 'k8s/app.yaml')).toMatchObject({ artifact: 'app.yaml', kb: ['KB_01#Architecture'] });
    expect(JSON.parse(readFileSync(join(dir, 'blueprint.json'), 'utf8'))).toEqual(plan.output);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('## Risks');
    expect(readdirSync(root).filter((f) => f.includes('partial') || f.endsWith('.tmp'))).toEqual([]);
    // A script is executable (pipelines run it directly); other files are not.
    expect(statSync(join(dir, 'scripts/health_check.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(dir, 'k8s/app.yaml')).mode & 0o111).toBe(0);
  });

  it('is deterministic: the same plan gives the same bytes', async () => {
    const a = join(root, 'det-a');
    const b = join(root, 'det-b');
    await writePlan(samplePlan(), a);
    await writePlan(samplePlan(), b);
    expect(readFileSync(join(a, 'manifest.json'), 'utf8')).toBe(readFileSync(join(b, 'manifest.json'), 'utf8'));
  });

  it('overwrites into an existing folder atomically', async () => {
    const dir = join(root, 'existing');
    await writePlan(samplePlan(), dir);
    await writePlan(samplePlan(), dir);
    expect(readdirSync(join(dir, 'scripts'))).toEqual(['health_check.sh']);
  });

  it('refuses absolute paths and .. escapes before writing anything', async () => {
    for (const path of ['/etc/passwd', '../escape.sh', 'a/../../b', 'C:/x', 'a\\b', 'manifest.json']) {
      const dir = join(root, `bad-${createHash('md5').update(path).digest('hex')}`);
      await expect(writePlan(samplePlan([{ path, content: 'x', artifact: 'x', kb: [] }]), dir)).rejects.toBeInstanceOf(UnsafePathError);
      expect(existsSync(dir)).toBe(false);
    }
    expect(existsSync(join(root, 'escape.sh'))).toBe(false);
  });

  it('leaves no partial folder when a write fails', async () => {
    const dir = join(root, 'fails');
    // `a` is a file, so `a/b` cannot be created: the write fails half-way.
    const plan = samplePlan([
      { path: 'a', content: 'x', artifact: 'a', kb: [] },
      { path: 'a/b', content: 'y', artifact: 'b', kb: [] },
    ]);
    await expect(writePlan(plan, dir)).rejects.toThrow();
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('fails'))).toEqual([]);
  });

  // Node's recursive mkdir never returns for such a path; one level at a time fails at once.
  it.skipIf(!existsSync('/proc/self'))('fails with ENOENT for a folder that cannot exist (below /proc)', async () => {
    await expect(writePlan(samplePlan(), '/proc/ringmaster-no-such-dir/out')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writePlan into a folder with an earlier plan', () => {
  const first = () => samplePlan([
    { path: '.github/workflows/old.yml', content: 'name: old\n', artifact: 'old.yml', kb: [] },
    { path: 'scripts/keep.sh', content: 'echo keep\n', artifact: 'keep.sh', kb: [] },
  ]);
  const second = () => samplePlan([{ path: 'scripts/keep.sh', content: 'echo keep 2\n', artifact: 'keep.sh', kb: [] }]);

  it('removes the files the earlier manifest listed and the new one does not, with their empty folders', async () => {
    const dir = join(root, 'stale-removed');
    await writePlan(first(), dir);
    await writePlan(second(), dir);
    expect(existsSync(join(dir, '.github'))).toBe(false);
    expect(readFileSync(join(dir, 'scripts/keep.sh'), 'utf8')).toBe('echo keep 2\n');
  });

  it('never removes a file the earlier plan did not write', async () => {
    const dir = join(root, 'stale-foreign');
    await writePlan(first(), dir);
    writeFileSync(join(dir, '.github/workflows/mine.yml'), 'name: mine\n');
    await writePlan(second(), dir);
    expect(readdirSync(join(dir, '.github/workflows'))).toEqual(['mine.yml']);
  });

  it('refuses, writing nothing, when a stale file was changed since; --force removes it', async () => {
    const dir = join(root, 'stale-changed');
    await writePlan(first(), dir);
    writeFileSync(join(dir, '.github/workflows/old.yml'), 'name: edited by hand\n');
    await expect(writePlan(second(), dir)).rejects.toThrow(/\.github\/workflows\/old\.yml.*--force/);
    expect(readFileSync(join(dir, 'scripts/keep.sh'), 'utf8')).toBe('echo keep\n');
    await expect(writePlan(second(), dir)).rejects.toBeInstanceOf(StaleFilesChangedError);
    await writePlan(second(), dir, { force: true });
    expect(existsSync(join(dir, '.github/workflows/old.yml'))).toBe(false);
  });

  it('ignores a manifest entry that points outside the folder', async () => {
    const dir = join(root, 'stale-hostile');
    await writePlan(first(), dir);
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'x');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    manifest.files.push({ path: '../outside.txt', sha256: createHash('sha256').update('x').digest('hex'), bytes: 1, artifact: 'x', kb: [] });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await writePlan(second(), dir);
    expect(existsSync(outside)).toBe(true);
  });
});
