import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jurisdictionOf } from '@ringmaster/core';
import { createEngine } from '@ringmaster/modes';
import { describe, expect, it } from 'vitest';
import { ciJobs, jobsBefore, type CiJob } from './ci-jobs.js';
import { matrix } from './matrix.js';

/**
 * The residency gate is enforced where it is listed, on every CI vendor: each job that promotes
 * to a region runs after a gate job that evaluates policy/residency.rego with OPA for that region,
 * with the input built from what is deployed (the region) and the residency the stage's tenants
 * require; and that input construction, run by a real shell, gives the policy the input it reads.
 */

/** `promote.sh <service> <digest> <target>`: the target, when the job names it. */
const PROMOTE = /scripts\/promote\.sh "[^"]*" "[^"]*" "?([a-z0-9-]+)"?/g;
const GATE = /eval --fail-defined -d policy\/residency\.rego -i input\.json 'data\.residency\.deny\[_\]'/;

const scriptOf = (job: CiJob): string => job.steps.map((s) => s.script ?? '').join('\n');

/** The regions a gate job checks and the jurisdiction it checks them for; null where the workflow's inputs decide (GitHub's reusable workflow). */
function gateTargets(gate: CiJob): { regions: string[]; jurisdiction: string } | null {
  const raw = gate.raw;
  if (gate.vendor === 'gitlab') {
    const matrix = (raw['parallel'] as { matrix: { REGION: string[] }[] }).matrix;
    return { regions: matrix.flatMap((m) => m.REGION), jurisdiction: (raw['variables'] as Record<string, string>)['JURISDICTION'] as string };
  }
  if (gate.vendor === 'azure') {
    const matrix = (raw['strategy'] as { matrix: Record<string, { REGION: string }> }).matrix;
    return { regions: Object.values(matrix).map((m) => m.REGION), jurisdiction: (raw['variables'] as Record<string, string>)['JURISDICTION'] as string };
  }
  return null;
}

describe('the residency gate runs before every promotion to a region', () => {
  it('over every cloud x CI vendor x orchestrator x GitOps tool', () => {
    const engine = createEngine();
    const problems = new Set<string>();
    const checked = { github: 0, gitlab: 0, azure: 0 };
    for (const c of matrix()) {
      const { output, files } = engine.plan(c.input);
      const listed = (output.pipeline_blueprint as { gates?: string[] } | undefined)?.gates ?? [];
      if (!listed.includes('opa_residency_check')) continue;
      const jobs = ciJobs(files);
      for (const job of jobs) {
        const regions = [...scriptOf(job).matchAll(PROMOTE)].map((m) => m[1] as string);
        // GitHub's deploy-regions.yml promotes the targets of its matrix (from the calling stage's inputs).
        const dynamic = /scripts\/promote\.sh "\$\{SERVICE\}" "\$\{DIGEST\}" "\$\{TARGET\}"/.test(scriptOf(job));
        if (regions.length === 0 && !dynamic) continue;
        const gates = jobsBefore(job, jobs).filter((g) => GATE.test(scriptOf(g)));
        if (gates.length === 0) {
          problems.add(`${c.id}: ${job.file} ${job.id} promotes with no residency gate before it`);
          continue;
        }
        checked[job.vendor]++;
        for (const region of regions) {
          const covering = gates.map(gateTargets).filter((t) => t !== null && t.regions.includes(region));
          if (covering.length === 0) problems.add(`${c.id}: ${job.file} ${job.id} promotes to ${region}, which no gate before it checks`);
          for (const t of covering) if (t?.jurisdiction !== jurisdictionOf(region)) problems.add(`${c.id}: ${job.file} ${job.id}: the gate checks ${region} for ${t?.jurisdiction}, not ${jurisdictionOf(region)}`);
        }
      }
    }
    expect([...problems]).toEqual([]);
    // Each vendor's plans were really checked.
    expect(checked.github).toBeGreaterThan(0);
    expect(checked.gitlab).toBeGreaterThan(0);
    expect(checked.azure).toBeGreaterThan(0);
  }, 300_000);
});

describe('the gate\'s input construction, run by a real shell', () => {
  const engine = createEngine();
  const plan = engine.plan(matrix().find((c) => c.id.startsWith('aws/gitlab/kubernetes/argocd'))?.input);
  const gate = ciJobs(plan.files).find((j) => GATE.test(scriptOf(j))) as CiJob;
  // The lines before OPA runs: the check of the values and the input file.
  const construction = scriptOf(gate).split('\n').filter((l) => !l.startsWith('docker ')).join('\n');

  const run = (env: Record<string, string>): { status: number | null; input?: unknown; stderr: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'residency-input-'));
    try {
      const r = spawnSync('sh', ['-c', construction], { cwd: dir, env: { PATH: process.env['PATH'], ...env }, encoding: 'utf8' });
      return r.status === 0 ? { status: 0, input: JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as unknown, stderr: r.stderr } : { status: r.status, stderr: r.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('gives the policy the target region and the residency the tenants require', () => {
    expect(gate).toBeDefined();
    expect(run({ REGION: 'us-east-1', JURISDICTION: 'eu' })).toEqual({ status: 0, input: { region: 'us-east-1', tenant: { residency: 'eu' } }, stderr: '' });
  });

  it('refuses values that would not stay one JSON string', () => {
    const r = run({ REGION: 'eu-central-1", "x": "y', JURISDICTION: 'eu' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/residency gate: unexpected region/);
  });
});
