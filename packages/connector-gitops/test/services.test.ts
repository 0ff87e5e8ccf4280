import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverPromotionFiles, GitOpsInputError, openGitOpsRepository, promotionFilesOf, type GitOpsRepository } from '@ringmaster/connector-gitops';
import { cloneOf, configRemote, digestOf, git, hasGit, PROFILE, type ConfigRemote } from './repo.js';

const TWO_SERVICES = { ...PROFILE, delivery: { ...PROFILE.delivery, services: [{ name: 'crm-api' }, { name: 'crm-web', image: 'web/frontend' }] } };

/** A plan with two services: each has its own overlay per target, and an action names which one it is about. */
describe.skipIf(!hasGit)(hasGit ? 'GitOps repository connector with several services' : 'several services: SKIPPED, git is not installed', () => {
  let remote: ConfigRemote;
  let discovered: GitOpsRepository;
  beforeAll(async () => {
    remote = await configRemote(TWO_SERVICES);
    discovered = openGitOpsRepository({ url: remote.url });
  }, 120_000);
  afterAll(() => discovered?.close());

  it('plans one promotion file per service and target, each naming its service and image', () => {
    const files = promotionFilesOf(remote.delivery);
    expect(files.map((f) => [f.service, f.image, f.path])).toEqual(
      ['crm-api', 'crm-web'].flatMap((service) =>
        remote.delivery.targets.map((t) => [service, service === 'crm-api' ? 'ghcr.io/acme/crm-api' : 'ghcr.io/acme/web/frontend', `apps/${service}/overlays/${t.name}/kustomization.yaml`]),
      ),
    );
  });

  it('refuses an action that does not say which service, and one naming a service the target does not have', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    await expect(discovered.promote({ target, digest: digestOf('a'), runId: 'r1', stepId: 's1' })).rejects.toThrow(`image: expected one of ghcr.io/acme/crm-api, ghcr.io/acme/web/frontend for target ${target}, found none given`);
    await expect(discovered.history(target, { service: 'crm-worker' })).rejects.toThrow(GitOpsInputError);
    await expect(discovered.history(target, { service: 'crm-worker' })).rejects.toThrow(`service: expected one of crm-api, crm-web for target ${target}, found "crm-worker"`);
    await expect(discovered.history(target, { service: 'Bad Name' })).rejects.toThrow(/^service: expected a service name/);
  });

  it('promotes and rolls back one service without touching the other, found by service or by image', async () => {
    const target = remote.delivery.targets[0]?.name as string;
    await discovered.promote({ target, service: 'crm-web', digest: digestOf('1'), runId: 'r2', stepId: 's1' });
    await discovered.promote({ target, image: 'ghcr.io/acme/web/frontend', digest: digestOf('2'), runId: 'r3', stepId: 's1' });
    await discovered.promote({ target, service: 'crm-api', digest: digestOf('3'), runId: 'r4', stepId: 's1' });
    const rolledBack = await discovered.rollback({ target, service: 'crm-web', runId: 'r5', stepId: 's2' });
    expect(rolledBack).toMatchObject({ status: 'committed', image: 'ghcr.io/acme/web/frontend', digest: digestOf('1'), path: `apps/crm-web/overlays/${target}/kustomization.yaml` });
    expect((await discovered.history(target, { service: 'crm-api' })).map((p) => p.digest)).toEqual([digestOf('3')]);
    expect((await discovered.history(target, { service: 'crm-web' })).map((p) => p.digest)).toEqual([digestOf('1'), digestOf('2'), digestOf('1')]);
    const dir = cloneOf(remote, 'check');
    expect(git(dir, 'log', '-1', '--format=%s').trim()).toBe(`rollback crm-web to ${digestOf('1')} on ${target}`);
  });
});

describe('the service of a promotion file found in a config repository', () => {
  const kustomization = 'images:\n  - name: ghcr.io/acme/web/crm-web\n    digest: sha256:' + '0'.repeat(64) + '\n';
  it("is its folder under apps/, else the image's last path segment (a repository laid out by hand)", () => {
    const found = discoverPromotionFiles(['apps/crm-web/overlays/prod/kustomization.yaml', 'k8s/overlays/prod/kustomization.yaml', 'releases/prod/crm-api.image'], (path) => (path.endsWith('.image') ? `ghcr.io/acme/crm-api@sha256:${'1'.repeat(64)}\n` : kustomization));
    expect(found.map((f) => [f.path, f.service])).toEqual([
      ['apps/crm-web/overlays/prod/kustomization.yaml', 'crm-web'],
      ['k8s/overlays/prod/kustomization.yaml', 'crm-web'],
      ['releases/prod/crm-api.image', 'crm-api'],
    ]);
  });
});
