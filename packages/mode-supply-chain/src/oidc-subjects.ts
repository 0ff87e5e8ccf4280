/**
 * Issuer and subject formats of the CI vendors' OIDC tokens, as KB_05 states them.
 * Kept in one place so that a vendor's format change is one edit here.
 */

/**
 * Example immutable ids for the GitHub owner and repository (replace them with yours:
 * `gh api repos/OWNER/REPO --jq '.owner.id, .id'`).
 */
export const EXAMPLE_GITHUB_IDS = { owner: '123456', repo: '456789' } as const;

/**
 * The `sub` a GitHub Actions job presents, in both forms (KB_05#GitHub_Actions_OIDC):
 * name-only `repo:OWNER/REPO:<context>`, and, for repositories created, renamed or
 * transferred since mid-2026 or opted in, `repo:OWNER@ID/REPO@ID:<context>`.
 * The ids are exact: a wildcard id would give up what the immutable form protects.
 */
export function githubSubjects(repoPath: string, context: string, ids: { owner: string; repo: string } = EXAMPLE_GITHUB_IDS): [nameOnly: string, immutable: string] {
  const [owner, repo] = repoPath.split('/');
  return [`repo:${repoPath}:${context}`, `repo:${owner}@${ids.owner}/${repo}@${ids.repo}:${context}`];
}

/**
 * Example Entra tenant, subject prefix, Azure DevOps organization id and service connection id.
 * The prefix encodes the tenant and application; Azure DevOps shows the exact subject on the
 * service connection: copy it from there.
 */
export const EXAMPLE_AZURE_DEVOPS = {
  tenantId: '00000000-0000-0000-0000-000000000000',
  subjectPrefix: '/eid1/c/pub/t/example-tenant-key/a/example-app-key',
  organizationId: '11111111-1111-1111-1111-111111111111',
  serviceConnectionId: '22222222-2222-2222-2222-222222222222',
} as const;

/**
 * Azure DevOps workload identity federation with the Microsoft Entra issuer
 * (KB_05#Azure_DevOps_OIDC): issuer `https://login.microsoftonline.com/<tenant>/v2.0`,
 * subject `<prefix>/sc/<organization id>/<service connection id>`. The older Azure
 * DevOps issuer (`vstoken.dev.azure.com`, subject `sc://...`) retires on 1 July 2027.
 */
export function azureDevOpsEntraClaims(ids: { tenantId: string; subjectPrefix: string; organizationId: string; serviceConnectionId: string } = EXAMPLE_AZURE_DEVOPS): { issuer: string; issuerHost: string; subject: string } {
  const host = `login.microsoftonline.com/${ids.tenantId}/v2.0`;
  return { issuer: `https://${host}`, issuerHost: host, subject: `${ids.subjectPrefix}/sc/${ids.organizationId}/${ids.serviceConnectionId}` };
}
