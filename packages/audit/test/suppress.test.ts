import { describe, expect, it } from 'vitest';
import { AuditInputError, auditPath, globToRegExp } from '../src/index.js';
import { CLEAN_CI, repo } from './helpers.js';

const UNPINNED = CLEAN_CI.replace('      - run: npm ci\n', '      - uses: pnpm/action-setup@v4\n      - run: npm ci\n');

describe('suppressions', () => {
  it('an inline comment with a reason suppresses the finding on its line or the line below', async () => {
    const sameLine = UNPINNED.replace('pnpm/action-setup@v4\n', 'pnpm/action-setup@v4 # ringmaster-ignore: unpinned-action vendored fork, pinned by mirror\n');
    const lineAbove = UNPINNED.replace('      - uses: pnpm/action-setup@v4\n', '      # ringmaster-ignore: unpinned-action vendored fork, pinned by mirror\n      - uses: pnpm/action-setup@v4\n');
    for (const text of [sameLine, lineAbove]) {
      const report = await auditPath(repo({ '.github/workflows/ci.yml': text }));
      expect(report.findings).toEqual([]);
      expect(report.suppressed).toEqual([{ finding: expect.objectContaining({ rule: 'unpinned-action' }), by: 'inline', reason: 'vendored fork, pinned by mirror' }]);
    }
  });

  it('an inline comment without a reason, or for another rule, suppresses nothing', async () => {
    const noReason = UNPINNED.replace('pnpm/action-setup@v4\n', 'pnpm/action-setup@v4 # ringmaster-ignore: unpinned-action\n');
    const report = await auditPath(repo({ '.github/workflows/ci.yml': noReason }));
    expect(report.findings.map((f) => f.rule)).toEqual(['unpinned-action']);
    expect(report.notes).toEqual(['.github/workflows/ci.yml:17: ringmaster-ignore for unpinned-action has no reason, so it suppresses nothing.']);
    const other = UNPINNED.replace('pnpm/action-setup@v4\n', 'pnpm/action-setup@v4 # ringmaster-ignore: unpinned-image not this one\n');
    expect((await auditPath(repo({ '.github/workflows/ci.yml': other }))).findings).toHaveLength(1);
  });

  const config = (expires: string) => `exceptions:\n  - rule: unpinned-action\n    path: .github/workflows/*.yml\n    owner: platform-team\n    expires: ${expires}\n    reason: mirror pins it\n`;

  it('a config exception suppresses until it expires, then the finding returns with a note', async () => {
    const root = repo({ '.github/workflows/ci.yml': UNPINNED, '.ringmaster/audit.yml': config('2026-12-31') });
    const live = await auditPath(root, { today: '2026-12-31' });
    expect(live.findings).toEqual([]);
    expect(live.suppressed[0]).toMatchObject({ by: 'config', owner: 'platform-team', expires: '2026-12-31' });
    const expired = await auditPath(root, { today: '2027-01-01' });
    expect(expired.findings.map((f) => f.rule)).toEqual(['unpinned-action']);
    expect(expired.notes).toEqual(['exception for unpinned-action on .github/workflows/*.yml (owner platform-team) expired on 2026-12-31; its findings are reported again.']);
  });

  it('a bad config is an AuditInputError', async () => {
    const root = repo({ '.github/workflows/ci.yml': CLEAN_CI, '.ringmaster/audit.yml': 'exceptions:\n  - rule: x\n    path: y\n' });
    await expect(auditPath(root)).rejects.toThrow(AuditInputError);
    await expect(auditPath(root)).rejects.toMatchObject({ code: 'audit_input' });
    await expect(auditPath(repo({ 'a.txt': '' }), { config: '/nonexistent/audit.yml' })).rejects.toThrow(/cannot read audit config/);
  });

  it('missing paths and files are AuditInputErrors', async () => {
    await expect(auditPath('/nonexistent/repo')).rejects.toThrow(/path not found/);
    const root = repo({ 'file.yml': 'a: 1\n' });
    await expect(auditPath(`${root}/file.yml`)).rejects.toThrow(/not a directory/);
  });

  it('globs: ** spans folders, * does not', () => {
    expect(globToRegExp('.github/**/*.yml').test('.github/workflows/ci.yml')).toBe(true);
    expect(globToRegExp('.github/*.yml').test('.github/workflows/ci.yml')).toBe(false);
    expect(globToRegExp('**').test('a/b/c')).toBe(true);
  });
});
