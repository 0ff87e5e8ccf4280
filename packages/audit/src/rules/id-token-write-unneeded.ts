import { jobHits } from '../analysis.js';
import { usesAction, withValue, type Job } from '../model.js';
import { createRule } from '../rule.js';

const OIDC_COMMANDS = /\bcosign\s+(?:sign|attest)\b|--provenance\b|ACTIONS_ID_TOKEN_REQUEST|\bgh\s+attestation\b|\b(?:npm|pnpm|yarn)\s+(?:npm\s+)?publish\b|\btwine\s+upload\b|\buv\s+publish\b|\bpoetry\s+publish\b/;

/** A job that exchanges the OIDC token: cloud federation, keyless signing, attestations, trusted publishing. */
export function needsIdToken(job: Job): boolean {
  if (job.uses) return true;
  // trusted publishing: npm (11.5+), PyPI (twine, uv), crates.io and RubyGems exchange the OIDC token for a short-lived upload token
  if (jobHits(job, OIDC_COMMANDS).length > 0) return true;
  return job.steps.some(
    (s) =>
      (usesAction(s, 'aws-actions/configure-aws-credentials') && !!withValue(s, 'role-to-assume')) ||
      (usesAction(s, 'google-github-actions/auth') && !!withValue(s, 'workload_identity_provider')) ||
      (usesAction(s, 'azure/login') && !withValue(s, 'creds')) ||
      usesAction(s, 'actions/attest-build-provenance', 'actions/attest', 'actions/attest-sbom', 'pypa/gh-action-pypi-publish', 'sigstore/gh-action-sigstore-python', 'hashicorp/vault-action', 'octo-sts/action', 'actions/deploy-pages', 'rust-lang/crates-io-auth-action', 'rubygems/release-gem', 'rubygems/configure-rubygems-credentials', 'nuget/login', 'js-devtools/npm-publish') ||
      (!!s.uses && s.uses.value.startsWith('./')),
  );
}

export const idTokenWriteUnneeded = createRule({
  meta: {
    id: 'id-token-write-unneeded',
    category: 'excessive-permissions',
    severity: 'medium',
    description: 'id-token: write is granted to a job that never exchanges the OIDC token (no cloud federation, keyless signing, attestation or trusted publishing), or to the whole workflow so that jobs which do not need it can mint tokens.',
    fix: 'Grant id-token: write only in the permissions of the job that federates, signs or attests; keep the workflow default at contents: read.',
    kb: ['KB_05#GitHub_Actions_OIDC', 'KB_17#Hardening'],
    risk: 'static-secret-leak',
  },
  appliesTo: ['github-workflow'],
  check({ pipeline, report }) {
    const idToken = (job: { permissions?: Job['permissions'] }) => job.permissions?.scopes.find((s) => s.key === 'id-token' && s.value?.value === 'write');
    for (const job of pipeline.jobs) {
      const scope = idToken(job);
      if (scope && !needsIdToken(job)) report(scope.keyNode, `job ${job.id} has id-token: write but never uses the OIDC token.`);
    }
    const top = idToken(pipeline);
    if (top) {
      const idle = pipeline.jobs.filter((j) => !j.permissions && !needsIdToken(j));
      if (idle.length > 0) report(top.keyNode, `workflow-level id-token: write reaches job(s) ${idle.map((j) => j.id).join(', ')}, which never use the OIDC token.`);
    }
  },
});
