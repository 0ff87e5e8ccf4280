import type { DeliverySystem } from './delivery.js';

/** The variables `configRepoAccess` reads, written at the top of a generated script. */
export function configRepoVars(d: DeliverySystem): Record<string, string> {
  return { CONFIG_REPO: d.configRepo.url, CONFIG_REPO_SSH: d.configRepo.sshUrl };
}

/**
 * Shell lines that set `url` to the config repository and its credentials from the environment:
 * CONFIG_REPO_TOKEN (HTTPS, sent as a header, never in the URL) or CONFIG_REPO_SSH_KEY (a private
 * key file, SSH clone); CONFIG_REPO_URL overrides the URL. Every script that clones the config
 * repository uses these, so promotion and deploy authenticate the same way.
 */
export function configRepoAccess(d: DeliverySystem): string {
  const auth = d.ci.gitTokenAuth.header === 'basic' ? `Basic $(printf '%s:%s' '${d.ci.gitTokenAuth.user}' "\${CONFIG_REPO_TOKEN}" | base64 | tr -d '\\n')` : 'Bearer ${CONFIG_REPO_TOKEN}';
  return `# The one config repository, over HTTPS with a token or over SSH with a key.
url="\${CONFIG_REPO_URL:-\${CONFIG_REPO}}"
if [[ -n "\${CONFIG_REPO_SSH_KEY:-}" ]]; then
  url="\${CONFIG_REPO_URL:-\${CONFIG_REPO_SSH}}"
  GIT_SSH_COMMAND="ssh -i $(printf '%q' "\${CONFIG_REPO_SSH_KEY}") -o IdentitiesOnly=yes"
  export GIT_SSH_COMMAND
elif [[ -n "\${CONFIG_REPO_TOKEN:-}" ]]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader
  GIT_CONFIG_VALUE_0="Authorization: ${auth}"
  export GIT_CONFIG_VALUE_0
fi`;
}

/**
 * An awk program printing the digest of `image` (awk variable) in a kustomization's `images:`
 * list, as `kustomize edit set image IMAGE@DIGEST` writes it.
 */
export const KUSTOMIZE_DIGEST_OF_IMAGE = `/^ *- name: / { current = $3 }
  /^ *name: / { current = $2 }
  current == image && /^ *digest: sha256:[0-9a-f]+$/ { print $2; exit }`;
