import { createContainer, engineFrom, rendererModule, type Engine, type PlanResult } from '@ringmaster/core';
import { blueprintModule } from '@ringmaster/mode-blueprint';
import { drModule } from '@ringmaster/mode-dr';
import { finopsModule } from '@ringmaster/mode-finops';
import { gitopsModule } from '@ringmaster/mode-gitops';
import { incidentModule } from '@ringmaster/mode-incident';
import { migrationModule } from '@ringmaster/mode-migration';
import { observabilityModule } from '@ringmaster/mode-observability';
import { progressiveDeliveryModule } from '@ringmaster/mode-progressive-delivery';
import { qualityModule } from '@ringmaster/mode-quality';
import { supplyChainModule } from '@ringmaster/mode-supply-chain';
import { vulnMgmtModule } from '@ringmaster/mode-vuln-mgmt';
import { FileRenderer } from '@ringmaster/renderer';
import { parse } from 'yaml';

let engine: Engine | undefined;

/** The same engine the CLI builds: every mode, the file renderer, this installation's kb/. Built on first use. */
export function planEngine(): Engine {
  engine ??= engineFrom(
    createContainer([
      blueprintModule,
      qualityModule,
      supplyChainModule,
      vulnMgmtModule,
      gitopsModule,
      progressiveDeliveryModule,
      observabilityModule,
      incidentModule,
      drModule,
      finopsModule,
      migrationModule,
      rendererModule(new FileRenderer()),
    ]),
  );
  return engine;
}

/** Reads a pasted profile (JSON or YAML); a message for the modal when it is not one. */
export function readProfile(text: string): { ok: true; profile: unknown } | { ok: false; message: string } {
  try {
    const profile: unknown = parse(text);
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) return { ok: false, message: 'The profile must be a JSON or YAML object.' };
    return { ok: true, profile };
  } catch (err) {
    return { ok: false, message: `Not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}` };
  }
}

export function runPlan(profile: unknown): PlanResult {
  return planEngine().plan(profile);
}

/** A short Slack summary of a blueprint. */
export function planSummary(result: PlanResult): string {
  const log = result.output.decision_log;
  const modes = log.modes.map((m) => m.id).join(', ') || 'none';
  const lines = [
    `*Blueprint ready* (request \`${result.requestId}\`)`,
    `• risk tier: *${log.risk_tier}* · modes: ${modes}`,
    `• ${result.files.length} files · ${log.decisions.length} decisions · ${result.output.kb_references.length} KB references`,
  ];
  if (log.needs_clarification.length) lines.push(`• needs clarification: ${log.needs_clarification.join('; ')}`);
  if (log.warnings.length) lines.push(`• warnings: ${log.warnings.slice(0, 5).join('; ')}`);
  return lines.join('\n');
}
