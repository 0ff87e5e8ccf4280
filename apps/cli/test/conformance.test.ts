import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine } from '@ringmaster/modes';

/**
 * The spec's section 11 tests (12 smoke, 15 golden) as data, with the matching
 * rules of the conformance README: keys, equals, contains (relative order),
 * nonEmpty, artifacts (exact file name + substrings), kb.
 */
interface Case {
  id: string;
  title: string;
  input: Record<string, unknown>;
  expect: {
    keys?: string[];
    equals?: Record<string, unknown>;
    contains?: Record<string, unknown[]>;
    nonEmpty?: string[];
    artifacts?: Record<string, string[]>;
    kb?: string[];
  };
}

const cases = (JSON.parse(readFileSync(new URL('../../../conformance/seed-cases.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;
const engine = createEngine();

function at(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

/** True when `items` appear in `list` in the same relative order. */
function containsInOrder(list: unknown, items: unknown[]): boolean {
  if (!Array.isArray(list)) return false;
  let from = 0;
  for (const item of items) {
    const index = list.findIndex((x, i) => i >= from && JSON.stringify(x) === JSON.stringify(item));
    if (index === -1) return false;
    from = index + 1;
  }
  return true;
}

describe('spec section 11 conformance', () => {
  it('has all 27 cases', () => {
    expect(cases.filter((c) => c.id.startsWith('smoke-'))).toHaveLength(12);
    expect(cases.filter((c) => c.id.startsWith('golden-'))).toHaveLength(15);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { output } = engine.plan(structuredClone(c.input));
    for (const key of c.expect.keys ?? []) expect(output[key], `key ${key}`).not.toBeUndefined();
    for (const key of c.expect.keys ?? []) expect(output[key], `key ${key}`).not.toBeNull();
    for (const [path, value] of Object.entries(c.expect.equals ?? {})) expect(at(output, path), path).toEqual(value);
    for (const [path, items] of Object.entries(c.expect.contains ?? {})) expect(containsInOrder(at(output, path), items), `${path} holds ${JSON.stringify(items)} in order, got ${JSON.stringify(at(output, path))}`).toBe(true);
    for (const path of c.expect.nonEmpty ?? []) expect((at(output, path) as unknown[] | string | undefined)?.length ?? 0, path).toBeGreaterThan(0);
    for (const [name, substrings] of Object.entries(c.expect.artifacts ?? {})) {
      const artifact = output.artifacts_to_generate.find((a) => a.name === name);
      expect(artifact, `artifact ${name}`).toBeDefined();
      for (const s of substrings) expect(artifact?.content_skeleton, `${name} contains ${s}`).toContain(s);
    }
    for (const trace of c.expect.kb ?? []) expect(output.kb_references).toContain(trace);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s is deterministic', (_id, c) => {
    expect(JSON.stringify(engine.plan(structuredClone(c.input)).output)).toBe(JSON.stringify(engine.plan(structuredClone(c.input)).output));
  });
});
