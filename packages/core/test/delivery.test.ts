import { describe, expect, it } from 'vitest';
import { contextFor, deliveryAssumptions, placeholdersIn, ProfileInputError, validateProfile } from '../src/index.js';

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

  it('refuses two services in one plan in one line that says why and what to do instead', () => {
    const twoServices = { goal: 'x', delivery: { services: [{ name: 'crm-api' }, { name: 'crm-worker' }] } };
    expect(() => validateProfile(twoServices)).toThrow(ProfileInputError);
    try {
      validateProfile(twoServices);
    } catch (error) {
      const [issue] = (error as ProfileInputError).issues;
      expect(issue?.pointer).toBe('/delivery/services');
      expect(issue?.message).toBe('/delivery/services: expected at most 1 item (one service per plan: plan each service with its own profile and --out folder), found array of 2');
    }
  });
});

describe('the delivery system of a plan', () => {
  it('derives one image and the signer from the names, per CI vendor', () => {
    const names = { delivery: { app_repository: 'acme/crm', registry: 'ghcr.io/acme' } };
    const github = delivery(names);
    expect(github.service.image).toBe('ghcr.io/acme/crm-api');
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
    const used = [named.service.image, named.appRepo.url, named.configRepo.sshUrl, JSON.stringify(named.ci), named.cloud.awsAccountId].join('\n');
    expect(placeholdersIn([{ path: 'x', content: used }], named.defaults)).toEqual([]);
  });
});
