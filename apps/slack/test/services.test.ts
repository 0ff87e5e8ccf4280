import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionData } from '@ringmaster/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneOf, configRemote, digestOf, hasGit, PROFILE, type ConfigRemote } from '../../../packages/connector-gitops/test/repo.js';
import { startActingApp, type ActingApp } from './acting.js';
import type { Harness } from './harness.js';

/** A plan releasing two services: a promotion run acts on its own service's overlays only. */
const SERVICES = [{ name: 'crm-api' }, { name: 'crm-web', image: 'web/crm-web' }];
const SLOW = 300_000;

let remote: ConfigRemote;
let app: ActingApp;
let h: Harness;

beforeAll(async () => {
  remote = await configRemote({ ...PROFILE, delivery: { ...PROFILE.delivery, services: SERVICES } });
  app = await startActingApp(remote, remote.delivery.services.map((s) => `${s.image}@${digestOf('1')}`));
  h = app.h;
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

/** The digest a service's overlay of a target pins, in a fresh clone. */
function pinned(service: string, target: string): string | undefined {
  const dir = cloneOf(remote, `check-${Math.random().toString(16).slice(2)}`);
  return /digest: (sha256:[0-9a-f]{64})/.exec(readFileSync(join(dir, remote.delivery.gitops.promotionFile(service, target)), 'utf8'))?.[1];
}

async function actions(runId: string): Promise<ActionData[]> {
  return (await h.rm.repo.events(runId)).filter((e) => e.type === 'action.performed').map((e) => e.data as unknown as ActionData);
}

describe.skipIf(!hasGit)('acting steps in a plan with several services', () => {
  it("a promotion writes its own service's overlay, verified for that service's image; the other service does not move", async () => {
    const runId = (await h.command(`promote crm-web ${digestOf('1')} canary`, 'UCAPTAIN')).runId!;
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    await h.click(runId, 'promote-1', 'UCAPTAIN');
    const [checked, promoted] = await actions(runId);
    expect(checked).toMatchObject({ action: 'verify-signature', outcome: 'done', service: 'crm-web', image: 'ghcr.io/acme/web/crm-web' });
    expect(promoted).toMatchObject({ action: 'promote', outcome: 'done', service: 'crm-web', image: 'ghcr.io/acme/web/crm-web', path: remote.delivery.gitops.promotionFile('crm-web', 'canary') });
    expect(pinned('crm-web', 'canary')).toBe(digestOf('1'));
    expect(pinned('crm-api', 'canary')).toBe(remote.delivery.unpromotedDigest);
  }, SLOW);

  it('a run naming a service the plan does not release is refused at its first acting step, naming the services', async () => {
    const runId = (await h.command(`promote crm-worker ${digestOf('1')} canary`, 'UCAPTAIN')).runId!;
    await h.click(runId, 'ack-page', 'UCAPTAIN');
    await h.click(runId, 'promote-1', 'UCAPTAIN');
    expect(await actions(runId)).toEqual([expect.objectContaining({ action: 'promote', outcome: 'refused', service: 'crm-worker', reason: 'service: expected one of crm-api, crm-web for target canary, found "crm-worker"' })]);
    expect(pinned('crm-api', 'general')).toBe(remote.delivery.unpromotedDigest);
  }, SLOW);
});
