import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@ringmaster/modes';
import { writePlan } from '@ringmaster/renderer';
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/commands/audit.js';
import { matrix } from './matrix.js';

/**
 * Self-audit: `ringmaster audit` on the --out folder of every GitHub and GitLab plan of the matrix
 * finds no error (no high or critical finding, exit 0 at the default --fail-on), and rates the
 * pipeline at the SLSA level the plan claims. (packages/audit/test/generated.test.ts audits the
 * GitHub workflows of the example and conformance profiles the same way.)
 */

/**
 * Warnings the audit still reports on GitLab plans, each a job image by tag because no digest of
 * it is recorded yet: the placeholder unit-test job's node image and the semgrep image.
 */
const KNOWN_WARNINGS = [/^medium unpinned-image \.gitlab-ci\.yml: image node:22 is not pinned by digest\.$/, /^medium unpinned-image \.gitlab-ci\.yml: image semgrep\/semgrep:[\d.]+ is not pinned by digest\.$/];

interface AuditJson {
  findings: { severity: string; rule: string; file: string; line: number; message: string }[];
  parse_errors: unknown[];
  slsa: { workflow: string; level: number; blocking_requirement: string | null }[];
}

const root = mkdtempSync(join(tmpdir(), 'ringmaster-self-audit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `L3`, `3`, `SLSA L3` -> 3. */
const levelOf = (claim: unknown): number | undefined => {
  const m = /([0-3])/.exec(String(claim ?? ''));
  return m ? Number(m[1]) : undefined;
};

describe('ringmaster audit on the --out folder of every GitHub and GitLab plan', () => {
  const cases = matrix().filter((c) => c.input['ci_platform'] === 'gitlab' || c.input['ci_platform'] === 'github');

  it('finds no error and reports the SLSA level the plan claims', async () => {
    const engine = createEngine();
    const problems = new Set<string>();
    let claimed = 0;
    for (const [i, c] of cases.entries()) {
      const result = engine.plan(c.input);
      const out = join(root, String(i));
      await writePlan(result, out);
      let text = '';
      const exit = await runAudit(out, { format: 'json', failOn: 'high' }, { write: (t: string) => (text += t) });
      const report = JSON.parse(text) as AuditJson;
      if (exit !== 0) problems.add(`${c.id}: exit ${exit}`);
      for (const e of report.parse_errors) problems.add(`${c.id}: parse error ${JSON.stringify(e)}`);
      for (const f of report.findings) {
        const line = `${f.severity} ${f.rule} ${f.file}: ${f.message}`;
        if (!KNOWN_WARNINGS.some((w) => w.test(line))) problems.add(`${f.file}:${f.line} ${f.severity} ${f.rule}: ${f.message} (e.g. ${c.id})`);
      }
      const claim = levelOf((result.output as { security_controls?: { slsa_level?: unknown } }).security_controls?.slsa_level);
      if (claim === undefined) continue;
      claimed++;
      if (report.slsa.length === 0) problems.add(`${c.id}: the plan claims SLSA L${claim}, the audit rates no release pipeline`);
      for (const s of report.slsa) if (s.level !== claim) problems.add(`${c.id}: ${s.workflow} claims L${claim}, audits at L${s.level}: ${s.blocking_requirement}`);
    }
    expect([...problems]).toEqual([]);
    expect(claimed).toBe(cases.length);
  }, 600_000);
});
