// A consumer's view: every published package is packed (`pnpm pack`, after the build that
// turbo runs first), the tarballs are installed with plain npm in a temporary folder outside
// the workspace, and then used as documented: the README examples run, the types check under
// three module resolutions without skipLibCheck, the packed CLI plans and audits, and a
// third-party mode written against the packed @ringmaster/core alone plans next to the
// built-in modes.
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  repository?: { url?: string; directory?: string };
  exports?: unknown;
  files?: string[];
  bin?: Record<string, string>;
}

/** Every package the workspace publishes (not private), with its folder. */
const published = ['packages', 'apps']
  .flatMap((parent) => readdirSync(join(repo, parent)).map((name) => join(repo, parent, name)))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

/** A clean environment: none of pnpm's npm_config_* settings, no RINGMASTER_KB_DIR (the KB must ship). */
const consumerEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|RINGMASTER_)/i.test(key)));

let work: string;
let app: string;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: consumerEnv, timeout: 300_000 });
}

function succeed(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The ```js blocks of a README, in order. */
function jsExamples(readme: string): string[] {
  return [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ringmaster-consumer-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  // one recursive pnpm run packs them all (pnpm rewrites workspace:* to versions)
  execFileSync('pnpm', ['-r', ...published.flatMap(({ manifest }) => ['--filter', manifest.name]), 'pack', '--pack-destination', tarballs], { cwd: repo, stdio: 'pipe' });
  const tarballOf = new Map(published.map(({ manifest }) => [manifest.name, `file:${join(tarballs, `${manifest.name.slice(1).replace('/', '-')}-0.1.0.tgz`)}`]));
  const ours = Object.fromEntries(tarballOf);

  app = join(work, 'app');
  mkdirSync(app);
  const tools = { typescript: '~5.9.3', '@types/node': '^20.19.0' };
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { ...ours, ...tools }, overrides: ours }, null, 2));
  succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);

  // The third-party mode is its own package, depending on the packed core only.
  const plugin = join(work, 'tenant-quota');
  cpSync(join(repo, 'packages/consumer-test/fixtures/tenant-quota'), plugin, { recursive: true });
  writeFileSync(join(plugin, 'package.json'), JSON.stringify({ name: 'ringmaster-mode-tenant-quota', private: true, type: 'module', dependencies: { '@ringmaster/core': tarballOf.get('@ringmaster/core') } }, null, 2));
  succeed('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], plugin);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('published package manifests', () => {
  it.each(published.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))('%s has engines, repository, license, files, exports and a README with an example', (_name, dir, manifest) => {
    expect(manifest.engines?.node).toMatch(/^>=20/);
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//);
    expect(manifest.repository?.directory).toBe(dir.slice(repo.length).replace(/\/$/, ''));
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.files).toContain('dist');
    expect(manifest.exports ?? manifest.bin).toBeDefined();
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/^```(js|sh)$/m);
  });
});

describe('installed from tarballs', () => {
  const examples = published.flatMap(({ dir, manifest }) => jsExamples(readFileSync(join(dir, 'README.md'), 'utf8')).map((code, i) => [`${manifest.name} README example ${i + 1}`, manifest.name, code] as const));

  it.each(examples)('%s runs in plain Node', (_title, name, code) => {
    const file = join(app, `example-${name.replace(/\W/g, '_')}.mjs`);
    writeFileSync(file, code);
    const stdout = succeed(process.execPath, [file], app);
    const modeId = /^@ringmaster\/mode-(.+)$/.exec(name)?.[1];
    // a mode's example plans with that mode alone: it must have been selected
    if (modeId) expect(stdout).toContain(`'${modeId}'`);
    else expect(stdout.trim()).not.toBe('');
  });

  it('ships the knowledge base inside @ringmaster/core', () => {
    const kb = readdirSync(join(app, 'node_modules/@ringmaster/core/dist/kb'));
    expect(kb.filter((f) => /^KB_\d{2}_.+\.md$/.test(f)).length).toBeGreaterThanOrEqual(20);
  });

  it('type-checks under moduleResolution node16, nodenext and bundler without skipLibCheck', async () => {
    writeFileSync(join(app, 'typed.ts'), readFileSync(join(repo, 'packages/consumer-test/fixtures/typed.ts'), 'utf8'));
    const resolutions = {
      node16: { module: 'node16', moduleResolution: 'node16' },
      nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
      bundler: { module: 'esnext', moduleResolution: 'bundler' },
    };
    // the three checks run side by side: each is mostly waiting on its own process
    const results = await Promise.all(
      Object.entries(resolutions).map(([name, options]) => {
        const config = { compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['typed.ts'] };
        writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify(config));
        return new Promise<string>((done) => {
          const child = spawn(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${name}.json`], { cwd: app, env: consumerEnv });
          let text = '';
          child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
          child.on('close', (code) => done(code === 0 && text === '' ? `${name}: ok` : `${name}: exit ${String(code)}\n${text}`));
        });
      }),
    );
    expect(results).toEqual(['node16: ok', 'nodenext: ok', 'bundler: ok']);
  });

  it('runs the packed CLI with npx: plans an example and audits a single workflow file', () => {
    cpSync(join(repo, 'examples/minimal.json'), join(app, 'profile.json'));
    const plan = run('npx', ['--no-install', 'ringmaster', 'plan', 'profile.json'], app);
    expect(plan.stderr).not.toMatch(/error/i);
    expect(plan.status).toBe(0);
    expect(Object.keys(JSON.parse(plan.stdout) as object)).toContain('pipeline_blueprint');

    mkdirSync(join(app, 'repo/.github/workflows'), { recursive: true });
    writeFileSync(join(app, 'repo/.github/workflows/ci.yml'), 'on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n');
    const audit = run('npx', ['--no-install', 'ringmaster', 'audit', 'repo/.github/workflows/ci.yml'], app);
    expect(audit.status).toBe(0);
    expect(audit.stdout).toMatch(/ finding\(s\) in 1 file\(s\)/);
  });
});

describe('a third-party mode against the packed core', () => {
  it('owns a new section, cites its own KB, plans next to the built-in modes, and is refused twice or as a thief', () => {
    writeFileSync(join(app, 'third-party.mjs'), readFileSync(join(repo, 'packages/consumer-test/fixtures/third-party-plan.mjs'), 'utf8'));
    const result = JSON.parse(succeed(process.execPath, ['third-party.mjs'], app)) as { keys: string[]; section: unknown; rules: string[]; kb: string[]; modes: string[]; errors: string[] };
    expect(result.modes).toEqual(expect.arrayContaining(['tenant-quota', 'progressive-delivery']));
    expect(result.keys.indexOf('tenant_quota')).toBe(result.keys.indexOf('rollout_strategy') + 1);
    expect(result.section).toEqual({ max_tenants_per_wave: 5, wave_interval: '24h' });
    expect(result.rules).toEqual(['tenant-quota/wave-size', 'tenant-quota/wave-interval']);
    expect(result.kb).toEqual(['KB_90#Wave_Size']);
    expect(result.errors).toEqual([
      'ModeRegistrationError: mode tenant-quota is registered twice',
      'ModeRegistrationError: mode tenant-quota-thief, section security_controls: already owned by mode supply-chain (a section has one owner)',
    ]);
  });
});
