import {
  createContainer,
  engineFrom,
  modeModule,
  rendererModule,
  type ArtifactRenderer,
  type ArtifactSpec,
  type ContainerModule,
  type Engine,
  type KnowledgeBase,
  type ModePlugin,
  type RenderedArtifact,
} from '@ringmaster/core';
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

/** The checklists the Slack app runs, owned by their modes (apps import modes through this package). */
export { drDrillChecklist, drTargets } from '@ringmaster/mode-dr';
export { incidentChecklist, rollbackChecklist } from '@ringmaster/mode-incident';
export { promotionChecklist } from '@ringmaster/mode-progressive-delivery';

/** Every mode Ringmaster ships, as container modules, in spec order. */
export const MODE_MODULES: readonly ContainerModule[] = [
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
];

export interface EngineOptions {
  /** The modes to plan with, as plugin objects or container modules (yours too); every built-in mode when omitted. */
  modes?: readonly (ModePlugin | ContainerModule)[];
  /** Turns artifact specs into files; the FileRenderer (every format validated) when omitted. */
  renderer?: ArtifactRenderer;
  /** The knowledge base; the kb/ shipped with @ringmaster/core when omitted. */
  kb?: KnowledgeBase;
}

function isModePlugin(entry: ModePlugin | ContainerModule): entry is ModePlugin {
  return typeof (entry as Partial<ModePlugin>).contribute === 'function';
}

/**
 * The planner: the modes given (all of them by default), checked together at once
 * (duplicate ids or section owners, unknown sections), with the file renderer and the KB.
 * The CLI and the Slack app run `createEngine()`; a library user passes `{ modes: [...] }`.
 */
export function createEngine(options: EngineOptions = {}): Engine {
  const modes = (options.modes ?? MODE_MODULES).map((entry) => (isModePlugin(entry) ? modeModule(entry) : entry));
  return engineFrom(createContainer([...modes, rendererModule(options.renderer ?? new FileRenderer())], options.kb));
}

/** One rendered artifact with the spec it came from. */
export interface CapturedArtifact {
  spec: ArtifactSpec;
  rendered: RenderedArtifact;
}

/**
 * The same engine, with a renderer that also records every spec and its rendering, so that
 * tests and benchmarks can validate each artifact with its format's validator. Empty
 * `captured` before each plan to keep one plan's artifacts.
 */
export function createRecordingEngine(): { engine: Engine; captured: CapturedArtifact[] } {
  const files = new FileRenderer();
  const captured: CapturedArtifact[] = [];
  const engine = createEngine({
    renderer: {
      render(spec) {
        const rendered = files.render(spec);
        captured.push({ spec, rendered });
        return rendered;
      },
    },
  });
  return { engine, captured };
}
