import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isMap } from 'yaml';
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

export interface LoadedRepo {
  pipelines: Pipeline[];
  parseErrors: ParseError[];
}

export async function loadRepo(root: string): Promise<LoadedRepo> {
  const queue = discover(root);
  const seen = new Set(queue.map((q) => q.path));
  const pipelines: Pipeline[] = [];
  const parseErrors: ParseError[] = [];
  while (queue.length > 0) {
    const { path, kind } = queue.shift()!;
    const rel = posix(relative(root, path));
    const file = new SourceFile(rel, readFileSync(path, 'utf8'), kind);
    if (file.doc.errors.length > 0) {
      for (const e of file.doc.errors) {
        const [line, column] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
        parseErrors.push({ file: rel, line, column, message: e.message.split('\n')[0]! });
      }
      continue;
    }
    if (kind === 'github-workflow') parseErrors.push(...(await workflowSyntaxErrors(file)));
    const pipeline = buildPipeline(file);
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
  return { pipelines, parseErrors };
}
