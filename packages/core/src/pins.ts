/**
 * Third-party GitHub Actions that generated workflows use, pinned by full commit
 * SHA (tags can be moved; SHAs cannot). One table, so an upgrade is one edit.
 */
export const PINNED_ACTIONS = {
  'actions/checkout': { sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  'sigstore/cosign-installer': { sha: 'dc72c7d5c4d10cd6bcb8cf6e3fd625a9e5e537da', version: 'v3.7.0' },
} as const satisfies Record<string, { sha: string; version: string }>;

export type PinnedAction = keyof typeof PINNED_ACTIONS;

/** `owner/repo@<sha>`; the version goes in a `# vX.Y.Z` comment (see pinComment). */
export function pinnedUses(action: PinnedAction): string {
  return `${action}@${PINNED_ACTIONS[action].sha}`;
}

/** Adds the `# vX.Y.Z` comment after every pinned `uses:` line of rendered YAML. */
export function annotatePins(yamlText: string): string {
  return yamlText.replace(/^(\s*-?\s*uses:\s*)([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s*$/gm, (line, _prefix: string, action: string, sha: string) => {
    const pin = (PINNED_ACTIONS as Record<string, { sha: string; version: string }>)[action];
    return pin && pin.sha === sha ? `${line} # ${pin.version}` : line;
  });
}
