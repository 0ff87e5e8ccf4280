import { createContainer, engineFrom, rendererModule, type ArtifactRenderer, type ArtifactSpec, type ContainerModule, type Engine, type RenderedArtifact } from '@ringmaster/core';
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

/** The engine the CLI and the Slack app run: every mode, the file renderer (or the one given), this installation's kb/. */
export function createEngine(renderer: ArtifactRenderer = new FileRenderer()): Engine {
  return engineFrom(createContainer([...MODE_MODULES, rendererModule(renderer)]));
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
    render(spec) {
      const rendered = files.render(spec);
      captured.push({ spec, rendered });
      return rendered;
    },
  });
  return { engine, captured };
}
