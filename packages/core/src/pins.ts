/**
 * Third-party GitHub Actions that generated workflows use, pinned by full commit
 * SHA (tags can be moved; SHAs cannot). One table, so an upgrade is one edit.
 */
export const PINNED_ACTIONS = {
  'actions/checkout': { sha: '11bd71901bbe5b1630ceea73d27597364c9af683', version: 'v4.2.2' },
  'sigstore/cosign-installer': { sha: 'dc72c7d5c4d10cd6bcb8cf6e3fd625a9e5e537da', version: 'v3.7.0' },
  'actions/cache': { sha: '5a3ec84eff668545956fd18022155c47e93e2684', version: 'v4.2.3' },
  'aws-actions/configure-aws-credentials': { sha: 'e3dd6a429d7300a6a4c196c26e071d42e0343502', version: 'v4.0.2' },
  'google-github-actions/auth': { sha: '6fc4af4b145ae7821d527454aa9bd537d1f2dc5f', version: 'v2.1.7' },
  'azure/login': { sha: 'a65d910e8af852a8061c627c456678983e180302', version: 'v2.2.0' },
  'docker/login-action': { sha: '74a5d142397b4f367a81961eba4e8cd7edddf772', version: 'v3.4.0' },
  'docker/build-push-action': { sha: '263435318d21b8e681c14492fe198d362a7d2c83', version: 'v6.18.0' },
  'anchore/sbom-action': { sha: 'f325610c9f50a54015d37c8d16cb3b0e2c8f4de0', version: 'v0.18.0' },
  'docker/setup-buildx-action': { sha: 'b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2', version: 'v3.10.0' },
  'aquasecurity/setup-trivy': { sha: '3fb12ec12f41e471780db15c232d5dd185dcb514', version: 'v0.2.6' },
} as const satisfies Record<string, { sha: string; version: string }>;

export type PinnedAction = keyof typeof PINNED_ACTIONS;

/** `owner/repo@<sha>`; the renderer writes the version as a `# vX.Y.Z` comment after it. */
export function pinnedUses(action: PinnedAction): string {
  return `${action}@${PINNED_ACTIONS[action].sha}`;
}

/**
 * The SLSA v1.0 Build L3 container provenance generator. Referenced by release tag, not SHA:
 * its builder identity is the tag, and slsa-verifier checks it.
 */
export const SLSA_CONTAINER_GENERATOR = 'slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@v2.1.0';

/**
 * Reusable workflows that must be referenced by a release tag, not a SHA: the SLSA
 * generator's provenance names the tag as its builder id, and slsa-verifier checks it.
 */
export function mustReferenceByTag(uses: string): boolean {
  return /^slsa-framework\/slsa-github-generator\/\.github\/workflows\/[\w.-]+\.ya?ml@v\d+\.\d+\.\d+$/.test(uses);
}

/**
 * Tool versions generated jobs install or run. GitLab job images are pinned by digest (the tag is
 * kept for readers and Renovate): `dockerImage` is the Docker CLI (with buildx) that drives the
 * `dindImage` service.
 */
export const TOOL_VERSIONS = {
  trivy: 'v0.57.1',
  semgrep: '1.95.0',
  opaImage: 'openpolicyagent/opa:0.70.0-static',
  trivyImage: 'aquasec/trivy:0.57.1@sha256:5c59e08f980b5d4d503329773480fcea2c9bdad7e381d846fbf9f2ecb8050f6b',
  alpineImage: 'alpine:3.20@sha256:d9e853e87e55526f6b2917df91a2115c36dd7c696a35be12163d44e6e2a4b6bc',
  dockerImage: 'docker:27-cli@sha256:851f91d241214e7c6db86513b270d58776379aacc5eb9c4a87e5b47115e3065c',
  dindImage: 'docker:27-dind@sha256:aa3df78ecf320f5fafdce71c659f1629e96e9de0968305fe1de670e0ca9176ce',
} as const;

/**
 * CLI tools that Azure DevOps jobs install on the hosted agent with `go install module@version`:
 * the version is pinned and the Go checksum database verifies the module's bytes.
 */
export const GO_TOOLS = {
  cosign: 'github.com/sigstore/cosign/v2/cmd/cosign@v2.4.1',
  syft: 'github.com/anchore/syft/cmd/syft@v1.18.1',
  opa: 'github.com/open-policy-agent/opa@v0.70.0',
  kustomize: 'sigs.k8s.io/kustomize/kustomize/v5@v5.5.0',
} as const;

export type GoTool = keyof typeof GO_TOOLS;

/** The Go toolchain the install step uses (Azure's GoTool task installs it on the agent). */
export const GO_VERSION = '1.23.4';
