import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, loadKnowledgeBase, type ModePlugin } from '@ringmaster/core';
import { blueprintMode } from '@ringmaster/mode-blueprint';
import { drMode } from '@ringmaster/mode-dr';
import { finopsMode } from '@ringmaster/mode-finops';
import { gitopsMode } from '@ringmaster/mode-gitops';
import { incidentMode } from '@ringmaster/mode-incident';
import { migrationMode } from '@ringmaster/mode-migration';
import { observabilityMode } from '@ringmaster/mode-observability';
import { progressiveDeliveryMode } from '@ringmaster/mode-progressive-delivery';
import { qualityMode } from '@ringmaster/mode-quality';
import { supplyChainMode } from '@ringmaster/mode-supply-chain';
import { vulnMgmtMode } from '@ringmaster/mode-vuln-mgmt';
import { FileRenderer } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { auditPath, classify } from '../src/index.js';
import { repo } from './helpers.js';

const MODES: ModePlugin[] = [blueprintMode, drMode, finopsMode, gitopsMode, incidentMode, migrationMode, observabilityMode, progressiveDeliveryMode, qualityMode, supplyChainMode, vulnMgmtMode];
const ROOT = join(import.meta.dirname, '..', '..', '..');

const SEED = JSON.parse(readFileSync(join(ROOT, 'conformance', 'seed-cases.json'), 'utf8')) as { cases: { id: string; input: unknown }[] };
const PROFILES: Record<string, unknown> = {
  'examples/multi-tenant-canary.json': JSON.parse(readFileSync(join(ROOT, 'examples', 'multi-tenant-canary.json'), 'utf8')),
  ...Object.fromEntries(SEED.cases.map((c) => [`seed ${c.id}`, c.input])),
};

/** `L3`, `3`, `SLSA L3` -> 3. */
function claimedLevel(output: Record<string, unknown>): number | undefined {
  const value = (output['security_controls'] as Record<string, unknown> | undefined)?.['slsa_level'];
  const m = /([0-3])/.exec(String(value ?? ''));
  return m ? Number(m[1]) : undefined;
}

describe('workflows Ringmaster generates', () => {
  const engine = new Engine(MODES, new FileRenderer(), loadKnowledgeBase());

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
