import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../../apps/cli/src/commands/audit.js';
import { AuditInputError } from '../src/index.js';
import { CLEAN_CI, repo } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function capture() {
  let text = '';
  return { out: { write: (t: string) => (text += t) }, text: () => text };
}

describe('ringmaster audit', () => {
  it('exits 1 when a finding reaches --fail-on, 0 otherwise', async () => {
    const c = capture();
    expect(await runAudit(join(FIXTURES, 'untrusted-checkout', 'positive'), { format: 'json', failOn: 'critical' }, c.out)).toBe(1);
    expect(JSON.parse(c.text()).findings.map((f: { rule: string }) => f.rule)).toContain('untrusted-checkout');
    expect(await runAudit(join(FIXTURES, 'secret-outside-environment', 'positive'), { format: 'sarif', failOn: 'medium' }, capture().out)).toBe(0);
    expect(await runAudit(repo({ '.github/workflows/ci.yml': CLEAN_CI }), { format: 'text', failOn: 'low' }, capture().out)).toBe(0);
  });

  it('--format codequality writes the GitLab report; --strict and --fail-confidence reach the audit', async () => {
    const c = capture();
    expect(await runAudit(join(FIXTURES, 'job-token-misuse', 'positive'), { format: 'codequality', failOn: 'high' }, c.out)).toBe(1);
    expect(JSON.parse(c.text())[0]).toMatchObject({ check_name: 'job-token-misuse', location: { path: '.gitlab-ci.yml' } });
    const negative = join(FIXTURES, 'script-injection', 'negative');
    expect(await runAudit(negative, { format: 'json', failOn: 'low', strict: true }, capture().out)).toBe(0);
    expect(await runAudit(negative, { format: 'json', failOn: 'low', strict: true, failConfidence: 'low' }, capture().out)).toBe(1);
    expect(await runAudit(negative, { format: 'json', failOn: 'low', failConfidence: 'low' }, capture().out)).toBe(0);
  });

  it('bad input is an AuditInputError (exit 2 at the edge)', async () => {
    await expect(runAudit('/nonexistent', { format: 'text', failOn: 'high' }, capture().out)).rejects.toThrow(AuditInputError);
    await expect(runAudit(join(FIXTURES, 'README.md'), { format: 'text', failOn: 'high' }, capture().out)).rejects.toThrow(/not found|not a directory/);
  });
});
