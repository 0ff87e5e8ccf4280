import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { AuditInputError } from './errors.js';
import { buildPipeline, get, SourceFile, type CiKind, type Pipeline } from './model.js';
import type { ParseError } from './types.js';

const YAML_FILE = /\.ya?ml$/;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'vendor']);

function posix(path: string): string {
  return path.split(sep).join('/');
}

function listYaml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && YAML_FILE.test(d.name))
    .map((d) => join(dir, d.name))
    .sort();
}

function walk(dir: string, out: string[]): void {
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (d.isDirectory()) {
      if (!SKIP_DIRS.has(d.name)) walk(join(dir, d.name), out);
    } else if (d.isFile() && YAML_FILE.test(d.name)) out.push(join(dir, d.name));
  }
}

/** What kind of CI file a YAML file is, from its content; undefined when it is none. */
export function classify(name: string, text: string): CiKind | undefined {
  if (/(?:^|\/)\.gitlab-ci\.ya?ml$/.test(name)) return 'gitlab-ci';
  const file = new SourceFile(name, text, 'github-workflow');
  const root = file.doc.contents;
  if (!isMap(root)) return undefined;
  if (get(root, 'jobs') && get(root, 'on')) return 'github-workflow';
  if (get(root, 'runs') && get(root, 'name')) return 'github-action';
  return undefined;
}

/**
 * The CI files of a repository: `.github/workflows/*.yml`, composite actions under
 * `.github/actions/` and those that steps reference locally (`uses: ./path`), and
 * `.gitlab-ci.yml`. A folder with none of these is searched for YAML files that are
 * GitHub workflows, actions or GitLab pipelines by content (e.g. a folder of generated workflows)
 * when there is no `.github/workflows` folder.
 */
export function discover(root: string): { path: string; kind: CiKind }[] {
  if (!existsSync(root)) throw new AuditInputError(`path not found: ${root}`);
  if (!statSync(root).isDirectory()) throw new AuditInputError(`not a directory: ${root}`);
  const found = new Map<string, CiKind>();
  for (const f of listYaml(join(root, '.github', 'workflows'))) found.set(f, 'github-workflow');
  const actionsDir = join(root, '.github', 'actions');
  if (existsSync(actionsDir)) {
    const files: string[] = [];
    walk(actionsDir, files);
    for (const f of files) if (/(?:^|[\\/])action\.ya?ml$/.test(f)) found.set(f, 'github-action');
  }
  for (const name of ['action.yml', 'action.yaml']) if (existsSync(join(root, name))) found.set(join(root, name), 'github-action');
  for (const name of ['.gitlab-ci.yml', '.gitlab-ci.yaml']) if (existsSync(join(root, name))) found.set(join(root, name), 'gitlab-ci');
  if (!existsSync(join(root, '.github', 'workflows'))) {
    const files: string[] = [];
    walk(root, files);
    for (const f of files) {
      if (found.has(f)) continue;
      const kind = classify(posix(relative(root, f)), readFileSync(f, 'utf8'));
      if (kind) found.set(f, kind);
    }
  }
  return [...found].map(([path, kind]) => ({ path, kind })).sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** GitHub's own parser: schema errors (unknown keys, bad expressions) and semantic ones (unknown needs, bad cron). */
export async function workflowSyntaxErrors(file: SourceFile): Promise<ParseError[]> {
  const result = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
  if (result.value) await convertWorkflowTemplate(result.context, result.value);
  return result.context.errors.getErrors().map((e) => ({
    file: file.path,
    line: e.range?.start.line ?? 1,
    column: e.range?.start.column ?? 1,
    message: e.rawMessage,
  }));
}

/** How many files one GitLab pipeline may include, nested includes counted: GitLab's own limit. */
export const MAX_INCLUDES = 150;

const NOT_FOLLOWED = ['remote', 'project', 'template', 'component'] as const;

interface IncludeEntry {
  node: Node;
  /** `local`, or the kind of include that is not followed. */
  kind: 'local' | (typeof NOT_FOLLOWED)[number] | 'unknown';
  target: string;
}

/** The entries of a GitLab file's `include:`: a string, a list of strings and maps, or one map. */
function includeEntries(file: SourceFile): IncludeEntry[] {
  const include = get(file.doc.contents, 'include');
  if (!include) return [];
  const items = isSeq(include) ? (include.items as Node[]) : [include];
  const out: IncludeEntry[] = [];
  for (const item of items) {
    if (isScalar(item)) {
      if (typeof item.value !== 'string') continue;
      out.push({ node: item, kind: /^https?:\/\//i.test(item.value) ? 'remote' : 'local', target: item.value });
      continue;
    }
    if (!isMap(item)) continue;
    const local = get(item, 'local');
    if (local) {
      if (isScalar(local) && typeof local.value === 'string') out.push({ node: local, kind: 'local', target: local.value });
      continue;
    }
    const kind = NOT_FOLLOWED.find((k) => get(item, k));
    const value = kind ? get(item, kind) : null;
    let target = isScalar(value) ? String(value.value) : '';
    if (kind === 'project') {
      const files = get(item, 'file');
      const names = isSeq(files) ? files.items.filter(isScalar).map((f) => String(f.value)) : isScalar(files) ? [String(files.value)] : [];
      if (names.length > 0) target += ` (${names.join(', ')})`;
    }
    out.push({ node: item, kind: kind ?? 'unknown', target });
  }
  return out;
}

/** GitLab's local include wildcards: `*` within a folder, `**` across folders. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** The files a local include names, relative to the repository root, existing or not. */
function localTargets(root: string, target: string): string[] {
  const rel = target.replace(/^\/+/, '');
  if (!rel.includes('*')) return [rel];
  const all: string[] = [];
  walk(root, all);
  const re = globToRegExp(rel);
  return all.map((f) => posix(relative(root, f))).filter((f) => re.test(f));
}

/**
 * Follows a GitLab file's `include: local` entries, nested ones too, paths relative to the
 * repository root; each file once (so cycles end) and at most MAX_INCLUDES files.
 * Remote, project, template and component includes are named in a note, not fetched.
 */
export function resolveIncludes(root: string, main: SourceFile): { files: SourceFile[]; parseErrors: ParseError[]; notes: string[] } {
  const files: SourceFile[] = [];
  const parseErrors: ParseError[] = [];
  const notes: string[] = [];
  const seen = new Set<string>([main.path]);
  let capped = false;
  const follow = (from: SourceFile): void => {
    for (const entry of includeEntries(from)) {
      const at = from.loc(entry.node);
      const where = `${from.path}:${at.line}`;
      if (entry.kind !== 'local') {
        const what = entry.kind === 'unknown' ? 'an include' : `${entry.kind} include ${entry.target}`;
        notes.push(`${where}: ${what} was not followed; jobs it defines are not audited.`);
        continue;
      }
      const targets = localTargets(root, entry.target);
      if (targets.length === 0) notes.push(`${where}: local include ${entry.target} matches no file.`);
      for (const rel of targets) {
        const path = join(root, rel);
        const back = relative(root, path);
        if (back.startsWith('..') || isAbsolute(back)) {
          notes.push(`${where}: local include ${entry.target} is outside the repository and was not followed.`);
          continue;
        }
        const name = posix(back);
        if (seen.has(name)) continue;
        if (!existsSync(path) || !statSync(path).isFile()) {
          parseErrors.push({ file: from.path, line: at.line, column: at.column, message: `included file ${entry.target} does not exist` });
          continue;
        }
        if (files.length >= MAX_INCLUDES) {
          if (!capped) notes.push(`${where}: more than ${MAX_INCLUDES} included files; ${entry.target} and later includes were not followed.`);
          capped = true;
          return;
        }
        seen.add(name);
        const file = new SourceFile(name, readFileSync(path, 'utf8'), 'gitlab-ci');
        if (file.doc.errors.length > 0) {
          parseErrors.push(...yamlErrors(file));
          continue;
        }
        files.push(file);
        follow(file);
        if (capped) return;
      }
    }
  };
  follow(main);
  return { files, parseErrors, notes };
}

function yamlErrors(file: SourceFile): ParseError[] {
  return file.doc.errors.map((e) => {
    const [line, column] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
    return { file: file.path, line, column, message: e.message.split('\n')[0]! };
  });
}

export interface LoadedRepo {
  pipelines: Pipeline[];
  parseErrors: ParseError[];
  /** Includes that were not followed and the like. */
  notes: string[];
}

export async function loadRepo(root: string): Promise<LoadedRepo> {
  const queue = discover(root);
  const seen = new Set(queue.map((q) => q.path));
  const pipelines: Pipeline[] = [];
  const parseErrors: ParseError[] = [];
  const notes: string[] = [];
  while (queue.length > 0) {
    const { path, kind } = queue.shift()!;
    const rel = posix(relative(root, path));
    const file = new SourceFile(rel, readFileSync(path, 'utf8'), kind);
    if (file.doc.errors.length > 0) {
      parseErrors.push(...yamlErrors(file));
      continue;
    }
    if (kind === 'github-workflow') parseErrors.push(...(await workflowSyntaxErrors(file)));
    let includes: SourceFile[] = [];
    if (kind === 'gitlab-ci') {
      const resolved = resolveIncludes(root, file);
      includes = resolved.files;
      parseErrors.push(...resolved.parseErrors);
      notes.push(...resolved.notes);
    }
    const pipeline = buildPipeline(file, includes);
    pipelines.push(pipeline);
    // composite actions that steps reference by path, outside .github/actions
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const uses = step.uses?.value;
        if (!uses?.startsWith('./') || uses.includes('.github/workflows/')) continue;
        for (const name of ['action.yml', 'action.yaml']) {
          const target = join(root, uses.slice(2), name);
          if (existsSync(target) && !seen.has(target)) {
            seen.add(target);
            queue.push({ path: target, kind: 'github-action' });
          }
        }
      }
    }
  }
  return { pipelines, parseErrors, notes };
}
