import { mustReferenceByTag } from '@ringmaster/core';
import { stringify } from 'yaml';
import { isRecord, parseYamlStream } from './yaml.js';
import { finding, type Finding } from './types.js';

const V = 'workflow-parser';
const PIN = 'action-pinning';
const PERMS = 'permissions';

interface ParserModule {
  parseWorkflow(file: { name: string; content: string }, trace: unknown): { context: { errors: { getErrors(): unknown[] } }; value: unknown };
  convertWorkflowTemplate(context: unknown, value: unknown): Promise<{ errors?: unknown[] }>;
  NoOperationTraceWriter: new () => unknown;
}

let parser: Promise<ParserModule> | undefined;

/**
 * @actions/workflow-parser imports JSON without an import attribute, so plain `node` cannot
 * load it; it is imported here, on first use, and never at module load. It works under vitest
 * (server.deps.inline), tsx and in bundles.
 */
function loadParser(): Promise<ParserModule> {
  parser ??= import('@actions/workflow-parser') as unknown as Promise<ParserModule>;
  return parser;
}

function messageOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; Message?: unknown };
    if (typeof e.message === 'string') return e.message;
    if (typeof e.Message === 'string') return e.Message;
  }
  return String(error);
}

const USES_LINE = /^(\s*(?:-\s+)?uses:\s*)(['"]?)([^'"\s#]+)\2\s*(#.*)?$/;
const SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /^#\s*v\d+(\.\d+)*\S*/;

/** Every remote action or reusable workflow is pinned by a full commit SHA with a `# vX` comment. */
export function checkPins(content: string): Finding[] {
  const out: Finding[] = [];
  content.split('\n').forEach((line, i) => {
    const m = USES_LINE.exec(line);
    if (!m) return;
    const ref = m[3] ?? '';
    const at = `line ${i + 1}`;
    if (ref.startsWith('./') || ref.startsWith('docker://') || mustReferenceByTag(ref)) return;
    const [action, version] = ref.split('@');
    if (!version) {
      out.push(finding(PIN, `\`uses: ${ref}\` has no ref; pin it by a full commit SHA (\`${action}@<40-hex sha> # vX.Y.Z\`)`, at));
    } else if (!SHA.test(version)) {
      out.push(finding(PIN, `\`uses: ${ref}\` is pinned to a movable ref "${version}"; pin it by a full 40-hex commit SHA with a \`# ${version}\` comment`, at));
    } else if (!m[4] || !VERSION_COMMENT.test(m[4])) {
      out.push(finding(PIN, `\`uses: ${ref}\` is pinned by SHA but has no \`# vX.Y.Z\` comment saying which release it is`, at));
    }
  });
  return out;
}

const JOB_KEYS = ['runs-on', 'steps', 'uses'];
type Kind = 'workflow' | 'job' | 'jobs';

function shapeOf(doc: Record<string, unknown>): Kind {
  if ('jobs' in doc || 'on' in doc) return 'workflow';
  if (JOB_KEYS.some((k) => k in doc)) return 'job';
  return 'jobs';
}

function checkPermissions(doc: Record<string, unknown>, kind: Kind, where: string): Finding[] {
  const out: Finding[] = [];
  const jobs: Record<string, unknown> = kind === 'workflow' ? (isRecord(doc['jobs']) ? doc['jobs'] : {}) : kind === 'job' ? { job: doc } : doc;
  const top = kind === 'workflow' ? doc['permissions'] : undefined;
  const broad = (value: unknown, at: string): void => {
    if (value === 'write-all') out.push(finding(PERMS, '`permissions: write-all` is not least privilege; grant each scope the job needs', at));
    else if (value === 'read-all') out.push(finding(PERMS, '`permissions: read-all` grants every read scope; list the scopes the job needs', at, 'warning'));
  };
  if (top !== undefined) {
    broad(top, `${where}: /permissions`);
    if (isRecord(top)) {
      const writes = Object.entries(top).filter(([, v]) => v === 'write').map(([k]) => k);
      if (writes.length > 0 && Object.keys(jobs).length > 1) {
        out.push(finding(PERMS, `workflow-level write scopes (${writes.join(', ')}) reach every job; grant writes on the job that needs them`, `${where}: /permissions`, 'warning'));
      }
    }
  }
  for (const [name, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    if (job['permissions'] !== undefined) broad(job['permissions'], `${where}: /jobs/${name}/permissions`);
    else if (top === undefined) {
      out.push(finding(PERMS, `job "${name}" runs with the default GITHUB_TOKEN permissions; set least-privilege \`permissions:\` on the workflow or the job`, `${where}: /jobs/${name}`));
    }
  }
  return out;
}

/** A job or jobs fragment becomes a minimal workflow so that the real parser can check it. */
function asWorkflow(doc: Record<string, unknown>, kind: Kind): Record<string, unknown> {
  if (kind === 'workflow') return doc;
  return { name: 'fragment', on: { workflow_dispatch: {} }, jobs: kind === 'job' ? { job: doc } : doc };
}

export async function validateGithubWorkflow(content: string, name = 'workflow.yml'): Promise<Finding[]> {
  const { docs, findings } = parseYamlStream(content, V);
  if (findings.some((f) => f.severity === 'error')) return findings;
  if (docs.length !== 1) return [...findings, finding(V, `a GitHub Actions file holds exactly one YAML document, found ${docs.length}`)];
  const doc = docs[0];
  if (!isRecord(doc)) return [...findings, finding(V, 'a workflow must be a mapping')];
  const kind = shapeOf(doc);
  const where = kind === 'workflow' ? 'workflow' : `${kind} fragment (checked inside a generated workflow)`;
  const text = kind === 'workflow' ? content : stringify(asWorkflow(doc, kind), { lineWidth: 0 });

  const wp = await loadParser();
  const parsed = wp.parseWorkflow({ name, content: text }, new wp.NoOperationTraceWriter());
  const messages = new Set<string>(parsed.context.errors.getErrors().map(messageOf));
  if (parsed.value !== undefined) {
    // Semantic checks (unknown `needs`, cron syntax, cycles) happen while converting to the workflow model.
    try {
      const template = await wp.convertWorkflowTemplate(parsed.context, parsed.value);
      for (const e of template.errors ?? []) messages.add(messageOf(e));
      for (const e of parsed.context.errors.getErrors()) messages.add(messageOf(e));
    } catch (error) {
      messages.add(`the workflow could not be converted: ${messageOf(error)}`);
    }
  }
  for (const message of messages) findings.push(finding(V, kind === 'workflow' ? message : `${message} [${where}]`));

  findings.push(...checkPins(content));
  findings.push(...checkPermissions(doc, kind, where));
  return findings;
}
