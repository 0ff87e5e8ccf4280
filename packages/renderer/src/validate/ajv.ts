import { Ajv, type ErrorObject, type Options } from 'ajv';
import * as formatsModule from 'ajv-formats';

type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((formatsModule as unknown as { default?: AddFormats }).default ?? (formatsModule as unknown as AddFormats)) as AddFormats;

export function createAjv(options: Options = {}, formats = true): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  if (formats) addFormats(ajv);
  return ajv;
}

/** ajv errors as short readable lines, most specific first, duplicates dropped. */
export function ajvMessages(errors: readonly ErrorObject[] | null | undefined, limit = 8): { at: string; message: string }[] {
  const seen = new Set<string>();
  const out: { at: string; message: string }[] = [];
  for (const e of errors ?? []) {
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') message = `unknown property "${String((e.params as { additionalProperty?: unknown }).additionalProperty)}"`;
    else if (e.keyword === 'enum') message = `must be one of ${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)}`;
    const at = e.instancePath || '/';
    const key = `${at} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ at, message });
    if (out.length >= limit) break;
  }
  return out;
}
