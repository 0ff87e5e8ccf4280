import { isRecord } from './yaml.js';
import { finding, type Finding } from './types.js';

/**
 * Kyverno's CEL policy kinds (`policies.kyverno.io/v1`, stable since Kyverno 1.17) have no
 * typed model in kubernetes-models, so their structure is checked here: the kind exists, the
 * match block and the kind's own list are present, and each entry carries a CEL expression.
 * Field names follow https://kyverno.io/docs/policy-types/overview (KB_06#Policy_As_Code).
 */
export const KYVERNO_POLICIES_API = 'policies.kyverno.io/v1';

const V = 'kyverno-policy-shape';

type Entries = { list: string; entry: (item: Record<string, unknown>) => string | undefined };

const expression = (value: unknown): boolean => isRecord(value) && typeof value['expression'] === 'string' && value['expression'].trim() !== '';

const VALIDATIONS: Entries = {
  list: 'validations',
  entry: (v) => (typeof v['expression'] === 'string' && v['expression'].trim() !== '' ? undefined : 'needs a CEL `expression`'),
};

const MUTATIONS: Entries = {
  list: 'mutations',
  entry: (m) => {
    if (m['patchType'] === 'ApplyConfiguration') return expression(m['applyConfiguration']) ? undefined : 'needs `applyConfiguration.expression`';
    if (m['patchType'] === 'JSONPatch') return expression(m['jsonPatch']) ? undefined : 'needs `jsonPatch.expression`';
    return '`patchType` must be ApplyConfiguration or JSONPatch';
  },
};

/** What each kind must hold besides `matchConstraints`; the Namespaced* variants share their cluster kind's shape. */
const KINDS: Readonly<Record<string, { entries?: Entries; required?: readonly string[] }>> = {
  ValidatingPolicy: { entries: VALIDATIONS },
  ImageValidatingPolicy: { entries: VALIDATIONS, required: ['attestors'] },
  MutatingPolicy: { entries: MUTATIONS },
  GeneratingPolicy: { required: ['generate'] },
  DeletingPolicy: { required: ['schedule'] },
};

const VALIDATION_ACTIONS = new Set(['Deny', 'Audit', 'Warn']);

export function checkKyvernoPolicy(doc: Record<string, unknown>, kind: string, where: string): Finding[] {
  const shape = KINDS[kind.replace(/^Namespaced/, '')];
  if (!shape) return [finding(V, `${KYVERNO_POLICIES_API} has no kind ${kind} (expected one of ${Object.keys(KINDS).join(', ')} or their Namespaced variants)`, where)];
  const spec = doc['spec'];
  if (!isRecord(spec)) return [finding(V, '`spec` is missing', where)];
  const out: Finding[] = [];
  if (spec['rules'] !== undefined) out.push(finding(V, '`spec.rules` belongs to the deprecated kyverno.io/v1 ClusterPolicy; CEL policies use `matchConstraints` and their own lists', `${where}: /spec/rules`));
  const match = spec['matchConstraints'];
  const resourceRules = isRecord(match) ? match['resourceRules'] : undefined;
  if (kind.endsWith('ImageValidatingPolicy') ? match !== undefined && !Array.isArray(resourceRules) : !Array.isArray(resourceRules) || resourceRules.length === 0) {
    out.push(finding(V, '`spec.matchConstraints.resourceRules` must list the resources the policy applies to', `${where}: /spec/matchConstraints`));
  }
  for (const key of shape.required ?? []) {
    if (spec[key] === undefined || (Array.isArray(spec[key]) && spec[key].length === 0)) out.push(finding(V, `\`spec.${key}\` is required for ${kind}`, `${where}: /spec/${key}`));
  }
  if (shape.entries) {
    const { list, entry } = shape.entries;
    const items = spec[list];
    if (!Array.isArray(items) || items.length === 0) out.push(finding(V, `\`spec.${list}\` must be a non-empty list`, `${where}: /spec/${list}`));
    else
      items.forEach((item, i) => {
        const problem = isRecord(item) ? entry(item) : 'must be a mapping';
        if (problem) out.push(finding(V, `${list} entry ${problem}`, `${where}: /spec/${list}/${i}`));
      });
  }
  const actions = spec['validationActions'];
  if (actions !== undefined && (!Array.isArray(actions) || actions.some((a) => typeof a !== 'string' || !VALIDATION_ACTIONS.has(a)))) {
    out.push(finding(V, '`spec.validationActions` must list Deny, Audit or Warn', `${where}: /spec/validationActions`));
  }
  return out;
}
