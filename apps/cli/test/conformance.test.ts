import { readdirSync, readFileSync } from 'node:fs';
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

/** Arrays whose order carries no meaning in the input schema (ring order does, so `rings` is not here). */
const SET_LIKE = new Set(['current_pain', 'targets', 'integrations', 'data_residency_regions', 'regions', 'languages']);

/** The same profile with every object's keys reversed and every set-like array reversed. */
function reordered(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => reordered(v));
    return SET_LIKE.has(key) ? items.reverse() : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v, k)]));
  }
  return value;
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

  it.each(cases.map((c) => [c.id, c] as const))('%s is deterministic, whatever the order of keys and of set-like arrays', (_id, c) => {
    const once = JSON.stringify(engine.plan(structuredClone(c.input)).output);
    expect(JSON.stringify(engine.plan(structuredClone(c.input)).output)).toBe(once);
    expect(JSON.stringify(engine.plan(reordered(c.input)).output)).toBe(once);
  });
});

describe('determinism beyond the spec cases', () => {
  it('ignores the order of set-like arrays in a rich profile', () => {
    const profile = JSON.parse(readFileSync(new URL('../../../examples/multi-tenant-canary.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(engine.plan(reordered(profile)).output)).toBe(JSON.stringify(engine.plan(profile).output));
  });
});

describe('generated files fit together', () => {
  const profiles = [...cases.map((c) => c.input), JSON.parse(readFileSync(new URL('../../../examples/multi-tenant-canary.json', import.meta.url), 'utf8')) as Record<string, unknown>];
  it.each(profiles.map((p, i) => [i, p] as const))('profile %i: every local reusable workflow a workflow calls is generated', (_i, profile) => {
    const { files } = engine.plan(structuredClone(profile));
    const paths = new Set(files.map((f) => f.path));
    for (const file of files) {
      for (const match of file.content.matchAll(/uses:\s*\.\/(\.github\/workflows\/[\w.-]+\.ya?ml)/g)) expect(paths, `${file.path} calls ${match[1]}`).toContain(match[1]);
    }
  });
});

describe('examples/', () => {
  const dir = new URL('../../../examples/', import.meta.url);
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))('%s plans with at least one mode and its artifacts', (file) => {
    const { output } = engine.plan(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
    expect(output.decision_log.modes.length).toBeGreaterThan(0);
    expect(output.artifacts_to_generate.length).toBeGreaterThan(0);
  });
});
