import { describe, expect, it } from 'vitest';
import { auditPath } from '../src/index.js';
import { CLEAN_RELEASE, repo } from './helpers.js';

const PUBLISH = (extra: string, runsOn = 'ubuntu-latest') => `name: release
on:
  push:
    tags: ['v*']
permissions:
  contents: read
jobs:
  publish:
    runs-on: ${runsOn}
    permissions:
      contents: read
      id-token: write
      attestations: write
      packages: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: push
        uses: docker/build-push-action@4f58ea79222b3b9dc2c8bbdd6debcef730109a75 # v6.9.0
        with:
          push: true
          tags: ghcr.io/acme/app:latest
${extra}`;

async function level(text: string) {
  const report = await auditPath(repo({ '.github/workflows/release.yml': text }));
  return report.slsa[0];
}

describe('SLSA v1.0 Build level', () => {
  it('L0 when nothing generates provenance', async () => {
    const s = await level(PUBLISH(''));
    expect(s?.level).toBe(0);
    expect(s?.blocking_requirement).toMatch(/^Build L1 \(provenance exists\)/);
  });

  it('L1 with unsigned BuildKit provenance', async () => {
    const s = await level(PUBLISH('').replace('          push: true\n', '          push: true\n          provenance: mode=max\n'));
    expect(s?.level).toBe(1);
    expect(s?.blocking_requirement).toMatch(/^Build L2 \(signed provenance/);
  });

  it('L2 with actions/attest-build-provenance in the build job', async () => {
    const attest = `      - uses: actions/attest-build-provenance@7668571508540a607bdfd90a87a560489fe372eb # v2.1.0
        with:
          subject-name: ghcr.io/acme/app
          subject-digest: \${{ steps.push.outputs.digest }}
          push-to-registry: true
`;
    const s = await level(PUBLISH(attest));
    expect(s).toEqual({ workflow: '.github/workflows/release.yml', level: 2, blocking_requirement: expect.stringMatching(/^Build L3 .*provenance is signed in the build job itself \(job publish\)/) });
  });

  it('L3 with the SLSA generator, hosted runners and no cache', async () => {
    expect(await level(CLEAN_RELEASE)).toEqual({ workflow: '.github/workflows/release.yml', level: 3, blocking_requirement: null });
  });

  it('L2 with the SLSA generator when the build runs on a self-hosted runner or restores a cache', async () => {
    const selfHosted = await level(CLEAN_RELEASE.replace('    runs-on: ubuntu-latest\n', '    runs-on: [self-hosted, linux]\n'));
    expect(selfHosted?.level).toBe(2);
    expect(selfHosted?.blocking_requirement).toMatch(/job\(s\) build build on self-hosted runners/);
    const cached = await level(CLEAN_RELEASE.replace('          push: true\n', '          push: true\n          cache-from: type=gha\n'));
    expect(cached?.level).toBe(2);
    expect(cached?.blocking_requirement).toMatch(/restore a shared cache/);
  });

  it('L3 through a local reusable workflow that attests', async () => {
    const caller = `name: release
on:
  push:
    tags: ['v*']
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      packages: write
    steps:
      - run: docker push ghcr.io/acme/app@sha256:4f7a9f2b1c5e8d3a6b0c9e2f1a4d7b8c5e3f6a9d2b1c4e7f0a3d6b9c2e5f8a1b
  attest:
    needs: build
    permissions:
      id-token: write
      attestations: write
    uses: ./.github/workflows/attest.yml
`;
    const callee = `name: attest
on:
  workflow_call:
permissions:
  contents: read
jobs:
  attest:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      attestations: write
    steps:
      - uses: actions/attest-build-provenance@7668571508540a607bdfd90a87a560489fe372eb # v2.1.0
        with:
          subject-name: ghcr.io/acme/app
          subject-digest: sha256:4f7a9f2b1c5e8d3a6b0c9e2f1a4d7b8c5e3f6a9d2b1c4e7f0a3d6b9c2e5f8a1b
`;
    const report = await auditPath(repo({ '.github/workflows/release.yml': caller, '.github/workflows/attest.yml': callee }));
    expect(report.slsa).toEqual([{ workflow: '.github/workflows/release.yml', level: 3, blocking_requirement: null }]);
  });

  it('GitLab: artifact metadata is L1', async () => {
    const report = await auditPath(
      repo({
        '.gitlab-ci.yml': 'variables:\n  RUNNER_GENERATE_ARTIFACTS_METADATA: "true"\nrelease:\n  image: docker@sha256:4f7a9f2b1c5e8d3a6b0c9e2f1a4d7b8c5e3f6a9d2b1c4e7f0a3d6b9c2e5f8a1b\n  script:\n    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG"\n',
      }),
    );
    expect(report.slsa.map((s) => s.level)).toEqual([1]);
  });
});
