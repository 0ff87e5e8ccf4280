import { describe, expect, it } from 'vitest';
import { contextFor, deliveryAssumptions, deliveryNameClashes, placeholdersIn, ProfileInputError, serviceArtifactName, validateProfile } from '../src/index.js';

const delivery = (profile: Record<string, unknown>, selected: string[] = []) => contextFor({ goal: 'pipeline', ...profile }, selected).delivery;

describe('the delivery section of the profile', () => {
  it('accepts the team names', () => {
    expect(() =>
      validateProfile({
        goal: 'x',
        delivery: { organization: 'acme', app_repository: 'acme/crm', config_repository: 'acme/crm-deploy', registry: 'ghcr.io/acme', services: [{ name: 'crm-api', port: 8080, health_path: '/healthz' }], environments: [{ name: 'eu', region: 'eu-central-1', cluster: 'prod-eu', cluster_server: 'https://prod-eu.example.internal' }], cloud: { aws_account_id: '210987654321' } },
      }),
    ).not.toThrow();
  });

  it.each([
    ['a repository with shell characters', { app_repository: 'acme/crm;rm -rf' }, '/delivery/app_repository'],
    ['a registry with a scheme', { registry: 'https://ghcr.io/acme' }, '/delivery/registry'],
    ['a service name that is not a DNS label', { services: [{ name: 'CRM_API' }] }, '/delivery/services/0/name'],
    ['an AWS account that is not 12 digits', { cloud: { aws_account_id: '1234' } }, '/delivery/cloud/aws_account_id'],
    ['a cluster server over plain http', { environments: [{ name: 'prod', cluster_server: 'http://k8s' }] }, '/delivery/environments/0/cluster_server'],
  ])('rejects %s, naming the field', (_name, value, pointer) => {
    expect(() => validateProfile({ goal: 'x', delivery: value })).toThrow(ProfileInputError);
    try {
      validateProfile({ goal: 'x', delivery: value });
    } catch (error) {
      expect((error as ProfileInputError).issues.map((i) => i.pointer)).toContain(pointer);
    }
  });

  it.each([
    ['two services with one name', [{ name: 'crm-api' }, { name: 'crm-api', image: 'other' }], '/delivery/services/1/name: expected a service name not used by /delivery/services/0, found string "crm-api"'],
    ['two services with one image', [{ name: 'crm-api' }, { name: 'crm-web', image: 'crm-api' }], '/delivery/services/1/image: expected an image not used by /delivery/services/0, found string "crm-api"'],
  ])('refuses %s in one line naming the later one', (_name, services, message) => {
    try {
      validateProfile({ goal: 'x', delivery: { services } });
      expect.unreachable('validated');
    } catch (error) {
      expect((error as ProfileInputError).issues.map((i) => i.message)).toEqual([message]);
    }
  });

  it('refuses two environments with one name', () => {
    expect(() => validateProfile({ goal: 'x', delivery: { environments: [{ name: 'prod' }, { name: 'prod' }] } })).toThrow('/delivery/environments/1/name: expected an environment name not used by /delivery/environments/0, found string "prod"');
  });
});

describe('several services in one plan', () => {
  const two = delivery({ delivery: { registry: 'ghcr.io/acme', services: [{ name: 'crm-api' }, { name: 'crm-web', port: 3000, image: 'web/frontend', build_context: 'web' }] } });

  it('gives each service its image, build context, base and overlays', () => {
    expect(two.services.map((s) => [s.name, s.image, s.port, s.buildContext])).toEqual([
      ['crm-api', 'ghcr.io/acme/crm-api', 8080, 'services/crm-api'],
      ['crm-web', 'ghcr.io/acme/web/frontend', 3000, 'web'],
    ]);
    expect(two.gitops.basePath('crm-web')).toBe('apps/crm-web/base');
    expect(two.gitops.promotionFile('crm-web', 'production')).toBe('apps/crm-web/overlays/production/kustomization.yaml');
    expect(delivery({ infra: { orchestrator: 'vm' }, delivery: { services: [{ name: 'a' }, { name: 'b' }] } }).gitops.promotionFile('b', 'staging')).toBe('releases/staging/b.image');
  });

  it('records the build folders it assumed; one service builds from the root without an assumption', () => {
    expect(two.defaults.filter((d) => d.field.endsWith('/build_context'))).toEqual([{ value: 'services/crm-api', field: '/delivery/services/0/build_context', placeholder: false, replaceWith: "the folder of the service's Dockerfile in the application repository" }]);
    const one = delivery({});
    expect(one.services.map((s) => s.buildContext)).toEqual(['.']);
    expect(one.defaults.some((d) => d.field.endsWith('/build_context'))).toBe(false);
  });

  it('refuses names that would make one cluster object of two: targets equal as Kubernetes names, service-target pairs with one object name', () => {
    const planOf = (profile: Record<string, unknown>): string[] => deliveryNameClashes(delivery(profile)).map((i) => i.message);
    expect(planOf({ release_policy: { ring_model: { enabled: true, rings: ['eu_west', 'eu-west'] } } })).toEqual([
      '/release_policy/ring_model/rings/1: expected a target name whose Kubernetes name differs from "eu_west"\'s (eu-west), found string "eu-west"',
    ]);
    expect(planOf({ delivery: { services: [{ name: 'crm' }, { name: 'crm-web' }], environments: [{ name: 'web-staging' }, { name: 'staging' }] } })).toEqual([
      '/delivery/services/1/name: expected a name whose objects differ from those of the other services (crm + web-staging and crm-web + staging are both crm-web-staging), found string "crm-web"',
    ]);
    expect(planOf({ delivery: { services: [{ name: 'crm-api' }, { name: 'crm-web' }] } })).toEqual([]);
    const twoOnOneCluster = { infra: { orchestrator: 'kubernetes' }, cd_strategy: 'gitops', gitops_tool: 'flux', delivery: { environments: [{ name: 'staging', cluster: 'shared' }, { name: 'production', cluster: 'shared' }] } };
    expect(planOf(twoOnOneCluster)).toEqual(['/delivery/environments/1/cluster: expected a cluster no other target uses (Flux deploys staging there, into the same namespaces), found string "shared"']);
    expect(planOf({ ...twoOnOneCluster, gitops_tool: 'argocd' })).toEqual([]);
  });

  it('names per-service files after the service only when there are several', () => {
    expect(serviceArtifactName(two, 'rollout.yaml', 'crm-web')).toBe('rollout_crm-web.yaml');
    expect(serviceArtifactName(delivery({}), 'rollout.yaml', 'crm-api')).toBe('rollout.yaml');
  });
});

describe('the delivery system of a plan', () => {
  it('derives one image and the signer from the names, per CI vendor', () => {
    const names = { delivery: { app_repository: 'acme/crm', registry: 'ghcr.io/acme' } };
    const github = delivery(names);
    expect(github.services[0].image).toBe('ghcr.io/acme/crm-api');
    expect(github.ci.signing).toMatchObject({ kind: 'keyless', issuer: 'https://token.actions.githubusercontent.com', identity: 'https://github.com/acme/crm/.github/workflows/release.yml@refs/heads/main' });
    expect(delivery(names, ['supply-chain']).ci.signing).toMatchObject({ identity: 'https://github.com/acme/crm/.github/workflows/release-signing.yml@refs/heads/main' });
    expect(delivery({ ...names, ci_platform: 'gitlab' }).ci.signing).toMatchObject({ issuer: 'https://gitlab.com', identity: 'https://gitlab.com/acme/crm//.gitlab-ci.yml@refs/heads/main' });
    expect(delivery({ ...names, ci_platform: 'azure devops', infra: { cloud_provider: 'gcp' }, delivery: { ...names.delivery, cloud: { gcp_project_id: 'acme-prod' } } }).ci.signing).toEqual({ kind: 'kms', keyUri: 'gcpkms://projects/acme-prod/locations/global/keyRings/release/cryptoKeys/release-signing' });
    expect(delivery({ ...names, ci_platform: 'azure devops' }).configRepo.url).toBe('https://dev.azure.com/acme/crm/_git/crm-config');
  });

  it('derives targets: environments, else residency regions, else rings, else staging and production', () => {
    expect(delivery({ delivery: { environments: [{ name: 'blue' }] } }).targets.map((t) => t.name)).toEqual(['blue']);
    expect(delivery({ crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] } }).targets.map((t) => [t.name, t.jurisdiction])).toEqual([['eu-central-1', 'eu'], ['us-east-1', 'us']]);
    expect(delivery({ release_policy: { ring_model: { enabled: true, rings: ['a', 'b'] } } }).targets.map((t) => t.name)).toEqual(['a', 'b']);
    expect(delivery({}).targets.map((t) => t.name)).toEqual(['staging', 'production']);
  });

  it('lists only the placeholders a file contains, with the files', () => {
    const d = delivery({ infra: { cloud_provider: 'aws' } });
    const files = [
      { path: 'a.sh', content: 'IMAGE=ghcr.io/example-org/crm-api' },
      { path: 'b.json', content: '{"Principal": "arn:aws:iam::111122223333:root"}' },
      { path: 'c.md', content: 'nothing here' },
    ];
    expect(placeholdersIn(files, d.defaults).map((p) => [p.value, p.files])).toEqual([
      ['example-org', ['a.sh']],
      ['111122223333', ['b.json']],
    ]);
    expect(deliveryAssumptions(files, d.defaults).some((a) => a.startsWith('delivery.organization not given'))).toBe(true);
    const named = delivery({ delivery: { organization: 'acme', app_repository: 'acme/crm', config_repository: 'acme/deploy', cloud: { aws_account_id: '210987654321' } }, infra: { cloud_provider: 'aws' } });
    const used = [named.services[0].image, named.appRepo.url, named.configRepo.sshUrl, JSON.stringify(named.ci), named.cloud.awsAccountId].join('\n');
    expect(placeholdersIn([{ path: 'x', content: used }], named.defaults)).toEqual([]);
  });
});
