import type { ErrorObject } from 'ajv';
import inputSchemaJson from '../schemas/input.schema.json' with { type: 'json' };
import outputSchemaJson from '../schemas/output.schema.json' with { type: 'json' };
import { OutputSchemaError, ProfileInputError, type InputIssue } from './errors.js';
import { validateInput, validateOutput } from './generated/validators.js';
import type { Profile } from './profile.js';

/** A JSON Schema document (draft 2020-12), as data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

// Typed explicitly so that the published .d.ts does not import a .json file (which a
// consumer's tsc refuses under node16/nodenext without resolveJsonModule).
export const inputSchema: JsonSchema = inputSchemaJson;
export const outputSchema: JsonSchema = outputSchemaJson;

/** Hard limits on a profile, checked before schema validation (hostile input). */
export const PROFILE_LIMITS = { maxBytes: 256 * 1024, maxDepth: 16, maxNodes: 10_000 } as const;

/** Validators are compiled from the schemas at build time (scripts/compile-schemas.mjs), not at start-up. */
const validators = () => ({ input: validateInput, output: validateOutput });

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A short, one-line rendering of a found value. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  const type = jsonType(value);
  if (type === 'object') return 'object';
  if (type === 'array') return `array of ${(value as unknown[]).length}`;
  const text = JSON.stringify(value);
  return `${type} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function issueOf(error: ErrorObject, root: unknown): InputIssue | undefined {
  const params = error.params as Record<string, unknown>;
  let pointer = error.instancePath;
  let expected: string;
  switch (error.keyword) {
    case 'required':
      pointer = `${pointer}/${String(params['missingProperty'])}`;
      expected = 'a value (required)';
      break;
    case 'type':
      expected = String(params['type']);
      break;
    case 'enum':
      expected = `one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'pattern':
      expected = `a string matching ${String(params['pattern'])}`;
      break;
    case 'minLength':
      expected = `a string of at least ${String(params['limit'])} character(s)`;
      break;
    case 'maxLength':
      expected = `a string of at most ${String(params['limit'])} characters`;
      break;
    case 'maxItems': {
      const limit = Number(params['limit']);
      expected = `at most ${limit} ${limit === 1 ? 'item' : 'items'}`;
      break;
    }
    case 'minimum':
    case 'maximum':
      expected = `a number ${String(params['comparison'])} ${String(params['limit'])}`;
      break;
    default:
      expected = error.message ?? error.keyword;
  }
  const found = describeFound(valueAt(root, pointer));
  const where = pointer === '' ? '(root)' : pointer;
  return { pointer, expected, found, message: `${where}: expected ${expected}, found ${found}` };
}

function issuesOf(errors: readonly ErrorObject[] | null | undefined, root: unknown): InputIssue[] {
  const seen = new Set<string>();
  const issues: InputIssue[] = [];
  for (const error of errors ?? []) {
    const issue = issueOf(error, root);
    if (issue && !seen.has(issue.message)) {
      seen.add(issue.message);
      issues.push(issue);
    }
  }
  return issues.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/** A JSON pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Rejects values too deep or too large to be a profile, before anything else walks them.
 * It visits nodes one at a time and stops at the first limit, so a million-item array
 * costs as much as `maxNodes` items.
 */
function checkShape(value: unknown): InputIssue | undefined {
  let nodes = 0;
  const tooMany = (): InputIssue => ({ pointer: '', expected: `at most ${PROFILE_LIMITS.maxNodes} values`, found: 'more', message: `(root): expected at most ${PROFILE_LIMITS.maxNodes} values, found more` });
  const walk = (node: unknown, depth: number, pointer: string): InputIssue | undefined => {
    nodes += 1;
    if (nodes > PROFILE_LIMITS.maxNodes) return tooMany();
    if (depth > PROFILE_LIMITS.maxDepth) {
      return { pointer, expected: `nesting at most ${PROFILE_LIMITS.maxDepth} deep`, found: 'deeper nesting', message: `${pointer}: expected nesting at most ${PROFILE_LIMITS.maxDepth} deep, found deeper nesting` };
    }
    if (typeof node === 'string' && node.length > PROFILE_LIMITS.maxBytes) {
      // Refused before the schema walks it character by character.
      return { pointer, expected: `a string of at most ${PROFILE_LIMITS.maxBytes} characters`, found: `${node.length} characters`, message: `${pointer}: expected a string of at most ${PROFILE_LIMITS.maxBytes} characters, found ${node.length} characters` };
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const problem = walk(node[i], depth + 1, `${pointer}/${i}`);
        if (problem) return problem;
      }
    } else if (node !== null && typeof node === 'object') {
      for (const key in node) {
        if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
        const problem = walk((node as Record<string, unknown>)[key], depth + 1, `${pointer}/${pointerSegment(key)}`);
        if (problem) return problem;
      }
    }
    return undefined;
  };
  return walk(value, 0, '');
}

/**
 * Names that must be unique within a list, beyond what JSON Schema can say: two services with one
 * name or one image would share a kustomize base or a promotion file, two environments with one
 * name one overlay. Each later duplicate is an issue at its own pointer.
 */
function uniquenessIssues(profile: Profile): InputIssue[] {
  const issues: InputIssue[] = [];
  const unique = (list: readonly unknown[] | undefined, listPointer: string, field: string, keyOf: (item: Record<string, unknown>) => unknown, what: string): void => {
    const seen = new Map<unknown, number>();
    (list ?? []).forEach((item, i) => {
      const key = keyOf(item as Record<string, unknown>);
      if (key === undefined) return;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, i);
        return;
      }
      const pointer = `${listPointer}/${i}/${field}`;
      const expected = `${what} not used by ${listPointer}/${first}`;
      const found = describeFound(key);
      issues.push({ pointer, expected, found, message: `${pointer}: expected ${expected}, found ${found}` });
    });
  };
  const delivery = profile.delivery;
  unique(delivery?.services, '/delivery/services', 'name', (s) => s['name'], 'a service name');
  unique(delivery?.services, '/delivery/services', 'image', (s) => s['image'] ?? s['name'], 'an image');
  unique(delivery?.environments, '/delivery/environments', 'name', (e) => e['name'], 'an environment name');
  return issues;
}

/** Keys that the input schema does not know, as JSON pointers (kept, reported as warnings). */
function unknownKeys(value: unknown, schema: Record<string, unknown>, pointer: string, out: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const props = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [key, child] of Object.entries(value)) {
    const sub = props[key];
    if (sub === undefined) out.push(`${pointer}/${pointerSegment(key)}`);
    else if (sub['type'] === 'object') unknownKeys(child, sub, `${pointer}/${pointerSegment(key)}`, out);
  }
}

export interface ValidatedProfile {
  profile: Profile;
  /** One line per key outside the schema. */
  warnings: string[];
}

/** Validates a parsed JSON value as a profile; throws ProfileInputError with every problem. */
export function validateProfile(value: unknown): ValidatedProfile {
  const shapeIssue = checkShape(value);
  if (shapeIssue) throw new ProfileInputError([shapeIssue]);
  const validate = validators().input;
  if (!validate(value)) throw new ProfileInputError(issuesOf(validate.errors, value));
  const clashes = uniquenessIssues(value as Profile);
  if (clashes.length > 0) throw new ProfileInputError(clashes);
  const unknown: string[] = [];
  unknownKeys(value, inputSchema, '', unknown);
  return {
    profile: value as Profile,
    warnings: unknown.sort().map((p) => `${p}: unknown key kept but not used (not in the input schema)`),
  };
}

/** Parses profile text (JSON); a syntax error becomes a ProfileInputError at the root. */
export function parseProfileText(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > PROFILE_LIMITS.maxBytes) {
    throw new ProfileInputError([
      { pointer: '', expected: `at most ${PROFILE_LIMITS.maxBytes} bytes`, found: `${Buffer.byteLength(text, 'utf8')} bytes`, message: `(root): expected a profile of at most ${PROFILE_LIMITS.maxBytes} bytes, found ${Buffer.byteLength(text, 'utf8')} bytes` },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : 'unparseable';
    throw new ProfileInputError([{ pointer: '', expected: 'a JSON document', found: `invalid JSON (${detail})`, message: `(root): expected a JSON document, found invalid JSON (${detail})` }]);
  }
}

/** A compiled validator (ajv's shape). */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Issues of `value` against a validator, with pointers under `prefix` (e.g. `/tenant_quota`) into `root`. */
export function validatorIssues(validate: CompiledValidator, value: unknown, prefix: string, root: unknown): InputIssue[] {
  if (validate(value)) return [];
  return issuesOf((validate.errors ?? []).map((error) => ({ ...error, instancePath: `${prefix}${error.instancePath}` })), root);
}

/** Validates an engine output against the published output schema. */
export function outputIssues(value: unknown): InputIssue[] {
  const validate = validators().output;
  return validate(value) ? [] : issuesOf(validate.errors, value);
}

export function assertValidOutput(value: unknown): void {
  const issues = outputIssues(value);
  if (issues.length > 0) throw new OutputSchemaError(issues);
}

export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(Object.keys((inputSchema as { properties: object }).properties));
