import { ancestors, cacheRestore, gitlabCacheRestores, isSelfHosted, isSlsaGeneratorCall, provenanceOf, releaseJobs } from './analysis.js';
import type { Job, Pipeline } from './model.js';
import type { SlsaResult } from './types.js';

type Provenance = { kind: 'signed' | 'unsigned'; where: string };

function provenanceIn(p: Pipeline, jobs: readonly Job[]): Provenance[] {
  const out: Provenance[] = [];
  const metadata = (env: Pipeline['env']) => env.some((e) => e.key === 'RUNNER_GENERATE_ARTIFACTS_METADATA' && /^true$/i.test(e.value?.value ?? ''));
  for (const job of jobs) {
    for (const step of job.steps) {
      const kind = provenanceOf(step);
      if (kind) out.push({ kind, where: `job ${job.id}` });
    }
    if (p.kind === 'gitlab-ci' && (metadata(job.env) || metadata(p.env))) out.push({ kind: 'unsigned', where: `job ${job.id} (RUNNER_GENERATE_ARTIFACTS_METADATA)` });
  }
  return out;
}

/**
 * A job that generates provenance out of the build's reach: a call to the SLSA generator, or
 * to a reusable workflow of this repository that signs provenance or calls the generator itself
 * (followed as deep as GitHub nests reusable workflows).
 */
function isolatedProvenance(p: Pipeline, others: ReadonlyMap<string, Pipeline>, depth = 0): string | undefined {
  for (const job of p.jobs) {
    if (isSlsaGeneratorCall(job)) return `job ${job.id} calls ${job.uses!.value.split('@')[0]}`;
    const uses = job.uses?.value;
    if (uses?.startsWith('./') && depth < 4) {
      const callee = others.get(uses.slice(2).split('@')[0]!);
      if (callee && (provenanceIn(callee, callee.jobs).some((x) => x.kind === 'signed') || isolatedProvenance(callee, others, depth + 1))) return `job ${job.id} calls ${uses}`;
    }
  }
  return undefined;
}

/**
 * The SLSA v1.0 Build level a release workflow reaches, and the one requirement of
 * the next level it misses. Undefined when the pipeline publishes nothing.
 */
export function slsaLevel(p: Pipeline, others: ReadonlyMap<string, Pipeline> = new Map()): SlsaResult | undefined {
  const release = releaseJobs(p);
  if (release.length === 0) return undefined;
  const workflow = p.file.path;
  const names = release.map((j) => j.id).join(', ');
  const isolated = isolatedProvenance(p, others);
  const provenance = provenanceIn(p, p.jobs);
  if (!isolated && provenance.length === 0) {
    return { workflow, level: 0, blocking_requirement: `Build L1 (provenance exists): nothing generates provenance for what job(s) ${names} publish; add actions/attest-build-provenance (or the SLSA generator) after the build.` };
  }
  if (!isolated && !provenance.some((x) => x.kind === 'signed')) {
    return { workflow, level: 1, blocking_requirement: `Build L2 (signed provenance from a hosted build platform): the provenance from ${provenance[0]!.where} is not signed; generate it with actions/attest-build-provenance or cosign attest (keyless, OIDC identity of the workflow).` };
  }
  // L3: provenance out of reach of the build steps, ephemeral hosted runners, no shared cache in the build
  const build = [...new Set([...release, ...release.flatMap((j) => ancestors(p, j))])];
  const missing: string[] = [];
  if (!isolated) missing.push(`provenance is signed in the build job itself (${provenance.find((x) => x.kind === 'signed')!.where}), where build steps can forge it; generate it in a reusable workflow such as slsa-framework/slsa-github-generator`);
  if (p.kind === 'gitlab-ci') {
    const tagged = build.filter((j) => isSelfHosted(j, p.kind));
    if (tagged.length > 0) missing.push(`job(s) ${tagged.map((j) => j.id).join(', ')} run on tagged (self-managed) runners, not ephemeral hosted ones`);
    const cached = build.filter(gitlabCacheRestores);
    if (cached.length > 0) missing.push(`job(s) ${cached.map((j) => j.id).join(', ')} restore a shared cache into the build`);
  } else {
    const selfHosted = build.filter((j) => isSelfHosted(j, p.kind));
    if (selfHosted.length > 0) missing.push(`job(s) ${selfHosted.map((j) => j.id).join(', ')} build on self-hosted runners, not ephemeral GitHub-hosted ones`);
    const cached = build.filter((j) => j.steps.some((s) => cacheRestore(s)));
    if (cached.length > 0) missing.push(`job(s) ${cached.map((j) => j.id).join(', ')} restore a shared cache into the build`);
  }
  if (missing.length > 0) return { workflow, level: 2, blocking_requirement: `Build L3 (isolated build, unforgeable provenance): ${missing.join('; ')}.` };
  return { workflow, level: 3, blocking_requirement: null };
}
