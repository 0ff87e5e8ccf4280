/**
 * OpenVEX v0.2.0 as a JSON Schema (draft-07), written for Ringmaster from the OpenVEX
 * specification v0.2.0 (https://github.com/openvex/spec, OPENVEX-SPEC.md, Apache-2.0). No npm
 * package ships the OpenVEX schema, so the document, statement, vulnerability, product and
 * subcomponent rules of the spec are restated here: required fields, the status and
 * justification vocabularies, "not_affected needs a justification or an impact statement",
 * "affected needs an action statement", and no fields outside the spec.
 */
const hashes = {
  type: 'object',
  propertyNames: { enum: ['md5', 'sha1', 'sha-256', 'sha-384', 'sha-512', 'sha3-224', 'sha3-256', 'sha3-384', 'sha3-512', 'blake2s-256', 'blake2b-256', 'blake2b-512'] },
  additionalProperties: { type: 'string' },
} as const;

const identifiers = {
  type: 'object',
  propertyNames: { enum: ['purl', 'cpe22', 'cpe23'] },
  additionalProperties: { type: 'string' },
} as const;

const subcomponent = {
  type: 'object',
  properties: { '@id': { type: 'string', minLength: 1 }, identifiers, hashes },
  anyOf: [{ required: ['@id'] }, { required: ['identifiers'] }, { required: ['hashes'] }],
  additionalProperties: false,
} as const;

const product = {
  type: 'object',
  properties: { ...subcomponent.properties, subcomponents: { type: 'array', items: subcomponent } },
  anyOf: subcomponent.anyOf,
  additionalProperties: false,
} as const;

const dateTime = { type: 'string', format: 'date-time' } as const;

const statement = {
  type: 'object',
  required: ['vulnerability', 'status'],
  properties: {
    '@id': { type: 'string' },
    version: { type: 'integer', minimum: 1 },
    vulnerability: {
      type: 'object',
      required: ['name'],
      properties: {
        '@id': { type: 'string' },
        name: { type: 'string', minLength: 1 },
        description: { type: 'string' },
        aliases: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
    timestamp: dateTime,
    last_updated: dateTime,
    products: { type: 'array', minItems: 1, items: product },
    status: { enum: ['not_affected', 'affected', 'fixed', 'under_investigation'] },
    supplier: { type: 'string' },
    status_notes: { type: 'string' },
    justification: {
      enum: ['component_not_present', 'vulnerable_code_not_present', 'vulnerable_code_not_in_execute_path', 'vulnerable_code_cannot_be_controlled_by_adversary', 'inline_mitigations_already_exist'],
    },
    impact_statement: { type: 'string' },
    action_statement: { type: 'string' },
    action_statement_timestamp: dateTime,
  },
  additionalProperties: false,
  allOf: [
    { if: { properties: { status: { const: 'not_affected' } } }, then: { anyOf: [{ required: ['justification'] }, { required: ['impact_statement'] }] } },
    { if: { properties: { status: { const: 'affected' } } }, then: { required: ['action_statement'] } },
  ],
} as const;

export const OPENVEX_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://ringmaster.invalid/schemas/openvex-0.2.0.json',
  title: 'OpenVEX v0.2.0 document',
  type: 'object',
  required: ['@context', '@id', 'author', 'timestamp', 'version', 'statements'],
  properties: {
    '@context': { type: 'string', pattern: '^https://openvex\\.dev/ns/v0\\.2\\.0$' },
    '@id': { type: 'string', minLength: 1 },
    author: { type: 'string', minLength: 1 },
    role: { type: 'string' },
    timestamp: dateTime,
    last_updated: dateTime,
    version: { type: 'integer', minimum: 1 },
    tooling: { type: 'string' },
    statements: { type: 'array', minItems: 1, items: statement },
  },
  additionalProperties: false,
} as const;
