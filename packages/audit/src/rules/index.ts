import type { AuditRule } from '../rule.js';
import { cacheInReleaseJob } from './cache-in-release-job.js';
import { curlPipeShell } from './curl-pipe-shell.js';
import { deployByTag } from './deploy-by-tag.js';
import { deployWithoutVerify } from './deploy-without-verify.js';
import { hardcodedPassword } from './hardcoded-password.js';
import { idTokenWriteUnneeded } from './id-token-write-unneeded.js';
import { jobTokenMisuse } from './job-token-misuse.js';
import { manualDeploy } from './manual-deploy.js';
import { missingPermissions } from './missing-permissions.js';
import { nonEphemeralReleaseRunner } from './non-ephemeral-release-runner.js';
import { protectedVariableInMr } from './protected-variable-in-mr.js';
import { pushDeploy } from './push-deploy.js';
import { readAllPermissions } from './read-all-permissions.js';
import { rebuildForProduction } from './rebuild-for-production.js';
import { reusableWorkflowPermissions } from './reusable-workflow-permissions.js';
import { scriptInjection } from './script-injection.js';
import { secretOutsideEnvironment } from './secret-outside-environment.js';
import { secretsInherit } from './secrets-inherit.js';
import { secretsToJson } from './secrets-to-json.js';
import { selfHostedPrRunner } from './self-hosted-pr-runner.js';
import { spoofableBotGuard } from './spoofable-bot-guard.js';
import { staticCloudCredentials } from './static-cloud-credentials.js';
import { unneededWriteScope } from './unneeded-write-scope.js';
import { unpinnedAction } from './unpinned-action.js';
import { unpinnedInclude } from './unpinned-include.js';
import { unpinnedImage } from './unpinned-image.js';
import { unpinnedToolInstall } from './unpinned-tool-install.js';
import { untrustedCheckout } from './untrusted-checkout.js';
import { writeAllPermissions } from './write-all-permissions.js';

/** Every audit rule, by id, in category order. */
export const RULES = {
  'static-cloud-credentials': staticCloudCredentials,
  'hardcoded-password': hardcodedPassword,
  'missing-permissions': missingPermissions,
  'write-all-permissions': writeAllPermissions,
  'read-all-permissions': readAllPermissions,
  'unneeded-write-scope': unneededWriteScope,
  'reusable-workflow-permissions': reusableWorkflowPermissions,
  'id-token-write-unneeded': idTokenWriteUnneeded,
  'unpinned-action': unpinnedAction,
  'unpinned-image': unpinnedImage,
  'unpinned-tool-install': unpinnedToolInstall,
  'unpinned-include': unpinnedInclude,
  'curl-pipe-shell': curlPipeShell,
  'untrusted-checkout': untrustedCheckout,
  'spoofable-bot-guard': spoofableBotGuard,
  'script-injection': scriptInjection,
  'self-hosted-pr-runner': selfHostedPrRunner,
  'non-ephemeral-release-runner': nonEphemeralReleaseRunner,
  'cache-in-release-job': cacheInReleaseJob,
  'push-deploy': pushDeploy,
  'manual-deploy': manualDeploy,
  'deploy-by-tag': deployByTag,
  'deploy-without-verify': deployWithoutVerify,
  'rebuild-for-production': rebuildForProduction,
  'secrets-inherit': secretsInherit,
  'secrets-to-json': secretsToJson,
  'secret-outside-environment': secretOutsideEnvironment,
  'job-token-misuse': jobTokenMisuse,
  'protected-variable-in-mr': protectedVariableInMr,
} as const satisfies Record<string, AuditRule>;

export type RuleId = keyof typeof RULES;
export const RULE_LIST: readonly AuditRule[] = Object.values(RULES);
