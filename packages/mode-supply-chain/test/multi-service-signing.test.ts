import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { supplyChainMode } from '../src/index.js';

/**
 * The GitLab and Azure DevOps signing bodies of a plan with two services: every image is signed
 * (GitLab keyless under the `.gitlab-ci.yml` identity, Azure DevOps with the KMS key), by the digest
 * its own variable carries; a one-service plan keeps its names.
 */

type Obj = Record<string, unknown>;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const profile = (ci: string, services: unknown[] = [{ name: 'crm-api', build_context: 'services/api' }, { name: 'crm-web' }]): Obj => ({
  goal: 'Supply chain signing',
  ci_platform: ci,
  infra: { cloud_provider: 'aws' },
  delivery: { app_repository: 'acme/crm', cloud: { aws_account_id: '123456789012' }, services },
});

function documentOf(p: Obj, path: string, companions: string[]): Obj {
  const spec = runMode(supplyChainMode, p, companions).artifacts.find((a) => a.path === path);
  if (spec?.body.format !== 'yaml') throw new Error(`no ${path}`);
  return spec.body.documents[0] as Obj;
}

describe('GitLab signing with two services', () => {
  const fragment = (companions: string[], services?: unknown[]) => documentOf(profile('gitlab', services), 'ci/release-signing.gitlab-ci.yml', companions);
  const scriptOf = (job: unknown): string => (job as { script: string[] }).script.join('\n');

  it('included in .gitlab-ci.yml, signs, attests and uploads the SBOM of every image the build pushed', () => {
    const doc = fragment(['blueprint']);
    expect(Object.keys(doc)).toEqual(['sign-and-attest']);
    const script = scriptOf(doc['sign-and-attest']);
    for (const [service, ref] of [['crm-api', '${IMAGE_CRM_API}@${DIGEST_CRM_API}'], ['crm-web', '${IMAGE_CRM_WEB}@${DIGEST_CRM_WEB}']] as const) {
      expect(script).toContain(`syft scan "${ref}" -o spdx-json=sbom_${service}.spdx.json`);
      expect(script).toContain(`cosign sign --yes "${ref}"`);
      expect(script).toContain(`cosign attest --yes --type spdxjson --predicate sbom_${service}.spdx.json "${ref}"`);
      expect(script).toContain(`cosign attest --yes --type slsaprovenance --predicate provenance.json "${ref}"`);
      expect(script).toContain(`aws s3 cp sbom_${service}.spdx.json "s3://\${EVIDENCE_BUCKET}/evidence/\${CI_COMMIT_SHA}/sbom_${service}.spdx.json"`);
    }
    // Keyless: the job's OIDC token for Sigstore, no key.
    expect((doc['sign-and-attest'] as Obj)['id_tokens']).toMatchObject({ SIGSTORE_ID_TOKEN: { aud: 'sigstore' } });
    expect(script).not.toContain('--key');
  });

  it('alone, builds every image from its context with the variables its signing job reads', () => {
    const doc = fragment([]);
    const { services } = contextFor(profile('gitlab'), [], 'supply-chain').delivery;
    expect(doc['variables']).toEqual({ IMAGE_CRM_API: services[0].image, IMAGE_CRM_WEB: services[1]?.image });
    for (const name of Object.keys(doc['variables'] as Obj)) expect(name).toMatch(VARIABLE_NAME);
    const build = scriptOf(doc['build']);
    expect(build).toContain('--tag "${IMAGE_CRM_API}:${CI_COMMIT_SHA}" "services/api"');
    expect(build).toContain('--tag "${IMAGE_CRM_WEB}:${CI_COMMIT_SHA}" "services/crm-web"');
    // Every variable the signing job reads is the pipeline's or the build's dotenv report.
    const defined = new Set([...Object.keys(doc['variables'] as Obj), ...[...build.matchAll(/echo "([A-Z_]+)=/g)].map((m) => m[1])]);
    const read = [...scriptOf(doc['sign-and-attest']).matchAll(/\$\{((?:IMAGE|DIGEST)[A-Z_]*)\}/g)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(0);
    for (const v of read) expect(defined).toContain(v);
  });

  it('keeps the names of a one-service plan', () => {
    const script = scriptOf(fragment(['blueprint'], [{ name: 'crm-api' }])['sign-and-attest']);
    expect(script).toContain('syft scan "${IMAGE}@${DIGEST}" -o spdx-json=sbom.spdx.json');
    expect(script).toContain('cosign sign --yes "${IMAGE}@${DIGEST}"');
  });
});

describe('Azure DevOps signing with two services', () => {
  const pipeline = (companions: string[], services?: unknown[]) => documentOf(profile('azure devops', services), '.azure-pipelines/release-signing.yml', companions);
  const KEY_SIGNING = (job: Obj): Obj[] => (job['steps'] as Obj[]).filter((s) => (s['inputs'] as Obj | undefined)?.['filePath'] === 'scripts/cosign_sign.sh');

  it('as the stage template, takes one digest parameter per service and signs each with the KMS key identity', () => {
    const doc = pipeline(['blueprint']);
    expect(doc['parameters']).toEqual([{ name: 'digest_crm_api', type: 'string' }, { name: 'digest_crm_web', type: 'string' }]);
    const job = ((doc['stages'] as Obj[])[0]?.['jobs'] as Obj[])[0] as Obj;
    expect(job['variables']).toEqual({ IMAGE_DIGEST_CRM_API: '${{ parameters.digest_crm_api }}', IMAGE_DIGEST_CRM_WEB: '${{ parameters.digest_crm_web }}' });
    const signing = KEY_SIGNING(job);
    // Under the AWS service connection that reaches the KMS key.
    expect(signing.map((s) => s['task'])).toEqual(['AWSShellScript@1', 'AWSShellScript@1']);
    expect(signing.map((s) => (s['inputs'] as Obj)['arguments'])).toEqual(['crm-api "$(IMAGE_DIGEST_CRM_API)"', 'crm-web "$(IMAGE_DIGEST_CRM_WEB)"']);
  });

  it('alone, reads each service\'s digest file before signing it', () => {
    const doc = pipeline([]);
    const steps = doc['steps'] as Obj[];
    const read = String(steps.find((s) => String(s['displayName']).startsWith('Read the digests'))?.['bash']);
    expect(read).toContain('digest="$(cat image_crm-api.digest)"\necho "##vso[task.setvariable variable=IMAGE_DIGEST_CRM_API]${digest}"');
    expect(read).toContain('image_crm-web.digest');
    expect(KEY_SIGNING(doc)).toHaveLength(2);
  });

  it('keeps the names of a one-service plan', () => {
    const doc = pipeline(['blueprint'], [{ name: 'crm-api' }]);
    expect(doc['parameters']).toEqual([{ name: 'digest', type: 'string' }]);
    const job = ((doc['stages'] as Obj[])[0]?.['jobs'] as Obj[])[0] as Obj;
    expect(job['variables']).toEqual({ IMAGE_DIGEST: '${{ parameters.digest }}' });
  });
});

describe('signing the blueprint pipeline relies on', () => {
  it.each([
    ['gitlab', ['ci/release-signing.gitlab-ci.yml']],
    ['azure devops', ['.azure-pipelines/release-signing.yml', 'scripts/cosign_sign.sh']],
  ])('%s: the signing job is in the plan with the blueprint, also for a goal about runners only', (ci, paths) => {
    const files = (companions: string[]) => runMode(supplyChainMode, { goal: 'Runner isolation', ci_platform: ci }, companions).artifacts.map((a) => a.path);
    expect(files(['blueprint'])).toEqual(expect.arrayContaining(paths));
    expect(files([])).not.toContain(paths[0]);
  });
});
