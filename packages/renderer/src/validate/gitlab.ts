import type { ValidateFunction } from 'ajv';
import schema from './schemas/gitlab-ci.schema.json' with { type: 'json' };
import { ajvMessages, createAjv } from './ajv.js';
import { isRecord, parseYamlStream } from './yaml.js';
import { finding, type Finding } from './types.js';

const V = 'gitlab-ci-schema';
const S = 'gitlab-ci-structure';

/** Top-level keywords of .gitlab-ci.yml; every other key not starting with `.` is a job. */
const KEYWORDS = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'spec', 'pages:deploy']);
const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // Options as gitlab-ci-local uses them for this schema.
  compiled ??= createAjv({ allowUnionTypes: true, validateFormats: false, strictTypes: false, keywords: ['markdownDescription'] }, false).compile(schema);
  return compiled;
}

function names(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => (typeof v === 'string' ? [v] : isRecord(v) && typeof v['job'] === 'string' && !v['pipeline'] && !v['project'] && v['optional'] !== true ? [v['job']] : []));
  return [];
}

/**
 * What the schema cannot see: stages that exist, and `needs`/`dependencies`/`extends` that name real jobs.
 * Not checked where the names resolve in other files: a pipeline that includes files, and a fragment
 * (any `*.gitlab-ci.yml` but the root `.gitlab-ci.yml`), whose stages and jobs come from the pipeline
 * including it (the engine links every fragment of a plan into its `.gitlab-ci.yml`).
 */
function structure(doc: Record<string, unknown>, fragment: boolean): Finding[] {
  const out: Finding[] = [];
  const included = doc['include'] !== undefined || fragment;
  const stages = Array.isArray(doc['stages']) ? ['.pre', ...doc['stages'].flat().map(String), '.post'] : DEFAULT_STAGES;
  const entries = Object.entries(doc).filter(([k, v]) => !KEYWORDS.has(k) && isRecord(v));
  const jobs = new Set(entries.filter(([k]) => !k.startsWith('.')).map(([k]) => k));
  const all = new Set(entries.map(([k]) => k));
  for (const [name, job] of entries) {
    if (!isRecord(job)) continue;
    const stage = job['stage'];
    if (typeof stage === 'string' && !stages.includes(stage) && !included && !name.startsWith('.')) {
      out.push(finding(S, `job "${name}" uses stage "${stage}", which is not in \`stages\` (${stages.join(', ')})`, `/${name}/stage`));
    }
    if (included) continue;
    for (const need of names(job['needs'])) if (!jobs.has(need)) out.push(finding(S, `job "${name}" needs unknown job "${need}"`, `/${name}/needs`));
    for (const dep of names(job['dependencies'])) if (!jobs.has(dep)) out.push(finding(S, `job "${name}" depends on unknown job "${dep}"`, `/${name}/dependencies`));
    for (const base of names(job['extends'])) if (!all.has(base)) out.push(finding(S, `job "${name}" extends unknown job or template "${base}"`, `/${name}/extends`));
  }
  return out;
}

export function validateGitlabCi(content: string, name = '.gitlab-ci.yml'): Finding[] {
  const { docs, findings } = parseYamlStream(content, V);
  if (findings.some((f) => f.severity === 'error')) return findings;
  // A CI file may start with a `spec:` header document (CI/CD inputs); the last document is the configuration.
  const doc = docs[docs.length - 1];
  if (!isRecord(doc)) return [...findings, finding(V, 'a GitLab CI configuration must be a mapping')];
  const validate = validator();
  if (!validate(doc)) for (const e of ajvMessages(validate.errors)) findings.push(finding(V, `${e.at} ${e.message}`, e.at));
  findings.push(...structure(doc, name !== '.gitlab-ci.yml'));
  return findings;
}
