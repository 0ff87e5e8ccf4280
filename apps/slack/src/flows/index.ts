import type { RunKind } from '@ringmaster/evidence';
import { drillFlow } from './drill.js';
import { FlowRegistry, type Flow, type FlowCommand, type FlowContext, type RunPlan } from './flow.js';
import { incidentFlow } from './incident.js';
import { promoteFlow } from './promote.js';
import { rollbackFlow } from './rollback.js';

export * from './flow.js';
export { drillFlow, incidentFlow, promoteFlow, rollbackFlow };

/** The four flows the app ships with, in the order `/release help` lists them. */
export const BUILTIN_FLOWS: readonly Flow[] = [incidentFlow, rollbackFlow, drillFlow, promoteFlow];

/** A registry of the built-in flows (a fresh one: callers may register more). */
export function builtinFlows(): FlowRegistry {
  return new FlowRegistry(BUILTIN_FLOWS);
}

const builtin = builtinFlows();

/** The built-in flows by subcommand. */
export const FLOWS: Readonly<Record<string, Flow>> = Object.fromEntries(BUILTIN_FLOWS.map((f) => [f.command, f]));

/** The built-in flow a run of `kind` belongs to. */
export function flowOf(kind: RunKind): Flow {
  return builtin.forRun({ kind });
}

/** A run's plan under the built-in flows. */
export function planRun(cmd: FlowCommand, defaultRings: readonly string[]): RunPlan {
  const context: FlowContext = { defaultRings };
  return builtin.plan(cmd, context);
}
