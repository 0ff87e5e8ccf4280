/**
 * Every example value a generated file may carry where the profile did not say: the one list the
 * delivery model fills defaults from and the placeholder check scans files for. A file holding
 * one of these must list it under `placeholders`; a profile that names everything gets none.
 */
export const EXAMPLE = {
  organization: 'example-org',
  awsAccountId: '111122223333',
  gcpProjectId: 'example-project',
  gcpProjectNumber: '123456789012',
  /** Azure subscription and Entra tenant. */
  azureGuid: '00000000-0000-0000-0000-000000000000',
  azureRegistry: 'crmplatform.azurecr.io',
  /** Immutable GitHub owner and repository ids of the OIDC subject (`repo:OWNER@ID/REPO@ID:...`). */
  githubOwnerId: '123456',
  githubRepositoryId: '456789',
  /** Azure DevOps workload identity federation: subject prefix, organization id, service connection id. */
  azureDevOpsSubjectPrefix: '/eid1/c/pub/t/example-tenant-key/a/example-app-key',
  azureDevOpsOrganizationId: '11111111-1111-1111-1111-111111111111',
  azureDevOpsServiceConnectionId: '22222222-2222-2222-2222-222222222222',
  apiHost: 'api.example.com',
  riskAcceptanceLog: 'https://defectdojo.example.com/risk_acceptance',
} as const;

export const EXAMPLE_VALUES: readonly string[] = Object.values(EXAMPLE);

/** Whether `value` occurs in `content` as written or regex-escaped, not as part of a longer name or number. */
export function occursIn(content: string, value: string): boolean {
  // Planning scans every file for every default: the substring test rules most files out cheaply.
  const forms = [...new Set([value, regexEscaped(value)])].filter((form) => content.includes(form));
  return forms.length > 0 && new RegExp(`(?<![A-Za-z0-9])(?:${forms.map(regexEscaped).join('|')})(?![A-Za-z0-9])`).test(content);
}

/** `a.b` -> `a\.b`: how a value appears inside a regular expression in generated files. */
export function regexEscaped(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
