import { isMap, isScalar, isSeq } from 'yaml';
import { BUILTIN, isOff, rowFor, type CompiledKnowledge } from './knowledge.js';
import { get, usesAction, withValue, type Job, type Pipeline, type Step, type Str } from './model.js';
import type { Confidence } from './types.js';

/** One command found in a script: the matched text and its offset in the script's value. */
export interface ScriptHit {
  step: Step;
  run: Str;
  text: string;
  offset: number;
}

/** A pattern's multi-line form (one test over a whole script) and its global form, compiled once per pattern. */
const DERIVED = new WeakMap<RegExp, { whole: RegExp; global: RegExp }>();
function derived(pattern: RegExp): { whole: RegExp; global: RegExp } {
  let d = DERIVED.get(pattern);
  if (!d) {
    const flags = pattern.flags.replace(/[gy]/g, '');
    d = { whole: new RegExp(pattern.source, flags.includes('m') ? flags : `${flags}m`), global: new RegExp(pattern.source, `${flags}g`) };
    DERIVED.set(pattern, d);
  }
  return d;
}

/**
 * Matches a pattern line by line in a step's script, skipping shell comment lines.
 * The script is a string found through the YAML AST, never the raw file.
 */
export function scriptHits(step: Step, pattern: RegExp): ScriptHit[] {
  const run = step.run;
  if (!run) return [];
  const hits: ScriptHit[] = [];
  const { whole, global } = derived(pattern);
  // most scripts hold no match: one test over the whole script before going line by line
  if (!whole.test(run.value)) return hits;
  let offset = 0;
  for (const line of run.value.split('\n')) {
    if (!line.trim().startsWith('#')) {
      for (const m of line.matchAll(global)) {
        hits.push({ step, run, text: m[0], offset: offset + (m.index ?? 0) });
      }
    }
    offset += line.length + 1;
  }
  return hits;
}

export function jobHits(job: Job, pattern: RegExp): ScriptHit[] {
  return job.steps.flatMap((s) => scriptHits(s, pattern));
}

export const CURL_PIPE_SHELL = /\b(?:curl|wget)\b[^|;\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k)?sh\b|\b(?:ba)?sh\s+<\(\s*(?:curl|wget)\b|\b(?:ba)?sh\s+-c\s+"?\$\(\s*(?:curl|wget)\b/;
export const DEPLOY_COMMAND = /\bkubectl\s+(?:[-\w=.]+\s+)*?(?:apply|create|replace|patch|set\s+image|rollout\s+restart)\b|\bhelm\s+(?:[-\w=.]+\s+)*?(?:upgrade|install)\b/;
export const VERIFY_COMMAND = /\bcosign\s+verify(?:-attestation)?\b|\bgh\s+attestation\s+verify\b|\bslsa-verifier\s+verify-\w+|\bnotation\s+verify\b/;
export const BUILD_COMMAND = /\bdocker\s+(?:buildx\s+)?build\b|\b(?:npm|pnpm|yarn)\s+(?:run\s+)?build\b|\bmvn\b[^\n]*\b(?:package|install|verify)\b|\bgo\s+build\b|\bgradlew?\b[^\n]*\b(?:build|assemble)\b|\bcargo\s+build\b/;
/** `cosign attest` counts only with a SLSA provenance predicate (an SBOM attestation is not provenance). */
export const SIGNED_PROVENANCE_COMMAND = /\bcosign\s+attest\b[^\n]*--type[= ](?:slsaprovenance\d*|"?https:\/\/slsa\.dev\/provenance)|\b(?:npm|pnpm)\s+publish\b[^\n]*--provenance\b/;
export const UNSIGNED_PROVENANCE_COMMAND = /--provenance\b|--attest\s+type=provenance/;

const SLSA_GENERATOR = 'slsa-framework/slsa-github-generator/.github/workflows/';

export function isSlsaGeneratorCall(job: Job): boolean {
  return !!job.uses && job.uses.value.toLowerCase().startsWith(SLSA_GENERATOR);
}

/** A step that publishes an artifact: pushes an image, publishes a package, cuts a release. */
export function isPublishStep(step: Step, knowledge: CompiledKnowledge = BUILTIN): boolean {
  if (scriptHits(step, knowledge.publishCommand).length > 0) return true;
  const row = rowFor(knowledge.publishers, step.uses?.value);
  if (!row) return false;
  if (!row.when_input) return true;
  const value = withValue(step, row.when_input)?.value ?? row.when_default;
  if (row.matches) return value !== undefined && row.matches.test(value);
  return !isOff(value);
}

/** A job that publishes: a release job. */
export function isReleaseJob(job: Job, knowledge: CompiledKnowledge = BUILTIN): boolean {
  return isSlsaGeneratorCall(job) || job.steps.some((s) => isPublishStep(s, knowledge));
}

export function releaseJobs(p: Pipeline, knowledge: CompiledKnowledge = BUILTIN): Job[] {
  return p.jobs.filter((j) => isReleaseJob(j, knowledge));
}

const RELEASE_BRANCH = /^(?:release|releases|stable|prod|production)(?:[-/_*].*)?$/i;

/**
 * The trigger that makes a whole GitHub workflow a release workflow, with its node: `release`,
 * `push` of tags, `push` to release branches (`release/**`, `releases/*`, `stable`).
 */
export function releaseTrigger(p: Pipeline): { node: Str['node']; why: string } | undefined {
  const release = p.triggers.get('release');
  if (release) return { node: release, why: 'runs on release' };
  if (!p.triggers.has('push')) return undefined;
  const on = get(p.file.doc.contents, 'on') ?? get(p.file.doc.contents, true as unknown as string);
  const push = get(on, 'push');
  if (!isMap(push)) return undefined;
  const tags = get(push, 'tags');
  if (tags) return { node: p.triggers.get('push')!, why: 'runs on tag pushes' };
  const branches = get(push, 'branches');
  const names = isSeq(branches) ? branches.items : [branches];
  for (const b of names) {
    if (isScalar(b) && typeof b.value === 'string' && RELEASE_BRANCH.test(b.value)) return { node: p.triggers.get('push')!, why: `runs on pushes to ${b.value}` };
  }
  return undefined;
}

/** Steps that generate provenance, and whether it is signed by the build platform's identity. */
export function provenanceOf(step: Step): 'signed' | 'unsigned' | undefined {
  if (usesAction(step, 'actions/attest-build-provenance')) return 'signed';
  if (usesAction(step, 'actions/attest') && /slsa\.dev\/provenance/.test(withValue(step, 'predicate-type')?.value ?? '')) return 'signed';
  if (scriptHits(step, SIGNED_PROVENANCE_COMMAND).length > 0) return 'signed';
  if (usesAction(step, 'docker/build-push-action')) {
    const p = withValue(step, 'provenance')?.value.trim();
    if (p && p !== 'false') return 'unsigned';
  }
  if (scriptHits(step, UNSIGNED_PROVENANCE_COMMAND).length > 0) return 'unsigned';
  if (step.env.some((e) => e.key === 'RUNNER_GENERATE_ARTIFACTS_METADATA' && e.value?.value === 'true')) return 'unsigned';
  return undefined;
}

/** A step that restores a cache into the job (where a poisoned cache gets in): the node that turns it on, and how sure that is. */
export function cacheRestore(step: Step, knowledge: CompiledKnowledge = BUILTIN): { node: Str['node']; confidence: Confidence } | undefined {
  const row = rowFor(knowledge.cacheActions, step.uses?.value);
  if (!row || !step.uses) return undefined;
  let uncertain = false;
  for (const input of row.disabled_by ?? []) {
    const v = withValue(step, input)?.value;
    if (v === undefined || isOff(v)) continue;
    if (!v.includes('${{')) return undefined;
    uncertain = true;
  }
  const confidence: Confidence = uncertain ? 'medium' : 'high';
  if (row.always) return { node: step.uses.node, confidence };
  for (const input of row.enabled_by ?? []) {
    const v = withValue(step, input);
    if (v === undefined) continue;
    if (isOff(v.value)) return undefined;
    return { node: v.node, confidence: v.value.includes('${{') ? 'medium' : confidence };
  }
  return row.default ? { node: step.uses.node, confidence } : undefined;
}

export function gitlabCacheRestores(job: Job): boolean {
  if (!job.cache) return false;
  const text = JSON.stringify(job.cache.toJSON());
  if (text === '[]' || text === '{}' || text === 'null') return false;
  return !/"policy":"push"/.test(text);
}

export function isSelfHosted(job: Job, platform: Pipeline['kind']): Str | undefined {
  if (platform === 'gitlab-ci') return job.runsOn.find((l) => !/^saas-/.test(l.value));
  return job.runsOn.find((l) => l.value.toLowerCase() === 'self-hosted');
}

export function isEphemeralLabelled(job: Job): boolean {
  return job.runsOn.some((l) => /ephemeral/i.test(l.value));
}

/** The expression bodies `${{ ... }}` in a string, with their offsets. */
export function expressionsIn(value: string): { body: string; offset: number }[] {
  const out: { body: string; offset: number }[] = [];
  let at = 0;
  while ((at = value.indexOf('${{', at)) !== -1) {
    const end = value.indexOf('}}', at + 3);
    if (end === -1) break;
    out.push({ body: value.slice(at + 3, end), offset: at });
    at = end + 2;
  }
  return out;
}

/** `github.event['issue']['title']` -> `github.event.issue.title`. */
export function normalizeExpression(body: string): string {
  return body.replace(/\[\s*'([^']*)'\s*\]/g, '.$1').replace(/\[\s*"([^"]*)"\s*\]/g, '.$1').replace(/\s+/g, ' ');
}

/** Secret names a string refers to through `secrets.NAME`. */
export function secretRefs(value: string): string[] {
  const names: string[] = [];
  for (const { body } of expressionsIn(value)) {
    for (const m of normalizeExpression(body).matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_-]*)/g)) names.push(m[1]!);
  }
  return names;
}

/** Every scalar a job's steps and settings hold, to look for secret references. */
export function jobStrings(job: Job): Str[] {
  const out: Str[] = [];
  const add = (s: Str | undefined): void => {
    if (s) out.push(s);
  };
  for (const e of [...job.env, ...job.with, ...job.secretsEntries]) add(e.value);
  for (const step of job.steps) {
    add(step.run);
    for (const e of [...step.with, ...step.env]) add(e.value);
  }
  return out;
}

/** Jobs this job needs, transitively. */
export function ancestors(p: Pipeline, job: Job): Job[] {
  const byId = new Map(p.jobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const stack = [...job.needs];
  const out: Job[] = [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const j = byId.get(id);
    if (j) {
      out.push(j);
      stack.push(...j.needs);
    }
  }
  return out;
}

const PRODUCTION = /\bprod(?:uction)?\b/i;
export function isProductionJob(job: Job): boolean {
  return !!job.environment && PRODUCTION.test(job.environment.value.replace(/[-_]/g, ' '));
}

export function deploySteps(job: Job): ScriptHit[] {
  return jobHits(job, DEPLOY_COMMAND);
}

export function isDeployJob(job: Job): boolean {
  return deploySteps(job).length > 0 || job.steps.some((s) => usesAction(s, 'azure/k8s-deploy'));
}

/** The workflow's and each job's `permissions:` shorthand equal to `value` (`write-all`, `read-all`), with who sets it. */
export function permissionShorthands(p: Pipeline, value: string): { where: string; node: Str['node'] }[] {
  const owners: [string, Job['permissions']][] = [['the workflow', p.permissions], ...p.jobs.map((j): [string, Job['permissions']] => [`job ${j.id}`, j.permissions])];
  return owners.filter(([, perms]) => perms?.shorthand?.value === value).map(([where, perms]) => ({ where, node: perms!.shorthand!.node }));
}
