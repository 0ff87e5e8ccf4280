import { Ajv2020 } from 'ajv/dist/2020.js';
import { ModeRegistrationError } from './errors.js';
import { KnowledgeBase } from './kb.js';
import type { ModePlugin } from './mode.js';
import { outputSchema, type CompiledValidator, type JsonSchema } from './validate.js';

/** Output keys the engine itself writes (or an app adds); no mode may own them. */
export const ENGINE_SECTIONS: ReadonlySet<string> = new Set(['decision_log', 'risks', 'artifacts_to_generate', 'kb_references', 'audit_baseline']);

/** The mode sections output.schema.json defines, in its order (the spec's section 3.2 order). */
export const BUILT_IN_SECTIONS: readonly string[] = Object.keys((outputSchema as { properties: object }).properties).filter((key) => !ENGINE_SECTIONS.has(key));

/** What the engine derives from the registered modes: section order, owners, third-party schemas, KB folders. */
export interface ModeRegistry {
  /** Modes in run order: spec mode number, then unnumbered modes by id. */
  readonly modes: readonly ModePlugin[];
  /** Every section a mode may write, in output order. */
  readonly order: readonly string[];
  /** Section -> the mode that owns it. */
  readonly owners: ReadonlyMap<string, string>;
  /** Section -> its schema and validator, for sections output.schema.json does not define. */
  readonly extensions: ReadonlyMap<string, { schema: JsonSchema; validate: CompiledValidator }>;
  /** The modes' own knowledge bases, next to Ringmaster's. */
  readonly knowledge: readonly KnowledgeBase[];
}

/** Modes in a stable order: spec mode number, then unnumbered modes by id. */
function modeOrder(a: ModePlugin, b: ModePlugin): number {
  const na = a.specMode ?? 100;
  const nb = b.specMode ?? 100;
  return na !== nb ? na - nb : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sectionOf(field: string): string {
  return field.split('.')[0] ?? field;
}

/**
 * Checks a set of modes before any plan runs and derives the output layout from them.
 * Rejects a mode registered twice, a section with two owners, an engine key claimed as a
 * section, a new section without a schema (or a built-in one with its own), an `after`
 * naming no section, a field in a section nobody declares, and a KB anchor defined twice.
 */
export function registerModes(given: readonly ModePlugin[], kb: KnowledgeBase): ModeRegistry {
  const ids = new Set<string>();
  for (const mode of given) {
    if (ids.has(mode.id)) throw new ModeRegistrationError(`mode ${mode.id} is registered twice`);
    ids.add(mode.id);
  }
  const modes = [...given].sort(modeOrder);

  const owners = new Map<string, string>();
  const extensions = new Map<string, { schema: JsonSchema; validate: CompiledValidator }>();
  const placed: { id: string; after: string | undefined; mode: string }[] = [];
  let ajv: Ajv2020 | undefined;
  for (const mode of modes) {
    for (const section of mode.sections ?? []) {
      const where = `mode ${mode.id}, section ${section.id}`;
      if (ENGINE_SECTIONS.has(section.id)) throw new ModeRegistrationError(`${where}: "${section.id}" is written by the engine, not by a mode`);
      const owner = owners.get(section.id);
      if (owner !== undefined) throw new ModeRegistrationError(`${where}: already owned by mode ${owner} (a section has one owner)`);
      owners.set(section.id, mode.id);
      const builtIn = BUILT_IN_SECTIONS.includes(section.id);
      if (builtIn && section.schema) throw new ModeRegistrationError(`${where}: a built-in section; its schema is output.schema.json, not the mode's`);
      if (!builtIn) {
        if (!section.schema) throw new ModeRegistrationError(`${where}: not in output.schema.json, so the mode must give its JSON Schema`);
        ajv ??= new Ajv2020({ allErrors: true, strict: false });
        let validate: CompiledValidator;
        try {
          validate = ajv.compile(section.schema);
        } catch (error) {
          throw new ModeRegistrationError(`${where}: invalid JSON Schema (${error instanceof Error ? error.message : String(error)})`);
        }
        extensions.set(section.id, { schema: section.schema, validate });
        placed.push({ id: section.id, after: section.after, mode: mode.id });
      }
    }
  }

  const order = [...BUILT_IN_SECTIONS];
  for (const { id, after, mode } of placed) {
    if (after === undefined) {
      order.push(id);
      continue;
    }
    const anchor = order.indexOf(after);
    if (anchor === -1) throw new ModeRegistrationError(`mode ${mode}, section ${id}: "after" names ${after}, which is no section of the registered modes`);
    // after the anchor and after sections placed there before, so registration order holds
    let at = anchor + 1;
    while (at < order.length && placed.some((p) => p.id === order[at] && p.after === after)) at += 1;
    order.splice(at, 0, id);
  }

  for (const mode of modes) {
    for (const field of mode.fields ?? []) {
      const section = sectionOf(field);
      if (!order.includes(section)) throw new ModeRegistrationError(`mode ${mode.id}: field ${field} is in section ${section}, which neither output.schema.json nor a registered mode declares`);
    }
  }

  const knowledge: KnowledgeBase[] = [];
  for (const mode of modes) {
    if (!mode.kbDir) continue;
    const own = new KnowledgeBase(mode.kbDir);
    for (const trace of own.traces()) {
      if (kb.has(trace) || knowledge.some((k) => k.has(trace))) throw new ModeRegistrationError(`mode ${mode.id}: KB anchor ${trace} in ${mode.kbDir} is already defined`);
    }
    knowledge.push(own);
  }

  return { modes, order, owners, extensions, knowledge };
}

/** The section a decided field belongs to, or an error naming the mode when no registered mode declares it. */
export function assertKnownSection(registry: ModeRegistry, modeId: string, field: string): void {
  const section = sectionOf(field);
  if (!registry.order.includes(section)) throw new ModeRegistrationError(`mode ${modeId}: decided field ${field} in section ${section}, which neither output.schema.json nor a registered mode declares`);
}
