import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createContainer,
  defineMode,
  engineFrom,
  KnowledgeBase,
  modeModule,
  outputIssues,
  parseProfileText,
  PROFILE_LIMITS,
  ProfileInputError,
  rendererModule,
  type ArtifactRenderer,
  type InputIssue,
  type ModeContext,
} from '../src/index.js';

/**
 * Hostile input (issue 7): whatever JSON value arrives as a profile, `Engine.plan` either
 * returns a schema-valid document or throws a ProfileInputError whose issues name JSON
 * pointers. Nothing else escapes, and nothing takes long.
 */

function testKb(): KnowledgeBase {
  const dir = mkdtempSync(join(tmpdir(), 'rm-kb-hostile-'));
  writeFileSync(join(dir, 'KB_01_architecture.md'), '# KB_01 — Architecture\n\n## Architecture\n\nText.\n\n## Build_Once\n\nText.\n');
  return new KnowledgeBase(dir);
}

const jsonRenderer: ArtifactRenderer = { render: (spec) => ({ content: `${JSON.stringify(spec.body)}\n` }) };

/** A mode that applies to every profile and reads many of its fields, so normalized values flow through. */
const everywhere = defineMode({
  id: 'everywhere',
  title: 'Everywhere',
  specMode: 1,
  kb: ['KB_01#Architecture'],
  dependsOn: { inputs: [], asks: ['cloud_provider', 'orchestrator'] },
  keywords: [],
  signals: [{ id: 'always', weight: 1, when: () => true }],
  rules: [
    { id: 'everywhere/stages', field: 'pipeline_blueprint.stages', value: (ctx: ModeContext) => ['build', ...ctx.profile.current_pain.map((p: string) => `fix_${p}`)], why: 'Pains shape the stages.', kb: ['KB_01#Architecture'] },
    { id: 'everywhere/cache', field: 'pipeline_blueprint.caching_strategy', value: (ctx: ModeContext) => (ctx.profile.infra.cloud_provider === 'unknown' ? 'scoped_keys' : `${ctx.profile.infra.cloud_provider}_cache`), why: 'Cloud cache.', kb: ['KB_01#Build_Once'] },
  ],
  artifacts: (ctx) => [
    {
      name: 'profile.json',
      path: 'profile.json',
      type: 'template',
      kb: ['KB_01#Architecture'],
      body: { format: 'json', schema: 'plain', value: { goal: ctx.profile.goal, regions: ctx.profile.infra.regions, integrations: ctx.profile.crm.integrations } },
    },
  ],
});

const engine = engineFrom(createContainer([modeModule(everywhere), rendererModule(jsonRenderer)], testKb()));

/** A JSON pointer (RFC 6901): empty, or `/`-separated tokens. */
const POINTER = /^(\/[^/]*)*$/;

function expectInputIssues(error: unknown): readonly InputIssue[] {
  expect(error).toBeInstanceOf(ProfileInputError);
  const issues = (error as ProfileInputError).issues;
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(issue.pointer).toMatch(POINTER);
    expect(issue.message.length).toBeGreaterThan(0);
    expect(issue.message).not.toMatch(/\n/);
    expect(typeof issue.expected).toBe('string');
    expect(typeof issue.found).toBe('string');
  }
  return issues;
}

/** plan(value): a schema-valid output, or a ProfileInputError with pointers; never anything else. (Speed is measured by `pnpm bench`, not here.) */
function planOrRefuse(value: unknown): 'planned' | 'refused' {
  let outcome: 'planned' | 'refused';
  try {
    const { output } = engine.plan(value);
    expect(outputIssues(output)).toEqual([]);
    outcome = 'planned';
  } catch (error) {
    expectInputIssues(error);
    outcome = 'refused';
  }
  return outcome;
}

const PAINS = ['pipeline_slow', 'flaky_tests', 'incidents', 'audit_findings', 'costs', 'vuln_debt', 'runner_risk', 'manual_toil'];

/** Mostly the right thing, sometimes any JSON value. */
function mostly<T>(right: fc.Arbitrary<T>, depth = 2): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: right, weight: 6 }, { arbitrary: fc.jsonValue({ maxDepth: depth }), weight: 1 });
}

const regionName = fc.oneof({ arbitrary: fc.constantFrom('eu-central-1', 'us-east-1', 'westeurope', 'europe-west4'), weight: 8 }, { arbitrary: fc.string({ maxLength: 70 }), weight: 1 });

/** Objects close to a profile: known keys with values that are mostly right and sometimes wrong. */
const nearProfile = fc.record(
  {
    goal: mostly(fc.string({ minLength: 1, maxLength: 40 })),
    infra: mostly(fc.record({ cloud_provider: fc.constantFrom('aws', 'gcp', 'azure', 'on_prem', 'unknown', 'AWS'), regions: fc.array(regionName, { maxLength: 4 }) }, { requiredKeys: [] })),
    crm_profile: mostly(fc.record({ multi_tenant: mostly(fc.boolean(), 1), tenant_count: mostly(fc.integer({ min: 0, max: 100_000 }), 0) }, { requiredKeys: ['multi_tenant'] })),
    current_pain: mostly(fc.array(fc.constantFrom(...PAINS, ...PAINS, 'boredom'), { maxLength: 10 })),
    risk_tier: mostly(fc.constantFrom('low', 'medium', 'high', 'extreme'), 1),
    release_policy: mostly(fc.record({ cadence: fc.string({ maxLength: 30 }), ring_model: fc.record({ enabled: fc.boolean(), rings: fc.array(regionName, { maxLength: 3 }) }, { requiredKeys: [] }) }, { requiredKeys: [] }), 3),
    constructor: fc.jsonValue({ maxDepth: 1 }),
    toString: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ['goal'] },
);

describe('any JSON value as a profile', () => {
  it('plans to a schema-valid document or throws ProfileInputError with JSON pointers, nothing else', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        planOrRefuse(value);
      }),
      { numRuns: 300 },
    );
  });

  it('holds for near-profiles too, and some of them plan', () => {
    let planned = 0;
    fc.assert(
      fc.property(nearProfile, (value) => {
        if (planOrRefuse(value) === 'planned') planned += 1;
      }),
      { numRuns: 300 },
    );
    expect(planned).toBeGreaterThan(0);
  });

  it('holds for any JSON text, parsed as the CLI parses it (own __proto__ keys included)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 5 }), fc.string({ maxLength: 200 })), (text) => {
        let value: unknown;
        try {
          value = parseProfileText(text);
        } catch (error) {
          expectInputIssues(error);
          return;
        }
        planOrRefuse(value);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a profile pollute Object.prototype', () => {
    const value = parseProfileText('{"goal": "x", "__proto__": {"polluted": true}, "infra": {"__proto__": {"polluted": true}}}');
    planOrRefuse(value);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

/** Builds `depth` nested arrays (or objects) around a value, without recursion. */
function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = kind === 'array' ? [value] : { k: value };
  return value;
}

describe('values too big or too deep to be a profile are refused quickly, with a clear error', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['arrays nested 100,000 deep', () => ({ goal: 'x', extra: nested(100_000, 'array') }), new RegExp(`nesting at most ${PROFILE_LIMITS.maxDepth} deep`)],
    ['objects nested 100,000 deep', () => ({ goal: 'x', extra: nested(100_000, 'object') }), new RegExp(`nesting at most ${PROFILE_LIMITS.maxDepth} deep`)],
    ['a root nested 17 deep', () => nested(PROFILE_LIMITS.maxDepth + 1, 'array'), /nesting at most/],
    ['an array of a million items', () => ({ goal: 'x', current_pain: Array.from({ length: 1_000_000 }, () => 'costs') }), new RegExp(`at most ${PROFILE_LIMITS.maxNodes} values`)],
    // three times the node limit is enough to prove the limit; the early stop itself is asserted below
    ['an object with 3x the node limit in keys', () => ({ goal: 'x', ...Object.fromEntries(Array.from({ length: 3 * PROFILE_LIMITS.maxNodes }, (_, i) => [`k${i}`, i])) }), new RegExp(`at most ${PROFILE_LIMITS.maxNodes} values`)],
    ['a 20 MB goal', () => ({ goal: 'g'.repeat(20 * 1024 * 1024) }), /\/goal: expected a string of at most \d+ characters/],
    ['a 1 MB region name', () => ({ goal: 'x', infra: { regions: ['r'.repeat(1024 * 1024)] } }), /\/infra\/regions\/0: expected a string (matching|of at most)/],
    ['101 regions', () => ({ goal: 'x', infra: { regions: Array.from({ length: 101 }, (_, i) => `r${i}`) } }), /\/infra\/regions: expected at most 100 items/],
  ];

  it('stops reading a huge object at the node limit (reads counted, not timed)', () => {
    let reads = 0;
    const huge: Record<string, unknown> = { goal: 'x' };
    for (let i = 0; i < 5 * PROFILE_LIMITS.maxNodes; i++) {
      Object.defineProperty(huge, `k${i}`, { enumerable: true, get: () => ++reads });
    }
    expect(() => engine.plan(huge)).toThrow(new RegExp(`at most ${PROFILE_LIMITS.maxNodes} values`));
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(PROFILE_LIMITS.maxNodes);
  });

  it.each(cases)('%s', (_name, make, message) => {
    const value = make();
    let error: unknown;
    try {
      engine.plan(value);
    } catch (e) {
      error = e;
    }
    const issues = expectInputIssues(error);
    expect(issues.map((i) => i.message).join('\n')).toMatch(message);
  });

  it('refuses profile text over the byte limit before parsing it', () => {
    const text = JSON.stringify({ goal: 'x', pad: 'p'.repeat(PROFILE_LIMITS.maxBytes) });
    expect(() => parseProfileText(text)).toThrow(ProfileInputError);
    try {
      parseProfileText(text);
    } catch (error) {
      expect(expectInputIssues(error)[0]?.message).toMatch(new RegExp(`at most ${PROFILE_LIMITS.maxBytes} bytes`));
    }
  });

  it('refuses deeply nested JSON text without overflowing the stack', () => {
    const text = `{"goal": "x", "extra": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    let error: unknown;
    try {
      engine.plan(parseProfileText(text));
    } catch (e) {
      error = e;
    }
    expect(expectInputIssues(error)[0]?.message).toMatch(/nesting at most/);
  });

  it('accepts a profile right at the limits', () => {
    const value = { goal: 'g'.repeat(2000), infra: { regions: Array.from({ length: 100 }, (_, i) => `region-${i}`) }, current_pain: PAINS };
    expect(planOrRefuse(value)).toBe('planned');
  });
});
