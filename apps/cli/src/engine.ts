import { createContainer, engineFrom, rendererModule, type Engine } from '@ringmaster/core';
import { FileRenderer } from '@ringmaster/renderer';
import { MODE_MODULES } from './modes.js';

/** The engine with every mode this installation ships, and the file renderer. */
export function createEngine(): Engine {
  return engineFrom(createContainer([...MODE_MODULES, rendererModule(new FileRenderer())]));
}
