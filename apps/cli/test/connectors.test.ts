import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventLog, verifyBundle, type ActionData, type EvidenceBundle } from '@ringmaster/evidence';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../../../packages/connector-prometheus/test/harness.js';
import { PROFILE } from '../../../packages/connector-prometheus/test/plan.js';
import { cosignStub } from '../../../packages/connector-gitops/test/cosign-stub.js';

/**
 * promote, rollback and canary-health through the built CLI, against a bare config repository
 * made from a plan's --out config part and a real Prometheus. Credentials set in the environment
 * must never show up in any output or commit.
 */

const cli = fileURLToPath(new URL('../dist/ringmaster.js', import.meta.url));
const has = (tool: string, ...args: string[]): boolean => spawnSync(tool, args).status === 0;
const hasGit = has('git', '--version');
const hasKubectl = has('kubectl', 'version', '--client');
const root = mkdtempSync(join(tmpdir(), 'rm-connectors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TOKEN = 'ghp_CliS3cret0123456789abcdefABCDEF';
/** cosign is not installable here: a stand-in on PATH records what it is asked to verify. */
const cosign = cosignStub();
afterAll(() => rmSync(cosign.dir, { recursive: true, force: true }));
const PROM_TOKEN = 'prom-CliS3cret-987654';
const outputs: string[] = [];

function run(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PATH: `${cosign.dir}:${process.env['PATH'] ?? ''}`, RINGMASTER_GIT_TOKEN: TOKEN, RINGMASTER_PROMETHEUS_TOKEN: PROM_TOKEN, GIT_CONFIG_GLOBAL: '/dev/null', ...env },
  });
  outputs.push(result.stdout, result.stderr);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });

const IMAGE = 'ghcr.io/acme/crm-api';
const OVERLAY = 'apps/crm-api/overlays/canary';
const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;
const out = join(root, 'out');
const profileFile = join(root, 'profile.json');
const evidenceFiles: string[] = [];
/** A fresh evidence log path (the file is created by the first action). */
const evidencePath = (name: string): string => {
  const file = join(root, `${name}.jsonl`);
  evidenceFiles.push(file);
  return file;
};
const actionsIn = (file: string): ActionData[] => parseEventLog(readFileSync(file, 'utf8')).filter((e) => e.type === 'action.performed').map((e) => e.data as unknown as ActionData);

/** Every stderr line is one `ringmaster:` message; nothing looks like a stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr.trim()).toMatch(pattern);
}

beforeAll(() => {
  writeFileSync(profileFile, JSON.stringify(PROFILE));
  const planned = run(['plan', profileFile, '--out', out]);
  if (planned.code !== 0) throw new Error(`plan failed: ${planned.stderr}`);
});

describe.skipIf(!hasGit)(hasGit ? 'ringmaster promote / rollback against a real config repository' : 'promote / rollback: SKIPPED, git is not installed', () => {
  const bare = join(root, 'config.git');
  const url = `file://${bare}`;
  let n = 0;
  const clone = (): string => {
    const dir = join(root, `clone-${n++}`);
    git(root, 'clone', '--quiet', url, dir);
    return dir;
  };
  const commits = (): number => Number(git(clone(), 'rev-list', '--count', 'HEAD').trim());
  const built = (dir: string): string => execFileSync('kubectl', ['kustomize', join(dir, OVERLAY)], { encoding: 'utf8' });

  beforeAll(() => {
    git(root, 'init', '--quiet', '--bare', bare);
    const seed = join(root, 'seed');
    cpSync(join(out, 'gitops-config'), seed, { recursive: true });
    git(seed, 'init', '--quiet', '-b', 'main');
    git(seed, 'add', '-A');
    git(seed, 'commit', '--quiet', '-m', 'initial config');
    git(seed, 'push', '--quiet', url, 'main');
    // Digests the release pipeline signed; the others are not signed.
    for (const c of 'abcef') cosign.sign(`${IMAGE}@${digestOf(c)}`);
  }, 60_000);

  it('promotes, is idempotent for a retried step, lists history newest first and rolls back', () => {
    const first = run(['promote', '--config-repo', url, '--plan', out, '--target', 'canary', '--image', IMAGE, '--digest', digestOf('a'), '--run', 'pipeline-41']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^promote: canary now runs ${IMAGE}@${digestOf('a')} \\(commit [0-9a-f]{40}, file://`));
    expect(first.stdout).toMatch(/\n {2}signature verified by cosign: signed by https:\/\/github\.com\/acme\/crm-platform\/\.github\/workflows\/release\.yml@refs\/heads\/main \(issuer https:\/\/token\.actions\.githubusercontent\.com\)\n$/);
    if (hasKubectl) expect(built(clone())).toContain(`image: ${IMAGE}@${digestOf('a')}`);
    const count = commits();

    const retried = run(['promote', '--config-repo', url, '--plan', out, '--target', 'canary', '--digest', digestOf('a'), '--run', 'pipeline-41']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('this step already committed');
    expect(commits()).toBe(count);

    const dry = run(['promote', '--config-repo', url, '--plan', out, '--target', 'canary', '--digest', digestOf('b'), '--run', 'pipeline-42', '--dry-run']);
    expect(dry.stdout).toContain(`promote (dry run): would commit ${IMAGE}@${digestOf('b')} to canary (now ${digestOf('a')})`);
    expect(commits()).toBe(count);

    expect(run(['promote', '--config-repo', url, '--target', 'canary', '--digest', digestOf('b'), '--run', 'pipeline-42', '--profile', profileFile]).code).toBe(0);
    const listed = run(['rollback', '--config-repo', url, '--target', 'canary']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual([digestOf('b'), digestOf('a')]);
    expect(listed.stdout.split('\n')[0]).toMatch(/run pipeline-42 {2}\(current\)$/);
    expect(commits()).toBe(count + 1);

    const rolled = run(['rollback', '--config-repo', url, '--plan', out, '--target', 'canary', '--to', digestOf('a'), '--run', 'incident-7', '--format', 'json']);
    expect(rolled.code).toBe(0);
    expect(JSON.parse(rolled.stdout)).toMatchObject({ action: 'rollback', status: 'committed', digest: digestOf('a'), previousDigest: digestOf('b'), path: `${OVERLAY}/kustomization.yaml` });
    const dir = clone();
    if (hasKubectl) expect(built(dir)).toContain(`image: ${IMAGE}@${digestOf('a')}`);
    expect(git(dir, 'log', '-1', '--format=%B')).toContain('Ringmaster-Run: incident-7\nRingmaster-Step: rollback-canary\nRingmaster-Target: canary');
  }, 240_000);

  it('retries a push rejected by a concurrent commit on the new head', () => {
    const hooks = join(root, 'hooks');
    mkdirSync(hooks, { recursive: true });
    const other = clone();
    const marker = join(root, 'raced');
    writeFileSync(
      join(hooks, 'pre-push'),
      `#!/bin/sh\n[ -e '${marker}' ] && exit 0\ntouch '${marker}'\ncd '${other}' && echo x >> CONCURRENT && GIT_CONFIG_GLOBAL=/dev/null git add -A && GIT_CONFIG_GLOBAL=/dev/null git -c user.name=o -c user.email=o@example.invalid commit -q -m concurrent && GIT_CONFIG_GLOBAL=/dev/null git push -q origin HEAD:main\n`,
    );
    chmodSync(join(hooks, 'pre-push'), 0o755);
    const config = join(root, 'racing.gitconfig');
    writeFileSync(config, `[core]\n\thooksPath = ${hooks}\n`);
    const raced = run(['promote', '--config-repo', url, '--plan', out, '--target', 'general', '--digest', digestOf('c'), '--run', 'pipeline-43', '--format', 'json'], { GIT_CONFIG_GLOBAL: config });
    expect(raced.stderr).toBe('');
    expect(JSON.parse(raced.stdout)).toMatchObject({ status: 'committed', attempts: 2 });
    expect(git(clone(), 'log', '-2', '--format=%s').trim().split('\n')).toEqual([`promote crm-api to ${digestOf('c')} on general`, 'concurrent']);
  }, 240_000);

  it.each([
    [['--digest', 'sha256:xyz'], /^ringmaster: --digest: expected sha256: and 64 lower-case hex digits, found "sha256:xyz"$/],
    [['--digest', digestOf('d'), '--target', 'nowhere'], /^ringmaster: --target: expected one of canary, general, found "nowhere"$/],
    [['--digest', digestOf('d'), '--image', 'ghcr.io/acme/crm-api:latest'], /^ringmaster: --image: expected an image repository/],
    [['--digest', digestOf('d'), '--service', 'CRM_API'], /^ringmaster: --service: expected a service name \(a lower-case DNS label\), found "CRM_API"$/],
    [['--digest', digestOf('d'), '--service', 'crm-web'], /^ringmaster: --service: expected one of crm-api for target canary, found "crm-web"$/],
    [['--digest', digestOf('d'), '--run', 'two words'], /^ringmaster: --run: expected 1-128 letters/],
    [['--digest', digestOf('d'), '--config-repo', `https://bot:${TOKEN}@example.com/acme/crm-deploy.git`], /^ringmaster: --config-repo: expected a URL without credentials/],
    [['--digest', digestOf('d'), '--review', 'github'], /^ringmaster: --project: expected the repository's path on github with --review, found none$/],
    [['--digest', digestOf('d'), '--api-url', 'https://api.github.com'], /^ringmaster: --review: expected github or gitlab with --api-url\/--project, found none$/],
    [['--digest', digestOf('d'), '--review', 'github', '--project', 'acme/crm-deploy', '--api-url', 'http://api.example.com'], /^ringmaster: --api-url: expected an https:\/\/ URL without credentials/],
  ])('exits 2 on bad input %j with one line, writes nothing, and records the refusal', (args, message) => {
    const before = commits();
    const log = evidencePath(`refused-${evidenceFiles.length}`);
    const base = ['promote', '--config-repo', url, '--plan', out, '--target', 'canary', '--evidence', log];
    const result = run([...base, ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expectOneLineError(result.stderr, message);
    expect(commits()).toBe(before);
    expect(actionsIn(log)).toEqual([expect.objectContaining({ action: 'promote', outcome: 'refused', reason: result.stderr.trim().replace(/^ringmaster: /, '') })]);
  }, 120_000);

  it('records each action in the --evidence log, which verifies, bundles, and is refused once altered', () => {
    const log = evidencePath('promotion');
    const first = run(['promote', '--config-repo', url, '--plan', out, '--target', 'general', '--digest', digestOf('e'), '--evidence', log]);
    expect(first.code).toBe(0);
    const commit = git(clone(), 'rev-parse', 'HEAD').trim();
    const events = parseEventLog(readFileSync(log, 'utf8'));
    expect(events.map((e) => e.type)).toEqual(['run.opened', 'action.performed', 'action.performed']);
    expect(events[2]).toMatchObject({ step: 'promote-general', actor: expect.stringMatching(/^cli:/) });
    expect(events[1]?.data).toEqual({ action: 'verify-signature', outcome: 'done', service: 'crm-api', ring: 'general', image: IMAGE, digest: digestOf('e') });
    expect(events[2]?.data).toEqual({ action: 'promote', outcome: 'done', service: 'crm-api', ring: 'general', repository: url, path: 'apps/crm-api/overlays/general/kustomization.yaml', commit, image: IMAGE, digest: digestOf('e') });
    // The log's run is the commit's run: a retried step finds its commit and writes no second one.
    expect(git(clone(), 'log', '-1', '--format=%B')).toContain(`Ringmaster-Run: ${events[0]?.run_id}`);
    const count = commits();
    expect(run(['promote', '--config-repo', url, '--plan', out, '--target', 'general', '--digest', digestOf('e'), '--evidence', log]).code).toBe(0);
    expect(commits()).toBe(count);
    expect(run(['promote', '--config-repo', url, '--plan', out, '--target', 'general', '--digest', digestOf('f'), '--step', 'dry', '--dry-run', '--evidence', log]).code).toBe(0);
    const refused = run(['rollback', '--config-repo', url, '--plan', out, '--target', 'general', '--to', digestOf('9'), '--evidence', log]);
    expect(refused.code).toBe(2);
    // The retried step writes nothing, so it checks no signature; a dry run checks what it would write.
    expect(actionsIn(log).map((a) => [a.action, a.outcome, a.commit])).toEqual([
      ['verify-signature', 'done', undefined],
      ['promote', 'done', commit],
      ['promote', 'done', commit],
      ['verify-signature', 'done', undefined],
      ['promote', 'dry-run', undefined],
      ['rollback', 'refused', undefined],
    ]);
    expect(actionsIn(log)[5]?.reason).toMatch(/^--to: expected a digest promoted to general before \([^)]*\), found sha256:9+$/);

    const verified = run(['evidence', 'verify', log]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: evidence log internally consistent only, NOT authenticated: run cli-\\d+, 7 events, head [0-9a-f]{64}\n$`));
    const bundled = run(['evidence', 'bundle', log]);
    expect(bundled.code).toBe(0);
    const bundle = JSON.parse(bundled.stdout) as EvidenceBundle;
    expect(verifyBundle(bundle)).toMatchObject({ ok: true, count: 7 });
    expect(bundle.actions?.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    // A different --run than the log's is refused before anything is done.
    const otherRun = run(['promote', '--config-repo', url, '--plan', out, '--target', 'general', '--digest', digestOf('f'), '--evidence', log, '--run', 'another-run']);
    expect(otherRun.code).toBe(2);
    expectOneLineError(otherRun.stderr, /^ringmaster: --run: expected cli-\d+ \(the run of --evidence .*\), found "another-run"$/);

    // An altered log: verify says where (exit 1); an action refuses it (exit 2), writes no commit and leaves the file as it was.
    const altered = readFileSync(log, 'utf8').replace(`"commit":"${commit}"`, `"commit":"${'0'.repeat(40)}"`);
    writeFileSync(log, altered);
    const broken = run(['evidence', 'verify', log]);
    expect(broken.code).toBe(1);
    expectOneLineError(broken.stderr, /does not verify at line 3: hash does not match the event content \(event altered\)$/);
    const before = commits();
    const onBroken = run(['promote', '--config-repo', url, '--plan', out, '--target', 'general', '--digest', digestOf('f'), '--evidence', log]);
    expect(onBroken.code).toBe(2);
    expectOneLineError(onBroken.stderr, /^ringmaster: --evidence .*: expected a hash-chained evidence log that verifies, found one that does not at line 3: hash does not match the event content \(event altered\)$/);
    expect(commits()).toBe(before);
    expect(readFileSync(log, 'utf8')).toBe(altered);
    expect(existsSync(`${log}.lock`)).toBe(false);
  }, 240_000);

  it("verifies the digest's signature against the identity and issuer the plan's release pipeline signs with, and refuses an unsigned one", () => {
    // The plan's release workflow signs keyless on GitHub Actions: its identity is that workflow in the application repository.
    expect(readFileSync(join(out, '.github/workflows/release.yml'), 'utf8')).toMatch(/cosign sign --yes/);
    const signer = ['--certificate-identity', `https://github.com/${PROFILE.delivery.app_repository}/.github/workflows/release.yml@refs/heads/main`, '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com'];
    const calls = cosign.calls();
    // Every check so far (from --plan and from --profile) asked for exactly that signer and the digest being written.
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const call of calls) expect(call.slice(0, 5)).toEqual(['verify', ...signer]);
    expect(calls.map((c) => c[5])).toEqual(expect.arrayContaining([`${IMAGE}@${digestOf('a')}`, `${IMAGE}@${digestOf('b')}`, `${IMAGE}@${digestOf('e')}`]));

    const log = evidencePath('unsigned');
    const before = commits();
    const unsigned = run(['promote', '--config-repo', url, '--profile', profileFile, '--target', 'canary', '--digest', digestOf('7'), '--evidence', log]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toBe('');
    expectOneLineError(unsigned.stderr, /^ringmaster: ghcr\.io\/acme\/crm-api@sha256:7{64}: signature not accepted \(cosign verify: Error: no matching signatures: .*\); nothing was written$/);
    expect(cosign.calls().at(-1)).toEqual(['verify', ...signer, `${IMAGE}@${digestOf('7')}`]);
    expect(commits()).toBe(before);
    expect(actionsIn(log)).toEqual([
      expect.objectContaining({ action: 'verify-signature', outcome: 'refused', image: IMAGE, digest: digestOf('7'), reason: expect.stringMatching(/^cosign verify: Error: no matching signatures/) }),
      expect.objectContaining({ action: 'promote', outcome: 'refused', image: IMAGE, digest: digestOf('7'), reason: unsigned.stderr.trim().replace(/^ringmaster: /, '') }),
    ]);
  }, 240_000);

  it('takes the signer only from the plan: refuses an edited promotion script, and a promotion without a plan', () => {
    const edited = join(root, 'edited-plan');
    cpSync(out, edited, { recursive: true });
    const script = join(edited, 'scripts/promote.sh');
    writeFileSync(script, readFileSync(script, 'utf8').replace(/^readonly CERT_IDENTITY='[^']*'$/m, "readonly CERT_IDENTITY='https://github.com/mallory/fork/.github/workflows/release.yml@refs/heads/main'"));
    const calls = cosign.calls().length;
    const onEdited = run(['promote', '--config-repo', url, '--plan', edited, '--target', 'canary', '--digest', digestOf('a')]);
    expect(onEdited.code).toBe(2);
    expectOneLineError(onEdited.stderr, /^ringmaster: --plan: .*edited-plan: expected scripts\/promote\.sh as the plan wrote it \(sha256 [0-9a-f]{64} in manifest\.json\), found [0-9a-f]{64}: it was edited$/);
    const without = run(['promote', '--config-repo', url, '--target', 'canary', '--digest', digestOf('a')]);
    expect(without.code).toBe(2);
    expectOneLineError(without.stderr, /^ringmaster: expected --plan DIR or --profile FILE: the digest's signature is verified against the signer of the plan's release pipeline, found neither$/);
    expect(cosign.calls()).toHaveLength(calls);
  }, 120_000);

  it('appends atomically: actions run at once on one log all land in one chain', async () => {
    const log = evidencePath('concurrent');
    const runAsync = (digest: string): Promise<number | null> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [cli, 'promote', '--config-repo', url, '--plan', out, '--target', 'canary', '--digest', digest, '--step', `dry-${digest.slice(7, 8)}`, '--dry-run', '--evidence', log], {
          env: { ...process.env, PATH: `${cosign.dir}:${process.env['PATH'] ?? ''}`, GIT_CONFIG_GLOBAL: '/dev/null' },
          stdio: 'ignore',
        });
        child.on('close', resolve);
      });
    const codes = await Promise.all(['b', 'c', 'e'].map((c) => runAsync(digestOf(c))));
    expect(codes).toEqual([0, 0, 0]);
    expect(run(['evidence', 'verify', log]).code).toBe(0);
    const events = parseEventLog(readFileSync(log, 'utf8'));
    expect(events.filter((e) => e.type === 'run.opened')).toHaveLength(1);
    expect(actionsIn(log).filter((a) => a.action === 'promote').map((a) => a.digest).sort()).toEqual([digestOf('b'), digestOf('c'), digestOf('e')]);
  }, 240_000);

  it('never shows the token in output, commits or evidence', () => {
    const everything = [...outputs, git(clone(), 'log', '--format=%B%n%an%n%ae'), ...evidenceFiles.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'))].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
  });
});

describe('ringmaster canary-health: input', () => {
  it.each([
    [['--prometheus', 'http://127.0.0.1:9', '--target', 'canary'], /^ringmaster: expected exactly one of --plan DIR or --profile FILE$/],
    [['--prometheus', 'http://127.0.0.1:9', '--target', 'nowhere', '--plan', out], /^ringmaster: --target: expected one of canary, general, found "nowhere"$/],
    [['--prometheus', 'http://127.0.0.1:9', '--target', 'canary', '--plan', join(root, 'missing')], /^ringmaster: --plan .*missing: expected the folder of a plan --out, found no such folder$/],
    [['--prometheus', 'http://127.0.0.1:9', '--target', 'canary', '--plan', out, '--arg', 'oops'], /^ringmaster: --arg: expected NAME=VALUE, found "oops"$/],
    [['--prometheus', `http://u:${PROM_TOKEN}@127.0.0.1:9`, '--target', 'canary', '--plan', out], /^ringmaster: prometheus: expected an http\(s\) URL without credentials/],
  ])('exits 2 on %j', (args, message) => {
    const result = run(['canary-health', ...args]);
    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, message);
  });
});

describe.skipIf(!hasPrometheus)(hasPrometheus ? 'ringmaster canary-health against a real Prometheus' : 'canary-health: SKIPPED, prometheus is not installed', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus();
  }, 120_000);
  afterAll(() => prometheus?.stop());

  it('continues a healthy canary (exit 0), pauses one that fails its analysis (exit 1), and says open an incident (exit 3) when the burn rule fires', async () => {
    const log = evidencePath('bake');
    const healthy = run(['canary-health', '--prometheus', prometheus.url, '--plan', out, '--target', 'canary', '--evidence', log]);
    expect(healthy.stderr).toBe('');
    expect(healthy.code).toBe(0);
    const [passed] = actionsIn(log);
    expect(passed).toMatchObject({ action: 'canary-health', outcome: 'done', ring: 'canary' });
    expect(passed?.measurements?.['canary-health/error-rate']).toBeLessThan(0.01);
    expect(passed?.measurements?.['burn_rate:slo:error_ratio:rate5m']).toBeLessThan(6);
    expect(healthy.stdout).toMatch(/^canary health of canary at .*: PASS\n {2}ok {3}canary-health\/error-rate = /);
    expect(healthy.stdout).toMatch(/\ndecision: continue \(the canary passes its analysis; burn rate [\d.e-]+x is within the plan's 10x incident threshold\)\n$/);

    // No data for the canary's analysis, the SLO not burning: pause, not an incident.
    const silent = run(['canary-health', '--prometheus', prometheus.url, '--plan', out, '--target', 'canary', '--arg', 'service-name=crm-api-nothing', '--evidence', log]);
    expect(silent.code).toBe(1);
    expectOneLineError(silent.stderr, /^ringmaster: canary of canary fails: canary-health\/error-rate: no data/);
    expect(actionsIn(log)[1]).toMatchObject({ action: 'canary-health', outcome: 'refused', reason: expect.stringMatching(/^the canary fails: canary-health\/error-rate: no data/) });

    prometheus.metrics.fail();
    let failing = run(['canary-health', '--prometheus', prometheus.url, '--profile', profileFile, '--target', 'canary', '--format', 'json']);
    for (let i = 0; i < 60 && failing.code !== 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      failing = run(['canary-health', '--prometheus', prometheus.url, '--profile', profileFile, '--target', 'canary', '--format', 'json']);
    }
    expect(failing.code).toBe(3);
    expect(JSON.parse(failing.stdout)).toMatchObject({ verdict: 'fail', openIncident: true, target: 'canary', decision: { decision: 'open-incident', threshold: 10 } });
    expectOneLineError(failing.stderr, /^ringmaster: canary of canary: open an incident: ErrorBudgetBurnIncident holds: error budget burn above the plan's 10x incident threshold \(burn rate [\d.]+x\): pause the promotion, open an incident and offer the rollback$/);
    expect(run(['canary-health', '--prometheus', prometheus.url, '--plan', out, '--target', 'canary', '--evidence', log]).code).toBe(3);
    const incident = actionsIn(log)[2];
    expect(incident).toMatchObject({ action: 'canary-health', outcome: 'refused', ring: 'canary', reason: expect.stringContaining("above the plan's 10x incident threshold") });
    expect(incident?.measurements?.['burn_rate:slo:error_ratio:rate5m']).toBeGreaterThan(10);
    expect(run(['evidence', 'verify', log]).code).toBe(0);
    expect([...outputs, readFileSync(log, 'utf8')].join('\n')).not.toContain(PROM_TOKEN);
  }, 240_000);
});
