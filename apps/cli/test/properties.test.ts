import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGuardrails, inputSchema, loadKnowledgeBase, outputIssues, ProfileInputError, tracesInText, type PlanResult } from '@ringmaster/core';
import { validateArtifact } from '@ringmaster/renderer';
import { createRecordingEngine } from '@ringmaster/modes';

/**
 * Property tests (issue 7): any profile the input schema accepts plans without error, the
 * output is schema-valid and byte-for-byte deterministic, no guardrail is broken, every KB
 * trace resolves, and every artifact passes its format's validator.
 */

interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: readonly string[];
}

/** Strings that try to break out of whatever file they land in. */
const HOSTILE = [
  "'",
  '"',
  '`id`',
  '$(touch /tmp/ringmaster-pwned)',
  '${{ secrets.GITHUB_TOKEN }}',
  '${HOME}',
  '&anchor',
  '*anchor',
  '<<: *anchor',
  '\n- injected: true',
  '\r\nkind: Secret',
  '#',
  '\\',
  '---',
  '{{ .Values }}',
  '; rm -rf / #',
  '\u0000',
  '\u2028',
  '😀',
];

/** Free text: short, any code unit, often with a hostile fragment in it. */
function freeText(maxLength: number, minLength = 0): fc.Arbitrary<string> {
  const cap = Math.min(maxLength, 48);
  return fc
    .oneof(
      { arbitrary: fc.string({ minLength, maxLength: cap }), weight: 3 },
      { arbitrary: fc.string({ unit: 'binary', minLength, maxLength: cap }), weight: 1 },
      { arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...HOSTILE), fc.string({ maxLength: 12 })).map((parts) => parts.join('')), weight: 3 },
    )
    .filter((s) => s.length >= minLength && s.length <= maxLength);
}

/** An arbitrary for a schema node, from the subset of JSON Schema the input schema uses. */
function arbitraryOf(node: SchemaNode): fc.Arbitrary<unknown> {
  if (node.enum) return fc.constantFrom(...node.enum);
  switch (node.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.oneof(fc.integer({ min: node.minimum ?? 0, max: Math.min(node.maximum ?? 1000, 5000) }), fc.constant(node.maximum ?? 0));
    case 'string': {
      if (node.pattern) {
        const pattern = new RegExp(node.pattern, 'u');
        const max = node.maxLength ?? 64;
        // A negated class (`^[^\u0000-\u001f]*$`, "no control characters") is free text, filtered; every
        // other pattern (names, hosts, ids, URLs) is generated to match: random text almost never would,
        // and a filter that never passes makes fast-check spin without end.
        return node.pattern.startsWith('^[^') ? freeText(max, node.minLength ?? 0).filter((s) => pattern.test(s)) : fc.stringMatching(pattern).filter((s) => s.length <= max && s.length >= (node.minLength ?? 0));
      }
      return freeText(node.maxLength ?? 200, node.minLength ?? 0);
    }
    case 'array': {
      const items = arbitraryOf(node.items ?? {});
      const maxLength = Math.min(node.maxItems ?? 4, 4);
      // Lists of named things (services, environments) hold each name once, as validation requires.
      return node.items?.required?.includes('name') ? fc.uniqueArray(items, { maxLength, selector: (item) => (item as { name: string }).name }) : fc.array(items, { maxLength });
    }
    case 'object': {
      const props = node.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) record[key] = arbitraryOf(sub);
      return fc.record(record, { requiredKeys: [...(node.required ?? [])] });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** Goals that select modes, often with hostile text around them. */
const GOALS = ['Setup CI pipeline', 'Reduce flakiness', 'Deploy strategy', 'Audit security', 'Canary rollout to tenant cohorts', 'Disaster recovery drill', 'Cut CI costs', 'Observability and SLOs', 'Zero-downtime schema migration', 'Incident response', 'Vulnerability management', 'GitOps with Argo CD'];
const goal = fc.oneof(fc.constantFrom(...GOALS), fc.tuple(fc.constantFrom(...GOALS), freeText(60)).map(([g, t]) => `${g} ${t}`), freeText(200, 1));

const kb = loadKnowledgeBase();
const { engine, captured } = createRecordingEngine();

/** Schema-valid profiles that also pass the checks beyond the schema (one image per service, no two targets or services naming one cluster object). */
const profileArb = (arbitraryOf(inputSchema as SchemaNode) as fc.Arbitrary<Record<string, unknown>>).chain((p) => goal.map((g) => ({ ...p, goal: g }))).filter((p) => {
  try {
    engine.delivery(structuredClone(p));
    return true;
  } catch (error) {
    if (error instanceof ProfileInputError) return false;
    throw error;
  }
});

function fingerprint(result: PlanResult): string {
  return JSON.stringify({ output: result.output, files: result.files, id: result.requestId });
}

describe('any schema-valid profile', () => {
  it('plans to a valid, deterministic document with resolvable traces and valid artifacts', async () => {
    await fc.assert(
      fc.asyncProperty(profileArb, async (profile) => {
        captured.length = 0;
        const result = engine.plan(structuredClone(profile));
        const specs = [...captured];

        // Valid against the published output schema.
        expect(outputIssues(result.output)).toEqual([]);

        // Deterministic: the same profile gives the same bytes.
        expect(fingerprint(engine.plan(structuredClone(profile)))).toBe(fingerprint(result));

        // No guardrail is broken (the engine refuses such output; checked again from the outside).
        const fields = new Map(result.output.decision_log.decisions.map((d) => [d.field, d.value] as const));
        expect(checkGuardrails(result.files, fields)).toEqual([]);

        // Every KB trace resolves: the index, every decision, every artifact and every trace written in a file.
        const traces = new Set(result.output.kb_references);
        for (const d of result.output.decision_log.decisions) for (const t of d.kb) traces.add(t);
        for (const a of result.output.artifacts_to_generate) for (const t of a.kb) traces.add(t);
        for (const f of result.files) for (const t of tracesInText(f.content)) traces.add(t);
        expect([...traces].filter((t) => !kb.has(t))).toEqual([]);

        // Every artifact passes its format's validator.
        const errors: string[] = [];
        for (const { spec, rendered } of specs) {
          for (const issue of await validateArtifact(spec, rendered)) if (issue.severity === 'error') errors.push(`${issue.path} [${issue.validator}] ${issue.message}`);
        }
        expect(errors).toEqual([]);
      }),
      { numRuns: 50 }, // each run validates every artifact with its real tool (bash -n, shellcheck, Kubernetes models, workflow parser): sized for 2 shared cores
    );
  }, 600_000);
});
