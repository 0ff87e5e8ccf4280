import { createContainer, engineFrom, rendererModule, type ContainerModule, type Engine } from '@ringmaster/core';
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

/** The engine the CLI and the Slack app run: every mode, the file renderer, this installation's kb/. */
export function createEngine(): Engine {
  return engineFrom(createContainer([...MODE_MODULES, rendererModule(new FileRenderer())]));
}
