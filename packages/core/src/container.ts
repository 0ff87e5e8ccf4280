import { Container, ContainerModule } from 'inversify';

export type { ContainerModule };
import type { ArtifactRenderer } from './artifacts.js';
import { Engine } from './engine.js';
import { MissingServiceError } from './errors.js';
import { loadKnowledgeBase, type KnowledgeBase } from './kb.js';
import type { ModePlugin } from './mode.js';

declare const serviceType: unique symbol;
/** An injection token that carries the type of what is bound under it. */
export type ServiceToken<T> = symbol & { readonly [serviceType]?: T };

function token<T>(name: string): ServiceToken<T> {
  return Symbol.for(`ringmaster.${name}`) as ServiceToken<T>;
}

/** Injection tokens. Modes are multi-bound under MODE; an app loads the modules it wants. */
export const MODE = token<ModePlugin>('mode');
export const ARTIFACT_RENDERER = token<ArtifactRenderer>('artifact-renderer');
export const KNOWLEDGE_BASE = token<KnowledgeBase>('knowledge-base');

/** Binds a constant under a typed token (the type of the value must match the token's). */
function constantModule<T>(service: ServiceToken<T>, value: T): ContainerModule {
  return new ContainerModule((options) => {
    options.bind<T>(service).toConstantValue(value);
  });
}

/** A ContainerModule that registers one mode; each mode package exports one, and a third-party mode can too. */
export function modeModule(mode: ModePlugin): ContainerModule {
  return constantModule(MODE, mode);
}

export function rendererModule(renderer: ArtifactRenderer): ContainerModule {
  return constantModule(ARTIFACT_RENDERER, renderer);
}

/** A container with the given modules loaded; the knowledge base defaults to this installation's kb/. */
export function createContainer(modules: readonly ContainerModule[], kb: KnowledgeBase = loadKnowledgeBase()): Container {
  const container = new Container();
  container.bind<KnowledgeBase>(KNOWLEDGE_BASE).toConstantValue(kb);
  for (const module of modules) void container.load(module);
  return container;
}

/** Every value bound under a token (none is an empty list). */
export function resolveAll<T>(container: Container, service: ServiceToken<T>): T[] {
  return container.isBound(service) ? container.getAll<T>(service) : [];
}

/** The one value bound under a token, or an error saying which module binds it. */
export function resolveOne<T>(container: Container, service: ServiceToken<T>, hint: string): T {
  if (!container.isBound(service)) throw new MissingServiceError(`no ${service.description ?? 'service'} bound: ${hint}`);
  return container.get<T>(service);
}

/** The engine over every mode bound in the container; checks the modes together (see registerModes). */
export function engineFrom(container: Container): Engine {
  return new Engine(
    resolveAll(container, MODE),
    resolveOne(container, ARTIFACT_RENDERER, "load rendererModule(new FileRenderer()) from '@ringmaster/renderer', or use createEngine from '@ringmaster/modes'"),
    resolveOne(container, KNOWLEDGE_BASE, 'load it with createContainer(modules, loadKnowledgeBase())'),
  );
}
