import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditPath } from '@ringmaster/audit';
import { createEngine } from '@ringmaster/modes';
import { matrixProfiles } from './profiles.js';
import { figure, now, type Figure, type Skipped } from './stats.js';

export interface AuditBenchResult {
  figures: Figure[];
  skipped: Skipped[];
  details: unknown;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * The workflows the corpus is made of: every GitHub workflow in the audit's rule fixtures
 * (positive and negative cases) and every distinct workflow the engine generates for the
 * profile matrix.
 */
function sources(root: string): { name: string; content: string }[] {
  const out = new Map<string, { name: string; content: string }>();
  for (const path of walk(join(root, 'packages/audit/test/fixtures'))) {
    if (/\.ya?ml$/.test(path) && !path.endsWith('.gitlab-ci.yml') && !path.includes(`${'.ringmaster'}`)) {
      const content = readFileSync(path, 'utf8');
      if (/^(on|jobs):/m.test(content)) out.set(content, { name: path.split('/').slice(-3).join('-'), content });
    }
  }
  const engine = createEngine();
  for (const p of matrixProfiles().filter((_, i) => i % 9 === 0)) {
    for (const f of engine.plan(structuredClone(p.input)).files) {
      if (f.path.startsWith('.github/workflows/')) out.set(f.content, { name: f.path.split('/').pop() ?? 'generated.yml', content: f.content });
    }
  }
  return [...out.values()];
}

/** Audit throughput: workflow files per second over a generated corpus of at least 1,000 workflows. */
export async function benchAudit(root: string, opts: { runs: number; quick: boolean }): Promise<AuditBenchResult> {
  const figures: Figure[] = [];
  const skipped: Skipped[] = [];
  const count = Number(process.env['BENCH_AUDIT_FILES'] ?? 1200);
  const base = sources(root);
  if (base.length === 0) return { figures, skipped: [{ benchmark: 'audit', reason: 'no workflow sources found' }], details: null };
  const dir = mkdtempSync(join(tmpdir(), 'rm-bench-audit-'));
  try {
    const workflows = join(dir, '.github', 'workflows');
    mkdirSync(workflows, { recursive: true });
    // Each copy differs (a comment and the workflow name), so nothing can be cached by content.
    for (let i = 0; i < count; i += 1) {
      const src = base[i % base.length]!;
      const content = `# corpus copy ${i} of ${src.name}\n${src.content.replace(/^name:\s*(.*)$/m, (_m, n: string) => `name: ${n.replace(/^['"]|['"]$/g, '')} ${i}`)}`;
      writeFileSync(join(workflows, `wf-${String(i).padStart(5, '0')}.yml`), content);
    }
    const perSecond: number[] = [];
    const seconds: number[] = [];
    let report: Awaited<ReturnType<typeof auditPath>> | undefined;
    // One untimed pass (module load, JIT), then the measured runs.
    await auditPath(dir, { today: '2026-11-24' });
    const runs = Math.max(1, opts.quick ? 2 : Math.min(opts.runs, 5));
    for (let r = 0; r < runs; r += 1) {
      const s = now();
      report = await auditPath(dir, { today: '2026-11-24' });
      const ms = now() - s;
      seconds.push(ms / 1000);
      perSecond.push((report.files.length / ms) * 1000);
    }
    figures.push(figure('audit', `auditPath over ${count} workflows: files/s`, 'files/s', perSecond));
    figures.push(figure('audit', `auditPath over ${count} workflows: wall time`, 's', seconds));
    const details = {
      corpus: { files: count, distinct_sources: base.length, audited: report?.files.length ?? 0 },
      findings: report?.findings.length ?? 0,
      parse_errors: report?.parse_errors.length ?? 0,
      findings_by_rule: Object.fromEntries(
        Object.entries((report?.findings ?? []).reduce<Record<string, number>>((acc, f) => ({ ...acc, [f.rule]: (acc[f.rule] ?? 0) + 1 }), {})).sort(),
      ),
    };
    if ((report?.files.length ?? 0) !== count) skipped.push({ benchmark: 'audit', reason: `audited ${report?.files.length ?? 0} of ${count} files` });
    return { figures, skipped, details };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
