import type { ContainerModule } from '@ringmaster/core';

/** Every mode package's container module except blueprint (always loaded by engine.ts). */
export const MODE_MODULES: readonly ContainerModule[] = [];
