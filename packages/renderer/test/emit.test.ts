import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document } from 'yaml';
import { emitPlainYaml } from '../src/emit.js';
import { libraryYamlDocument, renderYaml, resolveUses } from '../src/render.js';

/** What the `yaml` library prints for a value: the reference the emitter must match byte for byte. */
const library = (value: unknown): string => new Document(value, { aliasDuplicateObjects: false }).toString({ lineWidth: 0, directives: false });

// Fragments that stress the library's choice of scalar style: keywords and numbers of the
// core schema, indicators, comments, document markers, quotes, line breaks, escapes, unicode.
const TRICKY = [
  '', ' ', '  ', 'true', 'false', 'True', 'TRUE', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', 'Null', 'NULL', '~', '0', '-0', '+1', '1', '007',
  '0o17', '0o8', '0x1F', '0xg', '1e3', '1E-3', '.5', '5.', '1.0', '-1.5', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '1_000', '2001-12-14',
  '2001-12-14t21:59:43.10-05:00', '12:30:00', '1:20', '=', '<<', '-', '--', '---', '----', '...', '?', '? x', '- x', ':', ': x', 'a:', 'a: b',
  'a:b', 'x #y', 'x#y', '#', '# c', '[', ']', '{', '}', ',', 'a,b', '&a', '*a', '!tag', '!!str', '|', '|-', '>', '>-', '%', '%TAG', '@', '`',
  "'", '"', `'"`, "it's", 'say "hi"', '\n', '\n\n', 'a\n', 'a\n\n', 'a\n\n\n', '\na', '\n\na', ' a\nb', 'a\n b', 'a \nb', 'a\n\tb', '\ta',
  'a\t', 'a\tb', ' lead', 'trail ', ' both ', 'a\nb', 'a\nb\n', 'a\n\nb', ' \n', '\n ', 'x\n---\ny', 'x\n...\n', 'x\n%y', '\u0000', '\u0007',
  '\u000b', '\u001b', '\u0085', '\u00a0', '\u2028', '\u2029', '\ud800', '\udc00', '😀', 'é', 'Ω', '\r', '\r\n', 'a\r\nb', '\\', '\\n',
  'a\\"b', '\u007f', '\ufeff', 'x'.repeat(60), 'a b '.repeat(30), 'word '.repeat(300), 'k'.repeat(1030), 'line\n'.repeat(30),
  '${{ secrets.X }}', 'actions/checkout@v4', 'run: |', '- - x', '?x', '-x', '-1x', ':x', '0.',
];
const fragment = fc.constantFrom(...TRICKY);
const text = fc.oneof(
  { arbitrary: fragment, weight: 4 },
  { arbitrary: fc.array(fragment, { minLength: 1, maxLength: 4 }).map((a) => a.join('')), weight: 4 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fragment, fc.string({ maxLength: 6 })).map((a) => a.join('')), weight: 3 },
  { arbitrary: fc.string({ maxLength: 12, unit: fc.constantFrom(' ', '\n', '\t', 'a', '#', ':', '-', "'", '"', '?', '%', '.', '0', '1', 'e', '\\') }), weight: 4 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 20, unit: 'binary' }), weight: 1 },
  { arbitrary: fc.string({ maxLength: 8, unit: 'grapheme' }), weight: 1 },
  { arbitrary: fc.string({ minLength: 40, maxLength: 120, unit: fc.constantFrom(' ', '\n', 'a', 'b', '"', "'") }), weight: 1 },
);
const numberish = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 1e-7, 0.1, 2 ** 53), fc.bigInt());
const usesValue = fc.oneof(
  fc.constantFrom('actions/checkout@v4', 'actions/checkout', 'actions/setup-node@v3', './local', 'docker://x', `x@${'a'.repeat(40)}`, 'foo # v1', 'foo # v1\n', 'foo\n # x', ' actions/checkout@v4 ', 'a # b\u2028c', 'a #  '),
  text,
);
const key = fc.oneof(text, fc.constantFrom('uses', 'uses', '__proto__', 'toJSON', 'constructor', '1', '0'));
/** Own enumerable properties, `__proto__` included. */
const record = (entries: [string, unknown][]): Record<string, unknown> => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
  return o;
};
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('leaf'), tie('seq'), tie('map')),
  leaf: fc.oneof({ arbitrary: text, weight: 6 }, { arbitrary: numberish, weight: 1 }, { arbitrary: fc.boolean(), weight: 1 }, { arbitrary: fc.constant(null), weight: 1 }),
  seq: fc.array(tie('tree'), { maxLength: 4 }),
  map: fc.array(fc.tuple(key, fc.oneof(tie('tree'), usesValue, fc.constant(undefined))), { maxLength: 5 }).map(record),
}));
const root = fc.oneof(fc.array(tree, { maxLength: 5 }), fc.array(fc.tuple(key, fc.oneof(tree, usesValue)), { maxLength: 6 }).map(record));
const pins = fc.constantFrom<false | undefined | Record<string, { sha: string; version: string }>>(false, undefined, {
  'actions/setup-node': { sha: 'b'.repeat(40), version: 'v3.9.1' },
  foo: { sha: 'c'.repeat(40), version: 'x\ny' },
});

describe('emitPlainYaml', () => {
  it('prints plain data byte for byte as the yaml library does (differential fuzz)', () => {
    // 750,000 runs of this property (two other seeds) found no difference.
    let emitted = 0;
    fc.assert(
      fc.property(root, pins, (value, p) => {
        const got = emitPlainYaml(value, p, resolveUses);
        if (got === undefined) return;
        emitted += 1;
        expect(got).toBe(p === false ? library(value) : libraryYamlDocument(value, p));
      }),
      { numRuns: 2000, seed: 20261124 },
    );
    expect(emitted).toBeGreaterThan(1900);
  });

  it('chooses the library scalar styles', () => {
    const value = {
      plain: 'a b', keyword: 'true', number: '1e3', empty: '', lead: ' x', quote: "it's", dquote: 'say "hi"', comment: 'x #y',
      block: 'a\nb\n', keep: 'a\n\n', strip: 'a\nb', indented: ' a\nb', spaces: 'a \nb', control: 'a\u0007b', marker: 'x\n---\ny',
      n: [1, -0, 0.5, NaN, -Infinity, 10n, true, null], e: [], m: {}, nested: [{ a: 1, b: [2, { c: [] }] }, [3, [4]]],
    };
    const out = emitPlainYaml(value, false, resolveUses);
    expect(out).toBe(library(value));
    expect(out).toContain('keep: |+\n  a\n\n');
    expect(out).toContain('indented: |2-\n   a\n  b');
  });

  it('puts the pinned version after a `uses:` value as a line comment', () => {
    const job = { steps: [{ uses: 'actions/checkout@v4' }, { uses: 'actions/setup-node@v4', with: { 'node-version': '20' } }, { uses: 'foo # v1' }] };
    const out = emitPlainYaml(job, undefined, resolveUses) ?? '';
    expect(out).toMatch(/^ {2}- uses: actions\/checkout@[0-9a-f]{40} # v4\.\d+\.\d+$/m);
    expect(out).toContain('  - uses: foo # v1\n');
    expect(out).toBe(libraryYamlDocument(job, undefined));
  });

  it('leaves to the library what it does not print itself', () => {
    expect(emitPlainYaml('scalar', false, resolveUses)).toBeUndefined();
    expect(emitPlainYaml({ [`k${'x'.repeat(1030)}`]: 1 }, false, resolveUses)).toBeUndefined();
    expect(emitPlainYaml({ a: new Date(0) }, false, resolveUses)).toBeUndefined();
    expect(emitPlainYaml({ a: [1, undefined] }, false, resolveUses)).toBeUndefined();
    expect(emitPlainYaml({ a: { toJSON: () => 1 } }, false, resolveUses)).toBeUndefined();
    const body = { format: 'yaml', schema: 'kubernetes', documents: [{ a: new Date(0) }, 'scalar', { a: 1 }] } as const;
    expect(renderYaml(body as unknown as Parameters<typeof renderYaml>[0])).toBe(`---\n${library({ a: new Date(0) })}---\n${library('scalar')}---\na: 1\n`);
  });
});
