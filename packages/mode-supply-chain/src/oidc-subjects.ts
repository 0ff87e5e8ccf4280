/**
 * Issuer and subject formats of the CI vendors' OIDC tokens, as KB_05 states them.
 * Kept in one place so that a vendor's format change is one edit here.
 */

/**
 * The `sub` a GitHub Actions job presents, in both forms (KB_05#GitHub_Actions_OIDC):
 * name-only `repo:OWNER/REPO:<context>`, and, for repositories created, renamed or
 * transferred since mid-2026 or opted in, `repo:OWNER@ID/REPO@ID:<context>`.
 * The ids are exact: a wildcard id would give up what the immutable form protects. They come from
 * the plan's delivery model (`delivery.oidc`): the profile's, or example values listed as placeholders.
 */
export function githubSubjects(repoPath: string, context: string, ids: { owner: string; repo: string }): [nameOnly: string, immutable: string] {
  const [owner, repo] = repoPath.split('/');
  return [`repo:${repoPath}:${context}`, `repo:${owner}@${ids.owner}/${repo}@${ids.repo}:${context}`];
}

/**
 * Azure DevOps workload identity federation with the Microsoft Entra issuer
 * (KB_05#Azure_DevOps_OIDC): issuer `https://login.microsoftonline.com/<tenant>/v2.0`,
 * subject `<prefix>/sc/<organization id>/<service connection id>`. The older Azure
 * DevOps issuer (`vstoken.dev.azure.com`, subject `sc://...`) retires on 1 July 2027.
 */
export function azureDevOpsEntraClaims(ids: { tenantId: string; subjectPrefix: string; organizationId: string; serviceConnectionId: string }): { issuer: string; issuerHost: string; subject: string } {
  const host = `login.microsoftonline.com/${ids.tenantId}/v2.0`;
  return { issuer: `https://${host}`, issuerHost: host, subject: `${ids.subjectPrefix}/sc/${ids.organizationId}/${ids.serviceConnectionId}` };
}
