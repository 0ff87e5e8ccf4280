import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath, exitCodeFor, RULES, type RuleId } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** For each rule: where its positive fixtures must be flagged, [file, line, column]. */
const POSITIVE: Record<RuleId, [string, number, number][]> = {
  'static-cloud-credentials': [
    ['.gitlab-ci.yml', 6, 5],
    ['.gitlab-ci.yml', 6, 24],
    ['deploy-s3.yml', 15, 11],
    ['deploy-s3.yml', 16, 11],
    ['deploy-s3.yml', 20, 11],
  ],
  'hardcoded-password': [
    ['integration.yml', 12, 19],
    ['integration.yml', 17, 30],
  ],
  'missing-permissions': [['lint.yml', 4, 3]],
  'write-all-permissions': [['bump.yml', 5, 14]],
  'read-all-permissions': [
    ['lint.yml', 3, 14],
    ['lint.yml', 12, 18],
  ],
  'unneeded-write-scope': [
    ['test.yml', 10, 7],
    ['test.yml', 11, 7],
    ['test.yml', 19, 7],
    ['test.yml', 20, 7],
  ],
  'reusable-workflow-permissions': [
    ['.github/workflows/nightly.yml', 11, 11],
    ['.github/workflows/release.yml', 10, 7],
    ['.github/workflows/release.yml', 12, 7],
  ],
  'id-token-write-unneeded': [
    ['checks.yml', 5, 3],
    ['checks.yml', 16, 7],
  ],
  'unpinned-action': [
    ['build.yml', 10, 15],
    ['build.yml', 11, 15],
    ['build.yml', 15, 11],
    ['build.yml', 19, 15],
    ['build.yml', 20, 15],
  ],
  'unpinned-image': [
    ['.gitlab-ci.yml', 1, 8],
    ['e2e.yml', 8, 16],
    ['e2e.yml', 11, 16],
    ['e2e.yml', 14, 15],
    ['matrix.yml', 10, 14],
    ['matrix.yml', 12, 21],
  ],
  'unpinned-tool-install': [
    ['.gitlab-ci.yml', 4, 20],
    ['tools.yml', 9, 26],
    ['tools.yml', 9, 31],
    ['tools.yml', 11, 26],
    ['tools.yml', 12, 22],
    ['tools.yml', 13, 37],
    ['tools.yml', 13, 63],
    ['tools.yml', 14, 56],
  ],
  'unpinned-include': [
    ['.gitlab-ci.yml', 2, 5],
    ['.gitlab-ci.yml', 3, 13],
    ['.gitlab-ci.yml', 4, 14],
    ['.gitlab-ci.yml', 7, 10],
    ['.gitlab-ci.yml', 9, 16],
  ],
  'curl-pipe-shell': [
    ['tools.yml', 13, 11],
    ['tools.yml', 15, 11],
  ],
  'untrusted-checkout': [
    ['coverage.yml', 17, 19],
    ['coverage.yml', 22, 16],
    ['pr-preview.yml', 14, 16],
  ],
  'script-injection': [
    ['greet/action.yml', 8, 26],
    ['indirect.yml', 16, 20],
    ['indirect.yml', 17, 20],
    ['indirect.yml', 20, 14],
    ['indirect.yml', 23, 34],
    ['indirect.yml', 27, 39],
    ['indirect.yml', 32, 20],
    ['indirect.yml', 34, 17],
    ['indirect.yml', 39, 35],
    ['triage.yml', 17, 24],
    ['triage.yml', 21, 27],
  ],
  'spoofable-bot-guard': [
    ['automerge.yml', 9, 9],
    ['automerge.yml', 21, 36],
  ],
  'self-hosted-pr-runner': [['ci.yml', 8, 15]],
  'non-ephemeral-release-runner': [['release.yml', 9, 15]],
  'cache-in-release-job': [
    ['.gitlab-ci.yml', 3, 5],
    ['dispatch.yml', 15, 18],
    ['dispatch.yml', 25, 18],
    ['publish.yml', 16, 18],
    ['publish.yml', 17, 15],
    ['tag-push.yml', 13, 15],
    ['tag-push.yml', 14, 15],
    ['tag-push.yml', 19, 25],
    ['tag-push.yml', 22, 18],
    ['tag-push.yml', 23, 15],
  ],
  'push-deploy': [
    ['deploy.yml', 21, 11],
    ['deploy.yml', 22, 11],
  ],
  'manual-deploy': [
    ['.gitlab-ci.yml', 6, 9],
    ['deploy-prod.yml', 3, 3],
  ],
  'deploy-by-tag': [
    ['deploy.yml', 14, 11],
    ['deploy.yml', 15, 36],
  ],
  'deploy-without-verify': [['deploy.yml', 14, 11]],
  'rebuild-for-production': [['prod.yml', 15, 11]],
  'secrets-inherit': [['release.yml', 10, 14]],
  'secrets-to-json': [['debug.yml', 12, 24]],
  'job-token-misuse': [
    ['.gitlab-ci.yml', 4, 7],
    ['.gitlab-ci.yml', 5, 7],
    ['.gitlab-ci.yml', 6, 57],
    ['.gitlab-ci.yml', 7, 58],
  ],
  'protected-variable-in-mr': [
    ['.gitlab-ci.yml', 9, 28],
    ['.gitlab-ci.yml', 15, 34],
  ],
  'secret-outside-environment': [
    ['notify.yml', 14, 30],
    ['npm-no-oidc.yml', 14, 32],
  ],
};

describe('vendor-correct fixes', () => {
  it('a GitLab finding carries the GitLab fix, a GitHub finding the GitHub one', async () => {
    const report = await auditPath(join(FIXTURES, 'static-cloud-credentials', 'positive'));
    const rule = RULES['static-cloud-credentials'].meta;
    expect(new Set(report.findings.filter((f) => f.file === '.gitlab-ci.yml').map((f) => f.fix))).toEqual(new Set([rule.gitlabFix]));
    expect(new Set(report.findings.filter((f) => f.file.endsWith('deploy-s3.yml')).map((f) => f.fix))).toEqual(new Set([rule.fix]));
  });
});

describe('--strict', () => {
  it('adds pedantic checks as low-confidence findings, which do not fail a run by default', async () => {
    const dir = join(FIXTURES, 'script-injection', 'negative');
    expect((await auditPath(dir)).findings).toEqual([]);
    const strict = await auditPath(dir, { strict: true });
    expect(strict.findings.map((f) => [f.rule, f.file, f.line, f.column, f.confidence])).toEqual([['script-injection', 'greet/action.yml', 13, 34, 'low']]);
    expect(exitCodeFor(strict, 'low')).toBe(0);
    expect(exitCodeFor(strict, 'low', 'low')).toBe(1);
  });
});

describe.each(Object.keys(RULES) as RuleId[])('%s', (rule) => {
  it('flags its true positives at the offending node', async () => {
    const report = await auditPath(join(FIXTURES, rule, 'positive'));
    expect(report.parse_errors).toEqual([]);
    const found = report.findings.filter((f) => f.rule === rule).map((f) => [f.file, f.line, f.column]);
    expect(found).toEqual(POSITIVE[rule]);
    for (const f of report.findings.filter((x) => x.rule === rule)) {
      expect(f.category).toBe(RULES[rule].meta.category);
      expect(f.message).not.toContain('\n');
    }
  });

  it('leaves its true negatives clean, under every rule', async () => {
    const dir = join(FIXTURES, rule, 'negative');
    expect(existsSync(dir) && readdirSync(dir).length > 0).toBe(true);
    const report = await auditPath(dir);
    expect(report.parse_errors).toEqual([]);
    expect(report.files.length).toBeGreaterThan(0);
    expect(report.findings).toEqual([]);
  });
});
