import type { ContainerModule } from '@ringmaster/core';
import { gitopsModule } from '@ringmaster/mode-gitops';
import { observabilityModule } from '@ringmaster/mode-observability';
import { progressiveDeliveryModule } from '@ringmaster/mode-progressive-delivery';
import { qualityModule } from '@ringmaster/mode-quality';

/** Every mode package's container module except blueprint (always loaded by engine.ts). */
export const MODE_MODULES: readonly ContainerModule[] = [qualityModule, gitopsModule, progressiveDeliveryModule, observabilityModule];
