import type { ArtifactSpec } from './artifacts.js';
import type { Contradiction, VendorFacet } from './contradictions.js';
import type { ModeContext } from './mode.js';

/**
 * A file a mode would write for another profile but cannot write coherently for this one
 * (a vendor the profile does not use, or a contradiction it must ask about). Reported in the
 * output's `not_generated` list and in the report, never replaced by another vendor's file.
 */
export interface NotGenerated {
  artifact: string;
  reason: string;
}

/** What `artifacts()` may return for each file: the file, or why it is not generated. */
export type ArtifactOutcome = ArtifactSpec | NotGenerated;

export function notGenerated(artifact: string, reason: string): NotGenerated {
  return { artifact, reason };
}

export function isArtifactSpec(outcome: ArtifactOutcome): outcome is ArtifactSpec {
  return 'body' in outcome;
}

/** The contradiction that puts a vendor choice in doubt, if any. */
export function vendorInDoubt(ctx: ModeContext, facet: VendorFacet): Contradiction | undefined {
  return ctx.contradictions?.find((c) => c.facets.includes(facet));
}

/**
 * Whether Kubernetes files fit the profile: the orchestrator is Kubernetes, or unknown (section 4
 * assumes containers on Kubernetes), and no contradiction puts the orchestrator in doubt.
 */
export function runsKubernetes(ctx: ModeContext): boolean {
  const orchestrator = ctx.profile.infra.orchestrator;
  return (orchestrator === 'kubernetes' || orchestrator === 'unknown') && vendorInDoubt(ctx, 'orchestrator') === undefined;
}

/** The reason a cloud-specific file is not generated because the cloud is in doubt. */
export function inDoubtReason(contradiction: Contradiction): string {
  return `the profile contradicts itself (${contradiction.fields.join(' vs ')}); see decision_log.needs_clarification`;
}
