import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import schema from '../src/validate/schemas/gitlab-ci.schema.json' with { type: 'json' };
import { errorsOf, issuesOf, messages, spec } from './helpers.js';

const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683';
const gh = (documents: unknown[]) => spec('ci.yaml', '.github/workflows/ci.yaml', { format: 'yaml', schema: 'github-workflow', documents });
const workflow = (jobs: Record<string, unknown>, extra: Record<string, unknown> = { permissions: { contents: 'read' } }) => ({ name: 'ci', on: { push: { branches: ['main'] } }, ...extra, jobs });
const job = (steps: unknown[], more: Record<string, unknown> = {}) => ({ 'runs-on': 'ubuntu-latest', ...more, steps });

describe('GitHub Actions (@actions/workflow-parser)', () => {
  it('accepts a pinned, least-privilege workflow', async () => {
    const wf = workflow({
      build: job([{ uses: CHECKOUT }, { run: 'make build' }]),
      sign: job([{ uses: 'sigstore/cosign-installer' }, { run: 'cosign sign --yes "${IMAGE}@${DIGEST}"', env: { IMAGE: '${{ vars.IMAGE }}', DIGEST: '${{ needs.build.outputs.digest }}' } }], { needs: ['build'], permissions: { 'id-token': 'write', contents: 'read' } }),
    });
    const s = gh([wf]);
    expect(messages(await issuesOf(s))).toBe('');
  });

  it('accepts a job fragment, checked inside a generated workflow', async () => {
    const fragment = job([{ uses: CHECKOUT }, { run: 'pact-verifier --provider-base-url "$PROVIDER_URL"' }], { permissions: { contents: 'read' } });
    expect(messages(await issuesOf(spec('pact_verification_job.yaml', 'ci/pact_verification_job.yaml', { format: 'yaml', schema: 'github-workflow', documents: [fragment] })))).toBe('');
  });

  it('rejects a job that needs an unknown job', async () => {
    const wf = workflow({ build: job([{ run: 'make' }]), deploy: job([{ run: 'make deploy' }], { needs: ['biuld'] }) });
    expect(messages(await errorsOf(gh([wf])))).toMatch(/depends on unknown job 'biuld'/);
  });

  it('rejects unpinned and tag-pinned actions, and SHA pins without a version comment', async () => {
    const wf = workflow({ build: job([{ uses: 'actions/setup-node@v4' }, { uses: 'some/action' }, { uses: 'other/action@0123456789012345678901234567890123456789' }]) });
    const text = messages(await errorsOf(gh([wf])));
    expect(text).toMatch(/actions\/setup-node@v4` is pinned to a movable ref "v4"/);
    expect(text).toMatch(/some\/action` has no ref/);
    expect(text).toMatch(/pinned by SHA but has no `# vX.Y.Z` comment/);
  });

  it('rejects a workflow without permissions, and write-all', async () => {
    expect(messages(await errorsOf(gh([workflow({ build: job([{ run: 'make' }]) }, {})])))).toMatch(/default GITHUB_TOKEN permissions/);
    expect(messages(await errorsOf(gh([workflow({ build: job([{ run: 'make' }]) }, { permissions: 'write-all' })])))).toMatch(/write-all` is not least privilege/);
  });

  it('rejects what the parser rejects: a bad cron and an unknown key', async () => {
    const cron = { name: 'x', on: { schedule: [{ cron: '61 * * * *' }] }, permissions: {}, jobs: { a: job([{ run: 'x' }]) } };
    expect(messages(await errorsOf(gh([cron])))).toMatch(/cron/i);
    const key = { name: 'x', on: 'push', permissions: {}, jobs: { a: job([{ run: 'x' }], { 'run-on': 'y' }) } };
    expect(messages(await errorsOf(gh([key])))).toMatch(/Unexpected value 'run-on'/);
  });
});

const gl = (doc: Record<string, unknown>) => spec('.gitlab-ci.yml', '.gitlab-ci.yml', { format: 'yaml', schema: 'gitlab-ci', documents: [doc] });

describe("GitLab CI (GitLab's CI JSON schema, via gitlab-ci-local)", () => {
  const pipeline = {
    stages: ['build', 'test', 'security', 'deploy'],
    build: { stage: 'build', image: 'docker:27', script: ['docker build -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .'] },
    security: { stage: 'security', image: 'aquasec/trivy:0.58.0', script: ['trivy image --exit-code 1 --severity CRITICAL "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"'], allow_failure: false, needs: ['build'] },
    deploy: { stage: 'deploy', script: ['./deploy.sh'], environment: { name: 'production' }, when: 'manual', needs: ['security'] },
  };

  it('accepts a valid pipeline', async () => {
    expect(messages(await issuesOf(gl(pipeline)))).toBe('');
  });

  it('rejects unknown job keywords and bad values (schema)', async () => {
    const text = messages(await errorsOf(gl({ ...pipeline, build: { ...pipeline.build, scripts: ['x'] }, deploy: { ...pipeline.deploy, when: 'sometimes' } })));
    expect(text).toMatch(/\/build|\/deploy/);
  });

  it('rejects needs on unknown jobs and undeclared stages (structure)', async () => {
    const text = messages(await errorsOf(gl({ ...pipeline, deploy: { ...pipeline.deploy, needs: ['scan'], stage: 'release' } })));
    expect(text).toMatch(/needs unknown job "scan"/);
    expect(text).toMatch(/stage "release", which is not in `stages`/);
  });

  it('leaves stages and needs of a fragment to the pipeline that includes it', async () => {
    const fragment = spec('sign.gitlab-ci.yml', 'ci/sign.gitlab-ci.yml', { format: 'yaml', schema: 'gitlab-ci', documents: [{ sign: { stage: 'publish', needs: ['build'], script: ['cosign sign "$IMAGE@$DIGEST"'] } }] });
    expect(messages(await errorsOf(fragment))).toBe('');
    expect(messages(await errorsOf(gl({ sign: { stage: 'publish', needs: ['build'], script: ['x'] } })))).toMatch(/needs unknown job "build"/);
  });

  it("vendors exactly the schema that gitlab-ci-local ships (GitLab's ci.json)", async () => {
    const { extractSchema } = (await import('../scripts/extract-gitlab-ci-schema.mjs' as string)) as { extractSchema(bundle: string): unknown };
    const dir = dirname(createRequire(import.meta.url).resolve('gitlab-ci-local/package.json'));
    expect(extractSchema(readFileSync(join(dir, 'dist', 'index.js'), 'utf8'))).toEqual(schema);
  });
});

describe('Azure Pipelines (structural: no schema package)', () => {
  const az = (doc: unknown) => spec('azure-pipelines.yml', 'azure-pipelines.yml', { format: 'yaml', schema: 'azure-pipelines', documents: [doc] });
  it('accepts stages with jobs and steps', async () => {
    const doc = { trigger: ['main'], pool: { vmImage: 'ubuntu-latest' }, stages: [{ stage: 'build', jobs: [{ job: 'build', steps: [{ checkout: 'self' }, { script: 'make' }] }] }] };
    expect(messages(await issuesOf(az(doc)))).toBe('');
  });
  it('rejects a job without steps', async () => {
    expect(messages(await errorsOf(az({ jobs: [{ job: 'a' }] })))).toMatch(/`steps` must be a non-empty list/);
  });
});
