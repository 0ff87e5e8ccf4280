import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
import { ajvMessages, createAjv } from './ajv.js';
import { OPENVEX_SCHEMA } from './schemas/openvex.js';
import { isRecord } from './yaml.js';
import { finding, type Finding } from './types.js';

export type JsonSchemaId = 'openvex' | 'cyclonedx' | 'iam-policy' | 'plain';

function parse(content: string): { value?: unknown; findings: Finding[] } {
  try {
    return { value: JSON.parse(content), findings: [] };
  } catch (error) {
    return { findings: [finding('json', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`)] };
  }
}

function run(validate: ValidateFunction, value: unknown, validator: string): Finding[] {
  if (validate(value)) return [];
  return ajvMessages(validate.errors).map((e) => finding(validator, `${e.at} ${e.message}`, e.at));
}

let openvex: ValidateFunction | undefined;
function validateOpenvex(value: unknown): Finding[] {
  openvex ??= createAjv().compile(OPENVEX_SCHEMA);
  return run(openvex, value, 'openvex-schema');
}

let cyclonedx: Ajv | undefined;
const CDX_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'];
/** CycloneDX: the JSON schemas that @cyclonedx/cyclonedx-library ships (res/schema), chosen by specVersion. */
function validateCyclonedx(value: unknown): Finding[] {
  if (!isRecord(value) || value['bomFormat'] !== 'CycloneDX') return [finding('cyclonedx-schema', '`bomFormat` must be "CycloneDX"', '/bomFormat')];
  const version = String(value['specVersion'] ?? '');
  if (!CDX_VERSIONS.includes(version)) return [finding('cyclonedx-schema', `unsupported specVersion "${version}" (supported: ${CDX_VERSIONS.join(', ')})`, '/specVersion')];
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
  } catch {
    return [finding('cyclonedx-schema', '@cyclonedx/cyclonedx-library is not installed; the SBOM was checked as JSON only', undefined, 'warning')];
  }
  if (!cyclonedx) {
    cyclonedx = createAjv({ strictTypes: false, allowUnionTypes: true, validateFormats: true });
    // Formats ajv-formats lacks: accepted as strings, as the CycloneDX library itself does without ajv-formats-draft2019.
    for (const format of ['iri', 'iri-reference', 'idn-email', 'idn-hostname']) cyclonedx.addFormat(format, true);
    for (const file of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json']) {
      try {
        const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { $id: string };
        cyclonedx.addSchema(schema, file.replace('.SNAPSHOT', ''));
      } catch {
        // cryptography-defs only exists for 1.7; the others always ship.
      }
    }
  }
  const id = `http://cyclonedx.org/schema/bom-${version}.schema.json`;
  let validate = cyclonedx.getSchema(id);
  if (!validate) {
    const schema = JSON.parse(readFileSync(join(dir, `bom-${version}.SNAPSHOT.schema.json`), 'utf8').replace(/\.SNAPSHOT\.schema\.json/g, '.schema.json')) as object;
    cyclonedx.addSchema(schema);
    validate = cyclonedx.getSchema(id);
  }
  return validate ? run(validate, value, 'cyclonedx-schema') : [finding('cyclonedx-schema', `CycloneDX ${version} schema did not load`)];
}

function strings(value: unknown): boolean {
  return typeof value === 'string' ? value.length > 0 : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0);
}

/**
 * AWS IAM policy shape (no schema is published): Version 2012-10-17, a Statement array whose
 * entries have Effect Allow|Deny, Action or NotAction, and Resource/NotResource unless the
 * statement is a trust policy's (it has a Principal).
 */
function validateIamPolicy(value: unknown): Finding[] {
  const V = 'iam-policy-shape';
  if (!isRecord(value)) return [finding(V, 'an IAM policy is a JSON object')];
  const out: Finding[] = [];
  if (value['Version'] !== '2012-10-17') out.push(finding(V, '`Version` must be "2012-10-17" (the older 2008-10-17 lacks policy variables)', '/Version'));
  const statements = value['Statement'];
  if (!Array.isArray(statements) || statements.length === 0) {
    out.push(finding(V, '`Statement` must be a non-empty array', '/Statement'));
    return out;
  }
  statements.forEach((s, i) => {
    const at = `/Statement/${i}`;
    if (!isRecord(s)) return void out.push(finding(V, 'a statement is an object', at));
    if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') out.push(finding(V, '`Effect` must be "Allow" or "Deny"', `${at}/Effect`));
    if (strings(s['Action']) === strings(s['NotAction'])) out.push(finding(V, 'exactly one of `Action` or `NotAction` (a string or a list of strings)', at));
    const trust = s['Principal'] !== undefined || s['NotPrincipal'] !== undefined;
    if (!trust && strings(s['Resource']) === strings(s['NotResource'])) out.push(finding(V, 'exactly one of `Resource` or `NotResource`', at));
    const allowed = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
    for (const key of Object.keys(s)) if (!allowed.has(key)) out.push(finding(V, `unknown statement key \`${key}\``, `${at}/${key}`));
    if (s['Effect'] === 'Allow' && (s['Action'] === '*' || (Array.isArray(s['Action']) && s['Action'].includes('*')))) {
      out.push(finding(V, '`Action: "*"` with Allow is not least privilege', `${at}/Action`));
    }
  });
  return out;
}

export function validateJson(content: string, schema: JsonSchemaId): Finding[] {
  const { value, findings } = parse(content);
  if (findings.length > 0) return findings;
  switch (schema) {
    case 'openvex':
      return validateOpenvex(value);
    case 'cyclonedx':
      return validateCyclonedx(value);
    case 'iam-policy':
      return validateIamPolicy(value);
    case 'plain':
      return [];
  }
}
