import { createHash } from 'node:crypto';
import type { ArtifactSpec, PlannedFile, RenderedArtifact } from '@ringmaster/core';
import type { JsonSchemaId } from './json.js';
import type { MigrationPhase } from './sql.js';
import type { ArtifactIssue, Finding, ValidateOptions } from './types.js';

export type { ArtifactIssue, SqlExecutor, ValidateOptions } from './types.js';

/** Which check a file gets. */
export type FileKind =
  | { kind: 'kubernetes' | 'github-workflow' | 'gitlab-ci' | 'azure-pipelines' | 'yaml' | 'shell' }
  | { kind: 'rego'; test: boolean }
  | { kind: 'sql'; phase?: MigrationPhase }
  | { kind: 'json'; schema: JsonSchemaId }
  | { kind: 'markdown'; checklist: boolean }
  | { kind: 'none' };

const cache = new Map<string, Promise<Finding[]>>();

/** Runs one validator. Each validator module is imported on first use, so importing the renderer stays cheap. */
async function check(kind: FileKind, content: string, name: string): Promise<Finding[]> {
  switch (kind.kind) {
    case 'kubernetes':
      return (await import('./kubernetes.js')).validateKubernetes(content);
    case 'github-workflow':
      return (await import('./github.js')).validateGithubWorkflow(content, name);
    case 'gitlab-ci':
      return (await import('./gitlab.js')).validateGitlabCi(content, name);
    case 'azure-pipelines':
      return (await import('./azure.js')).validateAzurePipelines(content);
    case 'yaml':
      return (await import('./yaml.js')).parseYamlStream(content).findings;
    case 'shell':
      return (await import('./shell.js')).validateShell(content);
    case 'rego':
      return (await import('./rego.js')).validateRego(content, { test: kind.test });
    case 'sql':
      return (await import('./sql.js')).validateSqlStructure(content, kind.phase);
    case 'json':
      return (await import('./json.js')).validateJson(content, kind.schema);
    case 'markdown':
      return (await import('./markdown.js')).validateMarkdown(content, { checklist: kind.checklist });
    case 'none':
      return [];
  }
}

/** Validation is a pure function of kind and content: identical files are checked once per process. */
function cached(kind: FileKind, content: string, name: string): Promise<Finding[]> {
  const key = createHash('sha256').update(JSON.stringify(kind)).update('\0').update(name).update('\0').update(content).digest('hex');
  let result = cache.get(key);
  if (!result) {
    result = check(kind, content, name);
    cache.set(key, result);
    result.catch(() => cache.delete(key));
  }
  return result;
}

function phaseOf(spec: ArtifactSpec): MigrationPhase | undefined {
  if (spec.body.format === 'sql' && spec.body.phase) return spec.body.phase;
  const m = /(expand|migrate|contract)/i.exec(`${spec.name} ${spec.path}`);
  return m ? (m[1]?.toLowerCase() as MigrationPhase) : undefined;
}

/** The check an artifact's body asks for. */
export function kindOfSpec(spec: ArtifactSpec): FileKind {
  const body = spec.body;
  switch (body.format) {
    case 'yaml':
      return { kind: body.schema === 'plain' ? 'yaml' : body.schema };
    case 'json':
      return { kind: 'json', schema: body.schema };
    case 'shell':
      return { kind: 'shell' };
    case 'rego':
      return { kind: 'rego', test: false };
    case 'sql': {
      const phase = phaseOf(spec);
      return phase ? { kind: 'sql', phase } : { kind: 'sql' };
    }
    case 'markdown':
      return { kind: 'markdown', checklist: body.doc.sections.some((s) => (s.checklist?.length ?? 0) > 0) };
    case 'checklist':
      return { kind: 'markdown', checklist: true };
  }
}

/** The check for a file known only by path and content (the CLI's `validate`, written plans). */
export function kindOfFile(path: string, content: string): FileKind {
  const lower = path.toLowerCase();
  if (lower.endsWith('.rego')) return { kind: 'rego', test: lower.endsWith('_test.rego') };
  if (lower.endsWith('.sh') || lower.endsWith('.bash') || /^#!.*\bbash\b/.test(content)) return { kind: 'shell' };
  if (lower.endsWith('.sql')) {
    const m = /(expand|migrate|contract)/.exec(lower);
    return m ? { kind: 'sql', phase: m[1] as MigrationPhase } : { kind: 'sql' };
  }
  if (lower.endsWith('.md')) return { kind: 'markdown', checklist: /^\s*- \[[ xX]\]/m.test(content) };
  if (lower.endsWith('.json')) {
    if (/"@context"\s*:\s*"https:\/\/openvex\.dev\/ns/.test(content)) return { kind: 'json', schema: 'openvex' };
    if (/"bomFormat"\s*:\s*"CycloneDX"/.test(content)) return { kind: 'json', schema: 'cyclonedx' };
    if (/"Version"\s*:/.test(content) && /"Statement"\s*:/.test(content)) return { kind: 'json', schema: 'iam-policy' };
    return { kind: 'json', schema: 'plain' };
  }
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
    if (/(^|\/)\.github\/workflows\//.test(lower)) return { kind: 'github-workflow' };
    if (/(^|\/)\.gitlab-ci(\.ya?ml|\/)/.test(lower) || lower.includes('gitlab')) return { kind: 'gitlab-ci' };
    if (lower.includes('azure-pipelines')) return { kind: 'azure-pipelines' };
    if (/^apiVersion:\s*\S+/m.test(content) && /^kind:\s*\S+/m.test(content)) return { kind: 'kubernetes' };
    if (/^jobs:\s*$/m.test(content) && /^\s+runs-on:/m.test(content)) return { kind: 'github-workflow' };
    return { kind: 'yaml' };
  }
  return { kind: 'none' };
}

function issues(artifact: string, path: string, findings: readonly Finding[]): ArtifactIssue[] {
  return findings.map((f) => ({ ...f, artifact, path: f.path ?? path }));
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/**
 * Validates an artifact's rendered content with the real parser or schema of its format.
 * Pass the whole RenderedArtifact to check companions too (a Rego policy's `_test.rego`).
 * With `options.sql`, SQL is also executed (and rolled back) on that database.
 */
export async function validateArtifact(spec: ArtifactSpec, content: string | RenderedArtifact, options: ValidateOptions = {}): Promise<ArtifactIssue[]> {
  const rendered: RenderedArtifact = typeof content === 'string' ? { content } : content;
  const out = issues(spec.name, spec.path, await cached(kindOfSpec(spec), rendered.content, baseName(spec.path)));
  for (const companion of rendered.companions ?? []) {
    out.push(...issues(spec.name, companion.path, await cached(kindOfFile(companion.path, companion.content), companion.content, baseName(companion.path))));
  }
  if (options.sql && spec.body.format === 'sql' && !out.some((i) => i.severity === 'error')) {
    const { executeSql } = await import('./sql.js');
    out.push(...issues(spec.name, spec.path, await executeSql(options.sql, rendered.content)));
  }
  return out;
}

/** Validates files known by path only (e.g. `PlanResult.files`, or a folder `plan --out` wrote). */
export async function validateFiles(files: readonly (Pick<PlannedFile, 'path' | 'content'> & { artifact?: string })[]): Promise<ArtifactIssue[]> {
  const out: ArtifactIssue[] = [];
  for (const file of files) {
    out.push(...issues(file.artifact ?? baseName(file.path), file.path, await cached(kindOfFile(file.path, file.content), file.content, baseName(file.path))));
  }
  return out;
}

export function errorsOnly(list: readonly ArtifactIssue[]): ArtifactIssue[] {
  return list.filter((i) => i.severity === 'error');
}

/** One line per issue: `path (artifact) at: [validator] message`. */
export function formatIssue(issue: ArtifactIssue): string {
  return `${issue.severity.toUpperCase()} ${issue.path}${issue.at ? ` ${issue.at}` : ''} [${issue.validator}] ${issue.message}`;
}
