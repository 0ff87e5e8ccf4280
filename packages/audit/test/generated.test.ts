import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@ringmaster/modes';
import { describe, expect, it } from 'vitest';
import { auditPath, classify } from '../src/index.js';
import { repo } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

const SEED = JSON.parse(readFileSync(join(ROOT, 'conformance', 'seed-cases.json'), 'utf8')) as { cases: { id: string; input: unknown }[] };
const PROFILES: Record<string, unknown> = {
  ...Object.fromEntries(['multi-tenant-canary.json', 'multi-service.json'].map((f) => [`examples/${f}`, JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8'))])),
  ...Object.fromEntries(SEED.cases.map((c) => [`seed ${c.id}`, c.input])),
  // Push CD on Kubernetes: the deploy jobs hold short-lived cluster credentials through the cloud's OIDC login.
  ...Object.fromEntries(
    ['aws', 'gcp', 'azure'].map((cloud) => [
      `push to Kubernetes on ${cloud}`,
      { goal: 'CI/CD pipeline with signing, canary rollout to tenant rings, GitOps config repository', crm_profile: { multi_tenant: true }, infra: { cloud_provider: cloud, orchestrator: 'kubernetes' }, ci_platform: 'github', cd_strategy: 'push' },
    ]),
  ),
};

/** `L3`, `3`, `SLSA L3` -> 3. */
function claimedLevel(output: Record<string, unknown>): number | undefined {
  const value = (output['security_controls'] as Record<string, unknown> | undefined)?.['slsa_level'];
  const m = /([0-3])/.exec(String(value ?? ''));
  return m ? Number(m[1]) : undefined;
}

describe('workflows Ringmaster generates', () => {
  const engine = createEngine();

  it.each(Object.keys(PROFILES))('%s: generated GitHub workflows audit clean, at the SLSA level the plan claims', async (name) => {
    const { output, files } = engine.plan(PROFILES[name]);
    const workflows = files.filter((f) => /\.ya?ml$/.test(f.path) && classify(f.path, f.content) === 'github-workflow');
    if (workflows.length === 0) return;
    const root = repo(Object.fromEntries(workflows.map((f) => [`.github/workflows/${f.path.split('/').pop()}`, f.content])));
    const report = await auditPath(root);
    expect(report.parse_errors).toEqual([]);
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`)).toEqual([]);
    const claimed = claimedLevel(output);
    if (claimed !== undefined) for (const s of report.slsa) expect({ workflow: s.workflow, level: s.level, blocking: s.blocking_requirement }).toEqual({ workflow: s.workflow, level: claimed, blocking: s.level === 3 ? null : expect.any(String) });
  });
});
