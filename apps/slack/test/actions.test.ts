import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prometheusClient } from '@ringmaster/connector-prometheus';
import { verifyBundle, type ActionData, type EvidenceBundle } from '@ringmaster/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneOf, configRemote, digestOf, git, hasGit, hasKubectl, type ConfigRemote } from '../../../packages/connector-gitops/test/repo.js';
import { eventually, hasPrometheus, startPrometheus, type RunningPrometheus } from '../../../packages/connector-prometheus/test/harness.js';
import { planFiles } from '../../../packages/connector-prometheus/test/plan.js';
import { connectorsFromEnv, healthCheckOf, type Connectors } from '../src/actions/connectors.js';
import { startActingApp, type ActingApp } from './acting.js';
import { ConfigError } from '../src/config.js';
import type { Store } from '../src/db/store.js';
import { CHANNEL, driveToEnd, type Harness } from './harness.js';

/** A token the connectors hold: it must never reach a log line, an event, a Slack call or a bundle. */
const TOKEN = 'ghp_SlackActionsToken0123456789abcdefABCD';
const SERVICE = 'crm-api';
/** Real git and a real Prometheus on 2 shared cores: generous. */
const SLOW = 300_000;

let remote: ConfigRemote;
let prometheus: RunningPrometheus | undefined;
let app: ActingApp;
let connectors: Connectors;
let h: Harness;
let store: Store;
let cosign: ActingApp['cosign'];
/** The value of `readonly NAME='...'` in the plan's promotion script. */
const planVariable = (name: string): string | undefined => new RegExp(`^readonly ${name}='([^']*)'$`, 'm').exec(readFileSync(join(remote.out, 'scripts/promote.sh'), 'utf8'))?.[1];
/** The image the config repository's overlays name. */
const image = (): string => remote.delivery.services[0].image;

beforeAll(async () => {
  remote = await configRemote();
  if (hasPrometheus) prometheus = await startPrometheus();
  const health = prometheus ? healthCheckOf(prometheusClient({ url: prometheus.url }), planFiles()) : undefined;
  app = await startActingApp(remote, [...'12345678'].map((d) => `${image()}@${digestOf(d)}`), { env: { RINGMASTER_GIT_TOKEN: TOKEN }, ...(health ? { health } : {}) });
  ({ h, store, connectors, cosign } = app);
}, 180_000);

afterAll(async () => {
  await app?.stop();
  prometheus?.stop();
});

/** The digest the target's overlay pins now, in a fresh clone of the config repository. */
function pinned(target: string): { digest: string | undefined; commits: number } {
  const dir = cloneOf(remote, `check-${Math.random().toString(16).slice(2)}`);
  const text = readFileSync(join(dir, remote.delivery.gitops.overlayPath(SERVICE, target), 'kustomization.yaml'), 'utf8');
  return { digest: /digest: (sha256:[0-9a-f]{64})/.exec(text)?.[1], commits: Number(git(dir, 'rev-list', '--count', 'HEAD').trim()) };
}

async function actions(runId: string): Promise<ActionData[]> {
  return (await h.rm.repo.events(runId)).filter((e) => e.type === 'action.performed').map((e) => e.data as unknown as ActionData);
}

function threadText(runId: string): string[] {
  return h.fake.threadOf(h.fake.rootOf(runId)!.ts).map((c) => String(c.args['text']));
}

async function step(runId: string, id: string): Promise<string | undefined> {
  return (await h.state(runId)).steps.find((s) => s.step.id === id)?.status;
}

/** Clicks through a promotion's ring up to its bake (acknowledge, promote, markers, canary check), then starts the bake. */
async function promoteRing(runId: string, ring: 'canary' | 'general'): Promise<void> {
  const n = ring === 'canary' ? 1 : 2;
  if (ring === 'canary') await h.click(runId, 'ack-page', 'UCAPTAIN');
  await h.click(runId, `promote-${n}`, 'UCAPTAIN');
  for (const id of [`ring-${ring}-markers`, `ring-${ring}-canary-health`, `ring-${ring}-bake`]) await h.click(runId, id, 'UCAPTAIN');
}

describe.skipIf(!hasGit)('checklist steps that act: the GitOps config repository', () => {
  it('a promotion commits each ring after its approvals, by a release captain, and posts the commit in the thread; a repeated click writes nothing', async () => {
    const digest = digestOf('1');
    const runId = (await h.command(`promote ${SERVICE} ${digest} canary,general`, 'UCAPTAIN')).runId!;
    const state = await h.state(runId);
    expect(state.visible.map((s) => s.step.id).slice(0, 3)).toEqual(['ack-page', 'promote-1', 'ring-canary-markers']);
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    const before = pinned('canary');

    // Not a release captain: refused before anything is written.
    await h.click(runId, 'promote-1', 'UOPS');
    expect(pinned('canary')).toEqual(before);
    expect(await actions(runId)).toEqual([]);

    await h.click(runId, 'promote-1', 'UCAPTAIN');
    const after = pinned('canary');
    expect(after).toEqual({ digest, commits: before.commits + 1 });
    const [checked, promoted] = await actions(runId);
    // The signature was checked first, against the signer the plan's promotion script names.
    expect(checked).toMatchObject({ action: 'verify-signature', outcome: 'done', ring: 'canary', image: image(), digest });
    expect(cosign.calls().at(-1)).toEqual(['verify', '--certificate-identity', planVariable('CERT_IDENTITY'), '--certificate-oidc-issuer', planVariable('OIDC_ISSUER'), `${image()}@${digest}`]);
    expect(planVariable('CERT_IDENTITY')).toMatch(/^https:\/\/github\.com\/acme\/crm-platform\//);
    expect(promoted).toMatchObject({ action: 'promote', outcome: 'done', service: SERVICE, ring: 'canary', repository: remote.url, digest, image: remote.delivery.services[0].image, path: `${remote.delivery.gitops.overlayPath(SERVICE, 'canary')}/kustomization.yaml` });
    expect(promoted!.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await step(runId, 'promote-1')).toBe('done');
    expect(threadText(runId).some((t) => t.includes(promoted!.commit!.slice(0, 12)) && t.includes(`${remote.delivery.services[0].image}@${digest}`))).toBe(true);
    expect(threadText(runId).some((t) => t.startsWith(`:lock: The signature of \`${image()}@${digest}\` for \`canary\` was verified by cosign`))).toBe(true);
    if (hasKubectl) {
      const dir = cloneOf(remote, `kustomize-${runId}`);
      expect(execFileSync('kubectl', ['kustomize', join(dir, remote.delivery.gitops.overlayPath(SERVICE, 'canary'))], { encoding: 'utf8' })).toContain(`image: ${remote.delivery.services[0].image}@${digest}`);
    }
    // Clicked again (a stale copy of the button): the step is done, nothing is written.
    await h.click(runId, 'promote-1', 'UCAPTAIN', { op: 'complete' });
    expect(pinned('canary').commits).toBe(after.commits);

    // The next ring's commit waits for the canary ring's approval (a gate) by someone else than the requester.
    for (const id of ['ring-canary-markers', 'ring-canary-canary-health', 'ring-canary-bake']) await h.click(runId, id, 'UCAPTAIN');
    expect(await step(runId, 'promote-2')).toBe('locked');
    h.advance(30);
    await h.rm.tick();
    await h.rm.settled();
    if (prometheus) expect((await actions(runId)).at(-1)).toMatchObject({ action: 'canary-health', outcome: 'done', ring: 'canary' });
    expect(await step(runId, 'ring-canary-bake')).toBe('done');
    await h.click(runId, 'ring-canary-approve', 'UAPPROVER');
    await h.click(runId, 'promote-2', 'UCAPTAIN');
    expect(pinned('general').digest).toBe(digest);
  }, SLOW);

  it('/release rollback <service> <ring> offers the digests promoted before, newest first, and writes the rollback commit after approval', async () => {
    for (const d of ['2', '3']) {
      const runId = (await h.command(`promote ${SERVICE} ${digestOf(d)} canary`, 'UCAPTAIN')).runId!;
      await h.click(runId, 'ack-page', 'UCAPTAIN');
      await h.click(runId, 'promote-1', 'UCAPTAIN');
    }
    expect(pinned('canary').digest).toBe(digestOf('3'));
    const runId = (await h.command(`rollback ${SERVICE} canary`, 'UIC')).runId!;
    const choose = (await h.state(runId)).steps.find((s) => s.step.id === 'identify-digest')!.step;
    expect(choose.kind).toBe('choice');
    expect(choose.options!.map((o) => o.id)).toEqual([digestOf('2'), digestOf('1')]);
    await h.click(runId, 'identify-digest', 'UCAPTAIN', { option: digestOf('1') });
    await h.click(runId, 'verify-signature', 'UCAPTAIN');
    expect(await step(runId, 'revert')).toBe('locked');
    await h.click(runId, 'approve', 'UAPPROVER');
    await h.click(runId, 'revert', 'UCAPTAIN');
    expect(pinned('canary').digest).toBe(digestOf('1'));
    expect(await actions(runId)).toMatchObject([
      { action: 'verify-signature', outcome: 'done', digest: digestOf('1') },
      { action: 'rollback', outcome: 'done', ring: 'canary', digest: digestOf('1') },
    ]);
    expect(cosign.calls().at(-1)).toEqual(['verify', '--certificate-identity', planVariable('CERT_IDENTITY'), '--certificate-oidc-issuer', planVariable('OIDC_ISSUER'), `${image()}@${digestOf('1')}`]);
    expect(await step(runId, 'revert')).toBe('done');
    // The closed run's signed bundle carries the action with its commit.
    await driveToEnd(h, runId);
    const json = h.fake.filesIn(h.fake.rootOf(runId)!.ts).find((f) => f.title.startsWith('Evidence bundle'))!;
    const bundle = JSON.parse(json.content) as EvidenceBundle;
    expect(verifyBundle(bundle).ok).toBe(true);
    const recorded = bundle.events.filter((e) => e.type === 'action.performed').map((e) => e.data);
    expect(recorded).toMatchObject([
      { action: 'verify-signature', outcome: 'done', digest: digestOf('1') },
      { action: 'rollback', outcome: 'done', commit: expect.stringMatching(/^[0-9a-f]{40}$/) },
    ]);

    // A ring nothing was promoted to, or an unknown one: no run opens, the user is told why.
    const unknown = await h.command(`rollback ${SERVICE} nowhere`, 'UIC');
    expect(unknown.runId).toBeUndefined();
    expect(h.fake.of('chat.postEphemeral').at(-1)?.args['text']).toMatch(/could not list what was promoted to `nowhere`: target: expected one of canary, general/);
  }, SLOW);

  it('a refused or failed action leaves the step open, says why in the thread, and can be retried', async () => {
    const runId = (await h.command(`promote ${SERVICE} ${digestOf('4')} canary`, 'UCAPTAIN')).runId!;
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    // The config repository is gone for a moment.
    renameSync(remote.bare, `${remote.bare}.away`);
    try {
      await h.click(runId, 'promote-1', 'UCAPTAIN');
    } finally {
      renameSync(`${remote.bare}.away`, remote.bare);
    }
    const [failed] = await actions(runId);
    expect(failed).toMatchObject({ action: 'promote', outcome: 'failed', ring: 'canary' });
    expect(failed!.reason).toMatch(/git fetch/);
    expect(await step(runId, 'promote-1')).toBe('open');
    expect(threadText(runId).at(-1)).toMatch(/:no_entry: Promotion of `canary` failed .*The step is still open; try again\./);
    await h.click(runId, 'promote-1', 'UCAPTAIN');
    expect((await actions(runId)).map((a) => `${a.action} ${a.outcome}`)).toEqual(['promote failed', 'verify-signature done', 'promote done']);
    expect(pinned('canary').digest).toBe(digestOf('4'));

    // A ring that is not an overlay of the repository: refused, with the known ones.
    const elsewhere = (await h.command(`promote ${SERVICE} ${digestOf('5')} nowhere`, 'UCAPTAIN')).runId!;
    await h.click(elsewhere, 'ack-page', 'UCAPTAIN');
    await h.click(elsewhere, 'promote-1', 'UCAPTAIN');
    expect((await actions(elsewhere))[0]).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^target: expected one of canary, general/) });
    expect(await step(elsewhere, 'promote-1')).toBe('open');
  }, SLOW);

  it('a click whose commit was written before a crash (not yet recorded) finds that commit and writes no second one', async () => {
    const runId = (await h.command(`promote ${SERVICE} ${digestOf('8')} canary`, 'UCAPTAIN')).runId!;
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    // An earlier life of the process pushed the step's commit and died before the transition.
    const earlier = await connectors.gitops!.promote({ target: 'canary', digest: digestOf('8'), runId, stepId: 'promote-1' });
    const commits = pinned('canary').commits;
    await h.click(runId, 'promote-1', 'UCAPTAIN');
    expect(pinned('canary').commits).toBe(commits);
    expect((await actions(runId)).at(-1)).toMatchObject({ action: 'promote', outcome: 'done', commit: earlier.commit, digest: digestOf('8') });
    expect(await step(runId, 'promote-1')).toBe('done');
  }, SLOW);

  it('a digest the plan\'s release signer did not sign is refused before anything is written; the step stays open and can be retried', async () => {
    const unsigned = digestOf('9');
    const runId = (await h.command(`promote ${SERVICE} ${unsigned} canary`, 'UCAPTAIN')).runId!;
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    const before = pinned('canary');
    await h.click(runId, 'promote-1', 'UCAPTAIN');
    expect(pinned('canary')).toEqual(before);
    expect(cosign.calls().at(-1)).toEqual(['verify', '--certificate-identity', planVariable('CERT_IDENTITY'), '--certificate-oidc-issuer', planVariable('OIDC_ISSUER'), `${image()}@${unsigned}`]);
    const [refused, ...rest] = await actions(runId);
    expect(rest).toEqual([]);
    expect(refused).toMatchObject({ action: 'verify-signature', outcome: 'refused', service: SERVICE, ring: 'canary', image: image(), digest: unsigned });
    expect(refused!.reason).toMatch(/^cosign verify: Error: no matching signatures/);
    expect(await step(runId, 'promote-1')).toBe('open');
    const line = threadText(runId).at(-1)!;
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^:no_entry: The signature of `ghcr\.io\/acme\/crm-api@sha256:9{64}` for `canary` refused at .*: cosign verify: Error: no matching signatures.*The step is still open; try again\.$/);

    // Signed since (the pipeline caught up): the same click commits.
    cosign.sign(`${image()}@${unsigned}`);
    await h.click(runId, 'promote-1', 'UCAPTAIN');
    expect(pinned('canary')).toEqual({ digest: unsigned, commits: before.commits + 1 });
    expect((await actions(runId)).map((a) => `${a.action} ${a.outcome}`)).toEqual(['verify-signature refused', 'verify-signature done', 'promote done']);
    expect(await step(runId, 'promote-1')).toBe('done');
  }, SLOW);

  it('the GitOps connector is not configured without the plan whose signer it verifies', () => {
    const without = (env: Record<string, string>): ConfigError => {
      try {
        connectorsFromEnv({ RINGMASTER_CONFIG_REPO: remote.url, ...env })?.gitops?.close();
      } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
      }
      throw new Error('configured');
    };
    const missing = without({});
    expect(missing.variable).toBe('RINGMASTER_PLAN_DIR');
    expect(missing.message).toMatch(/^RINGMASTER_PLAN_DIR: is not set \(RINGMASTER_CONFIG_REPO needs the plan --out folder/);
    // A plan whose promotion script was edited (another signer) is refused, not trusted.
    const edited = join(remote.root, 'edited-plan');
    cpSync(remote.out, edited, { recursive: true });
    const script = join(edited, 'scripts/promote.sh');
    writeFileSync(script, readFileSync(script, 'utf8').replace(/^readonly OIDC_ISSUER='[^']*'$/m, "readonly OIDC_ISSUER='https://issuer.example.invalid'"));
    const tampered = without({ RINGMASTER_PLAN_DIR: edited });
    expect(tampered.variable).toBe('RINGMASTER_PLAN_DIR');
    expect(tampered.message).toMatch(/^RINGMASTER_PLAN_DIR: .*edited-plan: expected scripts\/promote\.sh as the plan wrote it .*: it was edited$/);
  });

  it('dry run: the thread says what would be committed; nothing is written', async () => {
    connectors.dryRun = true;
    try {
      const runId = (await h.command(`promote ${SERVICE} ${digestOf('6')} canary`, 'UCAPTAIN')).runId!;
      await h.click(runId, 'ack-page', 'UCAPTAIN');
      const before = pinned('canary');
      await h.click(runId, 'promote-1', 'UCAPTAIN');
      expect(pinned('canary')).toEqual(before);
      // A dry run still verifies the signature.
      expect(await actions(runId)).toMatchObject([
        { action: 'verify-signature', outcome: 'done', digest: digestOf('6') },
        { action: 'promote', outcome: 'dry-run', digest: digestOf('6') },
      ]);
      expect(threadText(runId).some((t) => t.startsWith(':test_tube: Dry run:'))).toBe(true);
    } finally {
      connectors.dryRun = false;
    }
  }, SLOW);

  it('without a digest, or without connectors, a promotion is the buttons it always was', async () => {
    const runId = (await h.command(`promote ${SERVICE} 1.42.0 canary`, 'UCAPTAIN')).runId!;
    const state = await h.state(runId);
    expect(state.steps.some((s) => s.step.id.startsWith('promote-'))).toBe(false);
    expect(state.params['actions']).toBeUndefined();
  }, SLOW);
});

describe.skipIf(!hasGit || !hasPrometheus)('a burning canary, on a real Prometheus', () => {
  it('a burn rate over the threshold during the bake pauses the promotion and opens a linked incident; the bake must start again', async () => {
    const runId = (await h.command(`promote ${SERVICE} ${digestOf('7')} canary`, 'UCAPTAIN')).runId!;
    await promoteRing(runId, 'canary');
    expect(await step(runId, 'ring-canary-bake')).toBe('waiting');
    prometheus!.metrics.fail();
    const incident = await eventually(async () => {
      await h.rm.tick();
      await h.rm.settled();
      const rows = await store.query<{ id: string }>(`SELECT id FROM runs WHERE kind = 'incident' AND channel = $1`, [CHANNEL]);
      for (const r of rows) if ((await h.state(r.id)).params['promotion_run'] === runId) return r.id;
      return null;
    }, 150_000);
    const paused = (await actions(runId)).at(-1)!;
    expect(paused).toMatchObject({ action: 'canary-health', outcome: 'refused', ring: 'canary' });
    expect(paused.reason).toContain(`incident ${incident} opened`);
    expect(paused.reason).toContain(`/release rollback ${SERVICE} canary`);
    expect(Object.keys(paused.measurements ?? {}).some((k) => k.startsWith('burn_rate:'))).toBe(true);
    expect(await step(runId, 'ring-canary-bake')).toBe('open');
    expect(h.fake.rootOf(incident)).toBeDefined();

    // Started again while the canary still burns: at its end the bake refuses to pass.
    await h.click(runId, 'ring-canary-bake', 'UCAPTAIN');
    h.advance(31);
    await h.rm.tick();
    await h.rm.settled();
    expect(await step(runId, 'ring-canary-bake')).toBe('open');
    expect((await actions(runId)).at(-1)).toMatchObject({ action: 'canary-health', outcome: 'refused' });
  }, SLOW);
});

describe('credentials', () => {
  it('the token the connectors hold never reaches logs, events, Slack or bundles', async () => {
    expect(h.logs.join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(h.fake.calls)).not.toContain(TOKEN);
    const events = await store.query<{ event: string }>('SELECT event FROM events');
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.event).join('\n')).not.toContain(TOKEN);
  }, SLOW);
});
