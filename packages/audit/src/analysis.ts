import { actionName, usesAction, withValue, type Job, type Pipeline, type Step, type Str } from './model.js';

/** One command found in a script: the matched text and its offset in the script's value. */
export interface ScriptHit {
  step: Step;
  run: Str;
  text: string;
  offset: number;
}

/**
 * Matches a pattern line by line in a step's script, skipping shell comment lines.
 * The script is a string found through the YAML AST, never the raw file.
 */
export function scriptHits(step: Step, pattern: RegExp): ScriptHit[] {
  const run = step.run;
  if (!run) return [];
  const hits: ScriptHit[] = [];
  let offset = 0;
  for (const line of run.value.split('\n')) {
    if (!line.trim().startsWith('#')) {
      const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
      for (const m of line.matchAll(new RegExp(pattern.source, flags))) {
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
export const PUBLISH_COMMAND = /\bdocker\s+(?:image\s+)?push\b|\bdocker\s+buildx\s+build\b[^\n]*--push\b|\bpodman\s+push\b|\b(?:npm|pnpm)\s+publish\b|\byarn\s+(?:npm\s+)?publish\b|\bgoreleaser\s+release\b|\bgh\s+release\s+(?:create|upload)\b|\btwine\s+upload\b|\bcargo\s+publish\b|\bmvn\b[^\n]*\bdeploy\b|\bgradlew?\b[^\n]*\bpublish\w*|\bcrane\s+(?:push|copy)\b|\bskopeo\s+copy\b|\bhelm\s+push\b|\boras\s+push\b|\bko\s+(?:build|publish)\b/;
/** `cosign attest` counts only with a SLSA provenance predicate (an SBOM attestation is not provenance). */
export const SIGNED_PROVENANCE_COMMAND = /\bcosign\s+attest\b[^\n]*--type[= ](?:slsaprovenance\d*|"?https:\/\/slsa\.dev\/provenance)|\b(?:npm|pnpm)\s+publish\b[^\n]*--provenance\b/;
export const UNSIGNED_PROVENANCE_COMMAND = /--provenance\b|--attest\s+type=provenance/;

const SLSA_GENERATOR = 'slsa-framework/slsa-github-generator/.github/workflows/';

export function isSlsaGeneratorCall(job: Job): boolean {
  return !!job.uses && job.uses.value.toLowerCase().startsWith(SLSA_GENERATOR);
}

function truthy(s: Str | undefined): boolean {
  return !!s && /^(?:true|\$\{\{.*\}\})$/i.test(s.value.trim());
}

/** A step that publishes an artifact: pushes an image, publishes a package, cuts a release. */
export function isPublishStep(step: Step): boolean {
  if (scriptHits(step, PUBLISH_COMMAND).length > 0) return true;
  if (usesAction(step, 'docker/build-push-action')) return truthy(withValue(step, 'push'));
  if (usesAction(step, 'goreleaser/goreleaser-action')) return /\brelease\b/.test(withValue(step, 'args')?.value ?? 'release');
  return usesAction(step, 'softprops/action-gh-release', 'ncipollo/release-action', 'pypa/gh-action-pypi-publish', 'js-devtools/npm-publish');
}

/** A job that publishes: a release job. */
export function isReleaseJob(job: Job): boolean {
  return isSlsaGeneratorCall(job) || job.steps.some(isPublishStep);
}

export function releaseJobs(p: Pipeline): Job[] {
  return p.jobs.filter(isReleaseJob);
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

/** A step that restores a cache into the job: where a poisoned cache gets in. */
export function cacheRestore(step: Step): Str | undefined {
  if (!step.uses) return undefined;
  const name = actionName(step.uses.value);
  if (name === 'actions/cache' || name === 'actions/cache/restore') return step.uses;
  if (/^actions\/setup-(?:node|python|java|dotnet|ruby)$/.test(name)) {
    const cache = step.with.find((e) => e.key === 'cache' || e.key === 'cache-dependency-path');
    return cache?.value && cache.value.value !== 'false' && cache.value.value !== '' ? cache.value : undefined;
  }
  if (name === 'actions/setup-go') {
    const cache = withValue(step, 'cache');
    return cache?.value === 'false' ? undefined : (cache ?? step.uses);
  }
  if (name === 'docker/build-push-action') return withValue(step, 'cache-from');
  return undefined;
}

export function gitlabCacheRestores(job: Job): boolean {
  if (!job.cache) return false;
  const text = JSON.stringify(job.cache.toJSON());
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
