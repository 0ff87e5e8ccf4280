import { Container, ContainerModule } from 'inversify';

export type { ContainerModule };
import type { ArtifactRenderer } from './artifacts.js';
import { Engine } from './engine.js';
import { loadKnowledgeBase, type KnowledgeBase } from './kb.js';
import type { ModePlugin } from './mode.js';

/** Injection tokens. Modes are multi-bound under MODE; an app loads the modules it wants. */
export const MODE = Symbol.for('ringmaster.mode');
export const ARTIFACT_RENDERER = Symbol.for('ringmaster.artifact-renderer');
export const KNOWLEDGE_BASE = Symbol.for('ringmaster.knowledge-base');

/** A ContainerModule that registers one mode; each mode package exports one. */
export function modeModule(mode: ModePlugin): ContainerModule {
  return new ContainerModule((options) => {
    options.bind<ModePlugin>(MODE).toConstantValue(mode);
  });
}

export function rendererModule(renderer: ArtifactRenderer): ContainerModule {
  return new ContainerModule((options) => {
    options.bind<ArtifactRenderer>(ARTIFACT_RENDERER).toConstantValue(renderer);
  });
}

/** A container with the given modules loaded; the knowledge base defaults to this installation's kb/. */
export function createContainer(modules: readonly ContainerModule[], kb: KnowledgeBase = loadKnowledgeBase()): Container {
  const container = new Container();
  container.bind<KnowledgeBase>(KNOWLEDGE_BASE).toConstantValue(kb);
  for (const module of modules) void container.load(module);
  return container;
}

/** The engine over every mode bound in the container. */
export function engineFrom(container: Container): Engine {
  const modes = container.isBound(MODE) ? container.getAll<ModePlugin>(MODE) : [];
  return new Engine(modes, container.get<ArtifactRenderer>(ARTIFACT_RENDERER), container.get<KnowledgeBase>(KNOWLEDGE_BASE));
}
