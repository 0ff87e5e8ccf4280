import { matchKeywords, type CiVendor, type ModeContext, type NormalizedProfile } from '@ringmaster/core';

/** Goal words, grouped by the part of Mode 3 they ask for. */
export const WORDS = {
  identity: ['oidc', 'secret*', 'identit*', 'credential*', 'iam', 'federat*', 'keyless', 'vault', 'kms', 'static key*'],
  signing: ['sign', 'signing', 'signed', 'signature*', 'cosign', 'sigstore', 'provenance', 'attest*', 'slsa', 'sbom*', 'supply chain', 'integrity', 'tamper*'],
  runner: ['runner*', 'build agent*', 'agent pool*', 'self hosted', 'selfhosted'],
  cache: ['cache*', 'caching', 'poison*'],
  evidence: ['audit*', 'auditor*', 'complian*', 'evidence*', 'soc', 'soc1', 'soc2', 'hipaa', 'iso', 'iso27*', 'pci*', 'gdpr', 'retention', 'attestation report*'],
  pipeline: ['pipeline*', 'cicd', 'devsecops'],
  security: ['security', 'secops', 'harden*', 'zero trust'],
  /** Section 10: signing tooling (cosign/Syft) is not available, so checksum verification at L1. */
  noSigning: ['no cosign', 'no signing', 'no sigstore', 'no syft', 'without cosign', 'without sign*', 'without sigstore', 'without syft', 'unsigned', 'checksum*'],
} as const;

const said = (ctx: ModeContext, words: readonly string[]): boolean => matchKeywords(ctx.intent, words).length > 0;

export const identityIntent = (ctx: ModeContext): boolean => said(ctx, WORDS.identity);
export const signingIntent = (ctx: ModeContext): boolean => said(ctx, WORDS.signing);
export const pipelineIntent = (ctx: ModeContext): boolean => said(ctx, WORDS.pipeline);
export const securityIntent = (ctx: ModeContext): boolean => said(ctx, WORDS.security);

/** Runners are the subject: the goal names them or runner compromise is a stated pain. */
export const runnerFocus = (ctx: ModeContext): boolean => ctx.profile.current_pain.includes('runner_risk') || said(ctx, WORDS.runner);

/** Caches are the subject (cache poisoning defence). */
export const cacheFocus = (ctx: ModeContext): boolean => said(ctx, WORDS.cache);

/** Audit evidence is wanted: the goal says so, compliance targets are set, evidence is required, or audits found gaps. */
export const evidenceFocus = (ctx: ModeContext): boolean =>
  said(ctx, WORDS.evidence) ||
  ctx.profile.compliance.targets.length > 0 ||
  ctx.profile.compliance.audit_evidence_required === true ||
  ctx.profile.current_pain.includes('audit_findings');

/** Section 10 fallback: the goal says signing tooling is unavailable. */
export const signingUnavailable = (ctx: ModeContext): boolean => said(ctx, WORDS.noSigning);

/**
 * The identity and signing core (trust policy, CI OIDC job, signing script) is wanted unless
 * the goal is only about runners, caches or evidence.
 */
export const coreWanted = (ctx: ModeContext): boolean =>
  identityIntent(ctx) || signingIntent(ctx) || pipelineIntent(ctx) || securityIntent(ctx) || !(runnerFocus(ctx) || cacheFocus(ctx) || evidenceFocus(ctx));

/** The CI vendor artifacts are written for: unknown and other fall back to GitHub Actions (said in a warning). */
export type CiTarget = 'github_actions' | 'gitlab_ci' | 'azure_devops';
export function ciTarget(p: NormalizedProfile): CiTarget {
  const v: CiVendor = p.ci_vendor;
  return v === 'gitlab_ci' || v === 'azure_devops' ? v : 'github_actions';
}

/** Kubernetes admission control applies on Kubernetes, and on an unknown orchestrator (section 4: assume K8s/containers). */
export const kubernetesLike = (p: NormalizedProfile): boolean => p.infra.orchestrator === 'kubernetes' || p.infra.orchestrator === 'unknown';

/** Strictest retention of the compliance targets, in days. */
export function retentionDays(p: NormalizedProfile): number {
  return p.compliance.targets.includes('HIPAA') ? 2190 : 365;
}
