import { kmsKeyUri, pinnedUses, regexEscaped, serviceSelection, type ArtifactSpec, type DeliverySystem, type Checklist, type Cloud, type Decided, type ModeContext, type NormalizedProfile } from '@ringmaster/core';
import { ciOidcWorkflow, jsonPolicy, oidcClaims, oidcTrustPolicy, pinsComment } from './identity.js';
import { cacheFocus, ciTarget, coreWanted, evidenceFocus, kubernetesLike, retentionDays, runnerFocus, signingUnavailable, type CiTarget } from './intent.js';
import { auditorQueries } from './rules.js';

/** The KMS key cosign signs with where keyless signing is not possible (Azure DevOps tokens are not Fulcio issuers). */
function signingKey(ctx: ModeContext): string {
  return kmsKeyUri(ctx.profile.infra.cloud_provider, ctx.delivery.cloud);
}

/** The certificate identity a keyless signature must carry: the plan's signing workflow on main, exactly. */
function signerIdentityRegexp(d: DeliverySystem): string {
  return d.ci.signing.kind === 'keyless' ? `^${regexEscaped(d.ci.signing.identity)}$` : '';
}

/** How the scripts that serve every service pick one: the first argument names it, and sets IMAGE to its image. */
function imageOfService(d: DeliverySystem, usage: string): ReturnType<typeof serviceSelection> {
  return serviceSelection(d, usage, (service) => ({ IMAGE: service.image }));
}

const COSIGN_SIGN_USAGE = 'cosign_sign.sh <service> sha256:<digest>';

/** Step 5-7 of Mode 3: SBOM, sign by digest, attest the SBOM, verify; for the image of the service named by the first argument. */
export function cosignSign(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const keyless = ci !== 'azure_devops';
  const selection = imageOfService(ctx.delivery, COSIGN_SIGN_USAGE);
  const vars: Record<string, string> = { ...selection.vars };
  let sign: string;
  let verify: string;
  if (keyless) {
    vars['CERT_IDENTITY_REGEXP'] = signerIdentityRegexp(ctx.delivery);
    vars['OIDC_ISSUER'] = oidcClaims(ci, ctx.delivery).issuer;
    sign = 'cosign sign --yes "${IMAGE}@${DIGEST}"\ncosign attest --yes --type spdxjson --predicate sbom.spdx.json "${IMAGE}@${DIGEST}"';
    verify =
      'cosign verify "${IMAGE}@${DIGEST}" \\\n  --certificate-identity-regexp "${CERT_IDENTITY_REGEXP}" \\\n  --certificate-oidc-issuer "${OIDC_ISSUER}" > /dev/null';
  } else {
    vars['SIGNING_KMS_URI'] = signingKey(ctx);
    sign =
      'cosign sign --yes --key "${SIGNING_KMS_URI}" "${IMAGE}@${DIGEST}"\ncosign attest --yes --key "${SIGNING_KMS_URI}" --type spdxjson --predicate sbom.spdx.json "${IMAGE}@${DIGEST}"';
    verify = 'cosign verify --key "${SIGNING_KMS_URI}" "${IMAGE}@${DIGEST}" > /dev/null';
  }
  const script = `${selection.script}
DIGEST="\${1:?usage: ${COSIGN_SIGN_USAGE}}"
case "\${DIGEST}" in
  sha256:*) ;;
  *) echo "sign by digest only, got: \${DIGEST}" >&2; exit 2 ;;
esac

# SBOM from the pushed image, OS packages included (Mode 3 step 5).
syft scan "\${IMAGE}@\${DIGEST}" -o spdx-json=sbom.spdx.json

# Sign the image and attach the SBOM as a signed attestation (steps 6-7).
${sign}

# Validation: the signature must verify against the expected identity before anything promotes it.
${verify}
echo "signed and verified \${IMAGE}@\${DIGEST}"
`;
  return {
    name: 'cosign_sign.sh',
    path: 'scripts/cosign_sign.sh',
    type: 'template',
    kb: ['KB_04#Signing', 'KB_04#SBOM_Generation'],
    body: {
      format: 'shell',
      summary: keyless
        ? `Sign a service's image by digest with cosign 2 (keyless: the CI job OIDC identity gets a short-lived\nFulcio certificate; the signature goes to Rekor), attest its SPDX SBOM, then verify.\n${selection.usageLine}   (needs cosign >= 2 and syft)`
        : `Sign a service's image by digest with cosign 2 and a cloud KMS key (the CI identity reaches the key\nthrough workload identity federation; no key material on disk), attest its SBOM, then verify.\n${selection.usageLine}   (needs cosign >= 2 and syft)`,
      vars,
      script,
    },
  };
}

/** Section 10 fallback: no cosign/Syft, so publish and check SHA-256 checksums (SLSA L1). */
export function checksumManifest(ctx: ModeContext): ArtifactSpec {
  const script = `
mode="\${1:-}"
dir="\${2:-dist}"
case "\${mode}" in
  publish)
    # Record a checksum for every release file, plus unsigned provenance (SLSA Build L1).
    (cd "\${dir}" && find . -type f ! -name SHA256SUMS ! -name provenance.json -print0 | sort -z | xargs -0 -r sha256sum) > "\${dir}.SHA256SUMS.tmp"
    mv "\${dir}.SHA256SUMS.tmp" "\${dir}/SHA256SUMS"
    # shellcheck disable=SC2016 # $repo, $commit and $builder are jq variables
    jq -n --arg repo "\${SOURCE_REPO}" --arg commit "\${GIT_COMMIT:-unknown}" --arg builder "\${BUILDER_ID}" \\
      '{_type: "https://in-toto.io/Statement/v1", predicateType: "https://slsa.dev/provenance/v1",
        predicate: {buildDefinition: {buildType: "https://slsa.dev/provenance/v1", externalParameters: {repository: $repo},
          resolvedDependencies: [{uri: $repo, digest: {gitCommit: $commit}}]}, runDetails: {builder: {id: $builder}}}}' \\
      > "\${dir}/provenance.json"
    echo "wrote \${dir}/SHA256SUMS and \${dir}/provenance.json"
    ;;
  verify)
    # Deploy steps run this first and stop on any mismatch.
    (cd "\${dir}" && sha256sum -c --strict SHA256SUMS)
    ;;
  *)
    echo "usage: checksum_manifest.sh publish|verify [dir]" >&2
    exit 2
    ;;
esac
`;
  return {
    name: 'checksum_manifest.sh',
    path: 'scripts/checksum_manifest.sh',
    type: 'template',
    kb: ['KB_04#Checksum_Fallback', 'KB_04#Provenance'],
    body: {
      format: 'shell',
      summary:
        'Checksum fallback (spec section 10): signing tooling is unavailable, so every release ships a\nSHA256SUMS manifest and unsigned SLSA provenance (Build L1); deploys verify with sha256sum -c.\nRoadmap: install cosign and syft, then replace this with cosign_sign.sh (L2) and an isolated builder (L3).',
      vars: { SOURCE_REPO: ctx.delivery.appRepo.url, BUILDER_ID: `${ctx.delivery.appRepo.url.replace(/\.git$/, '')}/release-builder` },
      script,
    },
  };
}

/** Spec section 3.3 admission policy, in Rego v1, with tests. */
export function admissionPolicy(): ArtifactSpec {
  const rules = `
# Spec section 3.3: pods must not run as root.
deny contains msg if {
	input.request.kind.kind == "Pod"
	not input.request.object.spec.securityContext.runAsNonRoot
	msg := "Containers must not run as root: set spec.securityContext.runAsNonRoot to true"
}

deny contains msg if {
	input.request.kind.kind == "Pod"
	some container in input.request.object.spec.containers
	container.securityContext.privileged == true
	msg := sprintf("Container %s must not be privileged", [container.name])
}

deny contains msg if {
	input.request.kind.kind == "Pod"
	some container in input.request.object.spec.containers
	not contains(container.image, "@sha256:")
	msg := sprintf("Image %s must be pinned by digest (@sha256:...)", [container.image])
}
`;
  const tests = `
pinned := "ghcr.io/actions/actions-runner@sha256:e5496277be5d09bc968b3d64911b74e219ac4a3f2edce956a3ecf9271bea1ef4"

pod(spec) := {"request": {"kind": {"kind": "Pod"}, "object": {"spec": spec}}}

test_non_root_pinned_pod_allowed if {
	count(data.admission.deny) == 0 with input as pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "runner", "image": pinned}]})
}

test_root_pod_denied if {
	denials := data.admission.deny with input as pod({"containers": [{"name": "runner", "image": pinned}]})
	some msg in denials
	contains(msg, "must not run as root")
}

test_privileged_container_denied if {
	denials := data.admission.deny with input as pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "runner", "image": pinned, "securityContext": {"privileged": true}}]})
	some msg in denials
	contains(msg, "privileged")
}

test_tag_only_image_denied if {
	denials := data.admission.deny with input as pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "runner", "image": "ghcr.io/actions/actions-runner:latest"}]})
	some msg in denials
	contains(msg, "pinned by digest")
}

test_other_kinds_ignored if {
	count(data.admission.deny) == 0 with input as {"request": {"kind": {"kind": "ConfigMap"}, "object": {}}}
}
`;
  return {
    name: 'admission_policy.rego',
    path: 'policy/admission_policy.rego',
    type: 'policy',
    kb: ['KB_06#Policy_As_Code', 'KB_17#Hardening'],
    body: { format: 'rego', package: 'admission', rules, tests },
  };
}

/** The runner image per CI vendor; only the GitHub ARC runner has a digest we can pin here. */
const ARC_RUNNER_IMAGE = 'ghcr.io/actions/actions-runner:2.337.0@sha256:e5496277be5d09bc968b3d64911b74e219ac4a3f2edce956a3ecf9271bea1ef4';

export function runnerPolicy(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const github = ci === 'github_actions';
  const labels = { 'app.kubernetes.io/name': 'ci-runner', 'app.kubernetes.io/component': 'ephemeral-runner' };
  const template = {
    apiVersion: 'v1',
    kind: 'PodTemplate',
    metadata: { name: 'ci-runner-hardened', namespace: 'ci-runners', labels },
    template: {
      metadata: { labels },
      spec: {
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 123, fsGroup: 123, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'runner',
            image: github ? ARC_RUNNER_IMAGE : '${RUNNER_IMAGE}',
            ...(github ? { command: ['/home/runner/run.sh'] } : {}),
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi', 'ephemeral-storage': '10Gi' } },
            volumeMounts: [
              { name: 'work', mountPath: github ? '/home/runner/_work' : '/builds' },
              { name: 'tmp', mountPath: '/tmp' },
              ...(github ? [{ name: 'diag', mountPath: '/home/runner/_diag' }] : []),
            ],
          },
        ],
        volumes: [
          { name: 'work', emptyDir: { sizeLimit: '8Gi' } },
          { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          ...(github ? [{ name: 'diag', emptyDir: { sizeLimit: '256Mi' } }] : []),
        ],
      },
    },
  };
  return {
    name: 'runner_policy.yaml',
    path: 'deploy/ci-runners/runner_policy.yaml',
    type: 'policy',
    kb: ['KB_17#Runners', 'KB_17#Ephemeral_Builders', 'KB_17#Hardening'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: [
        'Hardened pod template for ephemeral CI runners: one job per pod, non-root, read-only root',
        'filesystem, no capabilities, no service-account token, image pinned by digest.',
        github
          ? 'Use .template as the `template:` of the gha-runner-scale-set Helm values (Actions Runner Controller).'
          : 'Set RUNNER_IMAGE to your runner image pinned by digest (envsubst) and use .template.spec as the executor pod spec.',
      ].join('\n'),
      documents: [template],
    },
  };
}

/** Hosts runners may reach, per CI vendor; everything else is denied. */
function egressHosts(ci: CiTarget): string[] {
  const sigstore = ['fulcio.sigstore.dev', 'rekor.sigstore.dev', 'tuf-repo-cdn.sigstore.dev'];
  const packages = ['registry.npmjs.org', 'pypi.org', 'files.pythonhosted.org', 'repo.maven.apache.org', 'proxy.golang.org'];
  const vendor =
    ci === 'gitlab_ci'
      ? ['gitlab.com', 'registry.gitlab.com', 'github.com']
      : ci === 'azure_devops'
        ? ['dev.azure.com', 'vstoken.dev.azure.com', 'login.microsoftonline.com', 'github.com'] // Entra issues the federated tokens (KB_05#Azure_DevOps_OIDC)
        : ['github.com', 'api.github.com', '*.actions.githubusercontent.com', 'ghcr.io', 'pkg-containers.githubusercontent.com', 'objects.githubusercontent.com', '*.blob.core.windows.net'];
  return [...vendor, ...packages, ...sigstore];
}

export function egressRules(ctx: ModeContext): ArtifactSpec {
  const hosts = egressHosts(ciTarget(ctx.profile));
  const policy = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'ci-runner-egress-allowlist', namespace: 'ci-runners' },
    spec: {
      endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'ci-runner' } },
      egress: [
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
        { toFQDNs: hosts.map((h) => (h.includes('*') ? { matchPattern: h } : { matchName: h })), toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ],
    },
  };
  return {
    name: 'egress_rules.yaml',
    path: 'deploy/ci-runners/egress_rules.yaml',
    type: 'policy',
    kb: ['KB_17#Egress_Control', 'KB_04#Zero_Trust'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: [
        'Runner egress allowlist. A Kubernetes NetworkPolicy cannot match DNS names, so this is a',
        'CiliumNetworkPolicy (toFQDNs, with the DNS proxy rule it needs). Any host not listed is',
        'denied; route package installs through your private proxy and list only that proxy.',
      ].join('\n'),
      documents: [policy],
    },
  };
}

export function runnerDisruptionBudget(): ArtifactSpec {
  return {
    name: 'pod_disruption_budget.yaml',
    path: 'deploy/ci-runners/pod_disruption_budget.yaml',
    type: 'policy',
    kb: ['KB_17#Runners'],
    body: {
      format: 'yaml',
      schema: 'kubernetes',
      header: 'Node drains must not evict every running job at once: keep at least one runner pod up.',
      documents: [
        {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'ci-runner', namespace: 'ci-runners' },
          spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'ci-runner' } } },
        },
      ],
    },
  };
}

/** Lockfiles whose hash keys the dependency cache, by language. */
export function lockfiles(p: NormalizedProfile): string[] {
  const byLanguage: Record<string, string[]> = {
    javascript: ['**/package-lock.json'],
    typescript: ['**/package-lock.json'],
    node: ['**/package-lock.json'],
    python: ['**/requirements*.txt', '**/poetry.lock'],
    java: ['**/pom.xml', '**/gradle.lockfile'],
    kotlin: ['**/gradle.lockfile'],
    go: ['**/go.sum'],
    csharp: ['**/packages.lock.json'],
    ruby: ['**/Gemfile.lock'],
  };
  const files = p.stack.languages.flatMap((l) => byLanguage[l.toLowerCase()] ?? []);
  return files.length > 0 ? [...new Set(files)] : ['**/package-lock.json', '**/requirements*.txt', '**/go.sum'];
}

export function cachePolicy(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const locks = lockfiles(ctx.profile);
  const kb = ['KB_17#Caching'] as const;
  if (ci === 'gitlab_ci') {
    return {
      name: 'cache_policy.yaml',
      path: 'ci/cache-policy.gitlab-ci.yml',
      type: 'policy',
      kb,
      body: {
        format: 'yaml',
        schema: 'gitlab-ci',
        header: 'Scoped dependency cache: the key is the lockfile hash, prefixed by the branch, and protected\nbranches never share caches with unprotected ones (unprotect: false).',
        documents: [
          {
            '.scoped-cache': {
              cache: [
                {
                  key: { files: locks.map((l) => l.replace('**/', '')).slice(0, 2), prefix: '${CI_COMMIT_REF_SLUG}' },
                  paths: ['.cache/deps/'],
                  policy: 'pull-push',
                  unprotect: false,
                },
              ],
            },
          },
        ],
      },
    };
  }
  if (ci === 'azure_devops') {
    return {
      name: 'cache_policy.yaml',
      path: '.azure-pipelines/templates/cache-policy.yml',
      type: 'policy',
      kb,
      body: {
        format: 'yaml',
        schema: 'azure-pipelines',
        header: 'Scoped dependency cache: the key is the branch plus the lockfile hash; restored files are\nchecked by scripts/hash_verification.sh before the build uses them.',
        documents: [
          {
            steps: [
              {
                task: 'Cache@2',
                displayName: 'Restore the branch-scoped dependency cache',
                inputs: { key: `deps | "$(Agent.OS)" | "$(Build.SourceBranchName)" | ${locks.map((l) => l.replace('**/', '')).join(' | ')}`, path: '$(Pipeline.Workspace)/.cache/deps' },
              },
              { bash: 'bash scripts/hash_verification.sh verify "$(Pipeline.Workspace)/.cache/deps"', displayName: 'Verify restored cache hashes' },
            ],
          },
        ],
      },
    };
  }
  const workflow = {
    name: 'build-with-scoped-cache',
    on: { push: { branches: ['main'] }, pull_request: {} },
    permissions: { contents: 'read' },
    jobs: {
      build: {
        'runs-on': 'ubuntu-24.04',
        steps: [
          { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
          {
            name: 'Restore the dependency cache scoped to this branch and lockfile',
            uses: pinnedUses('actions/cache'),
            with: {
              path: '.cache/deps',
              key: `deps-\${{ runner.os }}-\${{ github.ref_name }}-\${{ hashFiles(${locks.map((l) => `'${l}'`).join(', ')}) }}`,
              'restore-keys': 'deps-${{ runner.os }}-${{ github.ref_name }}-',
            },
          },
          { name: 'Verify restored cache hashes', run: 'bash scripts/hash_verification.sh verify .cache/deps' },
        ],
      },
    },
  };
  return {
    name: 'cache_policy.yaml',
    path: '.github/workflows/build-with-scoped-cache.yml',
    type: 'policy',
    kb,
    body: {
      format: 'yaml',
      schema: 'github-workflow',
      header: [
        'Scoped dependency cache: the key is the OS, the branch and the lockfile hash, and restore-keys',
        'never leave the branch. GitHub also lets a branch restore only its own and the default',
        "branch's caches. Restored files are hash-checked before use.",
        pinsComment(['actions/cache']),
      ].join('\n'),
      documents: [workflow],
    },
  };
}

export function hashVerification(): ArtifactSpec {
  const script = `
mode="\${1:-}"
dir="\${2:-.cache/deps}"
case "\${mode}" in
  record)
    # After a trusted build on the default branch: hash every cached file into the manifest.
    (cd "\${dir}" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) > "\${MANIFEST}"
    echo "recorded $(wc -l < "\${MANIFEST}") hashes in \${MANIFEST}"
    ;;
  verify)
    if [ ! -s "\${MANIFEST}" ]; then
      echo "no hash manifest: treat the cache as untrusted and rebuild it" >&2
      exit 1
    fi
    manifest="$(realpath "\${MANIFEST}")"
    if ! (cd "\${dir}" && sha256sum -c --strict --quiet "\${manifest}"); then
      echo "cache hash mismatch in \${dir}: possible cache poisoning; run the clean-cache job and rebuild" >&2
      exit 1
    fi
    echo "cache in \${dir} matches \${MANIFEST}"
    ;;
  *)
    echo "usage: hash_verification.sh record|verify [cache dir]" >&2
    exit 2
    ;;
esac
`;
  return {
    name: 'hash_verification.sh',
    path: 'scripts/hash_verification.sh',
    type: 'template',
    kb: ['KB_17#Caching', 'KB_04#Checksum_Fallback'],
    body: {
      format: 'shell',
      summary: 'Cache poisoning detection: record SHA-256 hashes of a trusted cache, and verify restored caches\nwith sha256sum -c before the build uses them. Keep the manifest outside the cache (a build artifact).',
      vars: { MANIFEST: 'cache-manifest.sha256' },
      script,
    },
  };
}

export function cleanCacheJob(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const cloud = ctx.profile.infra.cloud_provider;
  const kb = ['KB_17#Caching'] as const;
  if (ci === 'gitlab_ci') {
    const flush =
      cloud === 'aws'
        ? 'aws s3 rm "s3://${RUNNER_CACHE_BUCKET}/runner/project/${CI_PROJECT_ID}/" --recursive'
        : cloud === 'gcp'
          ? 'gcloud storage rm --recursive "gs://${RUNNER_CACHE_BUCKET}/runner/project/${CI_PROJECT_ID}/"'
          : cloud === 'azure'
            ? 'az storage blob delete-batch --auth-mode login --account-name "${RUNNER_CACHE_ACCOUNT}" --source runner-cache --pattern "runner/project/${CI_PROJECT_ID}/*"'
            : 'mc rm --recursive --force "cache/${RUNNER_CACHE_BUCKET}/runner/project/${CI_PROJECT_ID}/"';
    return {
      name: 'clean_cache_job.yaml',
      path: 'ci/clean-cache.gitlab-ci.yml',
      type: 'template',
      kb,
      body: {
        format: 'yaml',
        schema: 'gitlab-ci',
        header: 'Scheduled flush of this project\'s runner cache (the risk matrix fallback for cache poisoning).\nRun it from a pipeline schedule, or by hand after a hash mismatch alert.',
        documents: [
          {
            'flush-runner-cache': {
              image: 'alpine:3.20',
              rules: [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }, { if: '$CI_PIPELINE_SOURCE == "web"', when: 'manual' }],
              cache: [],
              script: [cloud === 'aws' ? 'apk add --no-cache aws-cli' : 'echo "using the cache store CLI from the job image"', flush],
            },
          },
        ],
      },
    };
  }
  if (ci === 'azure_devops') {
    return {
      name: 'clean_cache_job.yaml',
      path: '.azure-pipelines/clean-cache.yml',
      type: 'template',
      kb,
      body: {
        format: 'yaml',
        schema: 'azure-pipelines',
        header: 'Azure Pipelines cache entries are immutable and cannot be deleted; this weekly schedule\nrotates the CACHE_EPOCH variable that every cache key includes, which retires all old caches.',
        documents: [
          {
            trigger: 'none',
            pr: 'none',
            schedules: [{ cron: '0 3 * * 1', displayName: 'Weekly cache rotation', branches: { include: ['main'] }, always: true }],
            pool: { vmImage: 'ubuntu-24.04' },
            steps: [
              {
                bash: 'az pipelines variable update --name CACHE_EPOCH --value "$(date +%Y%m%d)" --pipeline-name "$(Build.DefinitionName)" --org "$(System.CollectionUri)" --project "$(System.TeamProject)"',
                displayName: 'Rotate the cache key epoch',
                env: { AZURE_DEVOPS_EXT_PAT: '$(System.AccessToken)' },
              },
            ],
          },
        ],
      },
    };
  }
  return {
    name: 'clean_cache_job.yaml',
    path: '.github/workflows/clean-cache.yml',
    type: 'template',
    kb,
    body: {
      format: 'yaml',
      schema: 'github-workflow',
      header: 'Weekly flush of every Actions cache in the repository (the risk matrix fallback for cache\npoisoning); run it by hand after a hash mismatch alert.',
      documents: [
        {
          name: 'clean-cache',
          on: { schedule: [{ cron: '0 3 * * 1' }], workflow_dispatch: {} },
          permissions: { actions: 'write' },
          jobs: {
            'flush-cache': {
              'runs-on': 'ubuntu-24.04',
              steps: [
                {
                  name: 'Delete all caches of this repository',
                  env: { GH_TOKEN: '${{ github.token }}', GH_REPO: '${{ github.repository }}' },
                  run: 'gh cache delete --all',
                },
              ],
            },
          },
        },
      ],
    },
  };
}

/** Where the evidence bundle is stored, per cloud. */
function evidenceStore(cloud: Cloud): string {
  return cloud === 'aws' ? 's3' : cloud === 'gcp' ? 'gcs' : cloud === 'azure' ? 'azure' : 'local';
}

const EVIDENCE_USAGE = 'evidence_collector.sh <service> sha256:<digest> [junit dir] [policy log] [release dir]';

/** The evidence bundle of one release of one service's image, named by the first argument. */
export function evidenceCollector(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const cloud = ctx.profile.infra.cloud_provider;
  const fallback = signingUnavailable(ctx);
  const keyless = ci !== 'azure_devops';
  const selection = imageOfService(ctx.delivery, EVIDENCE_USAGE);
  const vars: Record<string, string> = { ...selection.vars, EVIDENCE_STORE: evidenceStore(cloud), EVIDENCE_LOCATION: 'crm-release-evidence' };
  let verifyBlock: string;
  if (fallback) {
    verifyBlock = `
release_dir="\${4:-dist}"
# Checksum fallback (L1): verify the release files against their manifest and keep both.
(cd "\${release_dir}" && sha256sum -c --strict SHA256SUMS) > "\${bundle}/checksum-verification.txt"
cp "\${release_dir}/SHA256SUMS" "\${release_dir}/provenance.json" "\${bundle}/"
echo "\${IMAGE}@\${DIGEST}" > "\${bundle}/image-ref.txt"
sbom_file="\${release_dir}/sbom.spdx.json"
if [ -f "\${sbom_file}" ]; then cp "\${sbom_file}" "\${bundle}/sbom.spdx.json"; else echo "missing SBOM \${sbom_file}" >&2; exit 1; fi`;
  } else if (keyless) {
    vars['CERT_IDENTITY_REGEXP'] = signerIdentityRegexp(ctx.delivery);
    vars['OIDC_ISSUER'] = oidcClaims(ci, ctx.delivery).issuer;
    vars['PROVENANCE_IDENTITY_REGEXP'] =
      ci === 'github_actions'
        ? '^https://github\\.com/slsa-framework/slsa-github-generator/\\.github/workflows/generator_container_slsa3\\.yml@refs/tags/v[0-9]+\\.[0-9]+\\.[0-9]+$'
        : signerIdentityRegexp(ctx.delivery);
    verifyBlock = `
ref="\${IMAGE}@\${DIGEST}"
cosign verify "\${ref}" \\
  --certificate-identity-regexp "\${CERT_IDENTITY_REGEXP}" \\
  --certificate-oidc-issuer "\${OIDC_ISSUER}" > "\${bundle}/signature-verification.json"
cosign verify-attestation --type slsaprovenance \\
  --certificate-identity-regexp "\${PROVENANCE_IDENTITY_REGEXP}" \\
  --certificate-oidc-issuer "\${OIDC_ISSUER}" \\
  "\${ref}" > "\${bundle}/provenance.intoto.jsonl"
cosign verify-attestation --type spdxjson \\
  --certificate-identity-regexp "\${CERT_IDENTITY_REGEXP}" \\
  --certificate-oidc-issuer "\${OIDC_ISSUER}" \\
  "\${ref}" | jq -r '.payload' | head -n 1 | base64 -d | jq '.predicate' > "\${bundle}/sbom.spdx.json"`;
  } else {
    vars['SIGNING_KMS_URI'] = signingKey(ctx);
    verifyBlock = `
ref="\${IMAGE}@\${DIGEST}"
cosign verify --key "\${SIGNING_KMS_URI}" "\${ref}" > "\${bundle}/signature-verification.json"
cosign verify-attestation --key "\${SIGNING_KMS_URI}" --type slsaprovenance "\${ref}" > "\${bundle}/provenance.intoto.jsonl"
cosign verify-attestation --key "\${SIGNING_KMS_URI}" --type spdxjson "\${ref}" \\
  | jq -r '.payload' | head -n 1 | base64 -d | jq '.predicate' > "\${bundle}/sbom.spdx.json"`;
  }
  const script = `${selection.script}
DIGEST="\${1:?usage: ${EVIDENCE_USAGE}}"
junit_dir="\${2:-test-results}"
policy_log="\${3:-policy-audit.log}"
bundle="evidence-\${DIGEST#sha256:}"
mkdir -p "\${bundle}/junit"
${verifyBlock}

# Test results and the policy decision log of this release.
if [ -d "\${junit_dir}" ]; then
  find "\${junit_dir}" -name '*.xml' -exec cp {} "\${bundle}/junit/" \\;
else
  echo "missing JUnit results in \${junit_dir}" >&2
  exit 1
fi
if [ -f "\${policy_log}" ]; then cp "\${policy_log}" "\${bundle}/policy-audit.log"; else echo "missing policy audit log \${policy_log}" >&2; exit 1; fi

# Manifest of everything in the bundle, then one archive.
(cd "\${bundle}" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "\${bundle}.SHA256SUMS"
mv "\${bundle}.SHA256SUMS" "\${bundle}/SHA256SUMS"
tar -czf "\${bundle}.tar.gz" "\${bundle}"

case "\${EVIDENCE_STORE}" in
  s3) aws s3 cp "\${bundle}.tar.gz" "s3://\${EVIDENCE_LOCATION}/evidence/\${bundle}.tar.gz" ;;
  gcs) gcloud storage cp "\${bundle}.tar.gz" "gs://\${EVIDENCE_LOCATION}/evidence/\${bundle}.tar.gz" ;;
  azure) az storage blob upload --auth-mode login --account-name "\${EVIDENCE_LOCATION}" --container-name evidence --name "\${bundle}.tar.gz" --file "\${bundle}.tar.gz" ;;
  *) echo "evidence store not configured: keep \${bundle}.tar.gz in your retained artifact store" ;;
esac
echo "evidence bundle: \${bundle}.tar.gz"
`;
  return {
    name: 'evidence_collector.sh',
    path: 'scripts/evidence_collector.sh',
    type: 'template',
    kb: ['KB_10#Evidence_Bundle', 'KB_04#Provenance'],
    body: {
      format: 'shell',
      summary: fallback
        ? `Collect the release evidence bundle (checksum fallback, SLSA L1): checksum verification,\nunsigned provenance, SBOM, JUnit results and the policy audit log, with a SHA-256 manifest.\n${selection.usageLine}`
        : `Collect the release evidence bundle of a service's image by digest: verified signature, verified SLSA provenance\n(cosign verify-attestation), the attested SBOM, JUnit results and the policy audit log,\nwith a SHA-256 manifest, archived to the retained evidence store.\n${selection.usageLine}`,
      vars,
      script,
    },
  };
}

const CONTROL_MAP: Record<string, [string, string, string][]> = {
  SOC2: [
    ['SOC2 CC8.1 change management', 'change_log', 'Merged pull requests with reviewers, pipeline runs and deployment approvals'],
    ['SOC2 CC6.1 / CC6.2 logical access', 'access_reviews', 'Quarterly access review export for the CI, registry and cloud roles'],
    ['SOC2 CC7.1 vulnerability monitoring', 'vulnerability_exceptions', 'Scanner reports and approved exceptions with expiry'],
  ],
  ISO27001: [
    ['ISO27001 A.8.32 change management', 'change_log', 'Merged pull requests, pipeline runs and approvals'],
    ['ISO27001 A.5.18 access rights', 'access_reviews', 'Access review export with reviewer sign-off'],
    ['ISO27001 A.8.8 technical vulnerabilities', 'vulnerability_exceptions', 'Scanner reports and VEX statements'],
  ],
  HIPAA: [
    ['HIPAA 164.312(b) audit controls', 'phi_access_logs', 'Access logs for systems holding PHI'],
    ['HIPAA 164.308(a)(4) access management', 'access_reviews', 'Access review export'],
    ['HIPAA 164.316(b)(2) documentation retention', 'change_log', 'Evidence bundles kept six years'],
  ],
  PCI_DSS: [
    ['PCI DSS 6.5.1 change control', 'change_log', 'Change records with approval and rollback plan'],
    ['PCI DSS 7.2.4 access reviews', 'access_reviews', 'Six-monthly user account review'],
    ['PCI DSS 10.5.1 audit log retention', 'cardholder_environment_changes', 'Audit logs kept twelve months'],
  ],
  GDPR: [
    ['GDPR Art. 32 security of processing', 'artifact_verification', 'Signature and provenance verification per release'],
    ['GDPR Art. 30 records of processing', 'data_residency_records', 'Deployment regions per release'],
  ],
};

export function auditReportTemplate(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const targets = ctx.profile.compliance.targets.length > 0 ? ctx.profile.compliance.targets : ['SOC2'];
  const assumed = ctx.profile.compliance.targets.length === 0;
  const days = decided.get<number>('evidence_bundle_plan.retention_days') ?? retentionDays(ctx.profile);
  const rows = targets.flatMap((t) => CONTROL_MAP[t] ?? [[`${t} release controls`, 'change_log', 'Change log and evidence bundle per release']]);
  const queries = decided.get<string[]>('evidence_bundle_plan.auditor_queries') ?? auditorQueries(ctx);
  return {
    name: 'audit_report_template.md',
    path: 'docs/audit/audit_report_template.md',
    type: 'template',
    kb: ['KB_10#Audit', 'KB_10#Compliance'],
    body: {
      format: 'markdown',
      doc: {
        title: 'Audit Report: CRM Release Evidence',
        intro: `Compliance targets: ${targets.join(', ')}${assumed ? ' (no target was given; SOC2 is the assumed baseline)' : ''}. Evidence retention: ${days} days. Fill one report per audit period from the evidence bundles that evidence_collector.sh archived.`,
        sections: [
          {
            heading: 'Scope',
            checklist: ['Audit period start and end dates recorded', 'Systems in scope listed (CI, registry, clusters, databases)', 'Releases in the period listed with their image digests'],
          },
          {
            heading: 'Control Mapping',
            table: { header: ['Control', 'Auditor query', 'Evidence'], rows },
          },
          {
            heading: 'Auditor Queries',
            paragraphs: ['Answer each query from the bundles; every answer cites the bundle file and its SHA-256 from the manifest.'],
            steps: queries,
          },
          {
            heading: 'Evidence Per Release',
            checklist: [
              'SBOM (SPDX JSON) attached to the image as a signed attestation',
              'Cosign signature verified against the release workflow identity',
              'SLSA provenance verified (cosign verify-attestation --type slsaprovenance)',
              'JUnit test results of the release pipeline',
              'Policy audit log (admission and pipeline policy decisions)',
              'Bundle SHA256SUMS manifest matches the archived files',
            ],
          },
          {
            heading: 'Exceptions And Findings',
            checklist: ['Open vulnerability exceptions listed with approver and expiry', 'Break-glass uses in the period listed with their post-incident review', 'Findings from the previous audit closed or re-planned'],
          },
          {
            heading: 'Sign-off',
            checklist: ['Release manager confirms the bundle list is complete', 'Security owner confirms exceptions and access reviews', 'Auditor acknowledges receipt of the evidence'],
          },
        ],
      },
    },
  };
}

export function retentionPolicy(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const days = decided.get<number>('evidence_bundle_plan.retention_days') ?? retentionDays(ctx.profile);
  const cloud = ctx.profile.infra.cloud_provider;
  const base = { name: 'retention_policy.json', path: 'iam/retention_policy.json', type: 'policy' as const, kb: ['KB_10#Retention'] as const };
  if (cloud === 'aws') {
    return jsonPolicy(base, {
      Rules: [
        {
          ID: `evidence-retention-${days}d`,
          Filter: { Prefix: 'evidence/' },
          Status: 'Enabled',
          Transitions: [{ Days: 30, StorageClass: 'GLACIER_IR' }],
          Expiration: { Days: days },
          NoncurrentVersionExpiration: { NoncurrentDays: days },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  }
  if (cloud === 'gcp') {
    return jsonPolicy(base, { rule: [{ action: { type: 'Delete' }, condition: { age: days, matchesPrefix: ['evidence/'] } }, { action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 30, matchesPrefix: ['evidence/'] } }] });
  }
  if (cloud === 'azure') {
    return jsonPolicy(base, {
      rules: [
        {
          enabled: true,
          name: `evidence-retention-${days}d`,
          type: 'Lifecycle',
          definition: {
            actions: { baseBlob: { tierToCool: { daysAfterModificationGreaterThan: 30 }, delete: { daysAfterModificationGreaterThan: days } } },
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['evidence/'] },
          },
        },
      ],
    });
  }
  return jsonPolicy(base, {
    retention_days: days,
    targets: [...ctx.profile.compliance.targets],
    prefix: 'evidence/',
    immutable: true,
    note: 'Portable policy: apply it as an S3-compatible lifecycle rule with object lock (MinIO, Ceph) or your artifact store retention setting.',
  });
}

export function evidenceChecklist(ctx: ModeContext): ArtifactSpec {
  const fallback = signingUnavailable(ctx);
  const checklist: Checklist = {
    id: 'evidence-bundle',
    title: 'Evidence Bundle Checklist',
    summary: 'What every release must leave behind for auditors, collected by digest (spec section 3.3).',
    kb: ['KB_10#Evidence_Bundle'],
    steps: [
      { id: 'sbom', title: 'SBOM (SPDX/CycloneDX)', kind: 'task', kb: ['KB_04#SBOM_Generation'] },
      fallback
        ? { id: 'checksums', title: 'SHA256SUMS manifest verified', kind: 'task', kb: ['KB_04#Checksum_Fallback'] }
        : { id: 'signature', title: 'Cosign Signature', detail: 'verified against the release workflow identity', kind: 'task', kb: ['KB_04#Signing'] },
      { id: 'provenance', title: 'SLSA Provenance', kind: 'task', kb: ['KB_04#Provenance'] },
      { id: 'junit', title: 'Test Results (JUnit)', kind: 'task', kb: ['KB_03#Test_Results'] },
      { id: 'policy-log', title: 'Policy Audit Log', kind: 'task', kb: ['KB_06#Policy'] },
      { id: 'review', title: 'Bundle reviewed and archived', detail: 'by someone other than the release author', kind: 'approval', role: 'approver', kb: ['KB_10#Segregation_Of_Duties'] },
    ],
  };
  return {
    name: 'evidence_bundle_checklist.md',
    path: 'docs/audit/evidence_bundle_checklist.md',
    type: 'checklist',
    kb: ['KB_10#Evidence_Bundle'],
    body: { format: 'checklist', checklist },
  };
}

/** The files Mode 3's decisions call for. */
export function supplyChainArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const out: ArtifactSpec[] = [];
  if (coreWanted(ctx)) {
    // In the checksum fallback there is no signing job to federate yet: the trust policy and the checksum script only.
    out.push(oidcTrustPolicy(ctx));
    out.push(...(signingUnavailable(ctx) ? [checksumManifest(ctx)] : [ciOidcWorkflow(ctx), cosignSign(ctx)]));
  }
  // The blueprint's release pipeline hands its digests to this mode's signing workflow, job or stage template
  // (on every CI vendor, it signs nothing itself then): it must exist, with the script Azure DevOps signs with.
  if (ctx.companions?.includes('blueprint') === true) {
    const signing = [ciOidcWorkflow(ctx), ...(ciTarget(ctx.profile) === 'azure_devops' ? [cosignSign(ctx)] : [])];
    out.push(...signing.filter((needed) => !out.some((a) => a.path === needed.path)));
  }
  if (runnerFocus(ctx)) out.push(runnerPolicy(ctx), egressRules(ctx), runnerDisruptionBudget());
  if (kubernetesLike(ctx.profile) && (runnerFocus(ctx) || coreWanted(ctx))) out.push(admissionPolicy());
  if (cacheFocus(ctx)) out.push(cachePolicy(ctx), hashVerification(), cleanCacheJob(ctx));
  if (evidenceFocus(ctx)) out.push(evidenceCollector(ctx), auditReportTemplate(ctx, decided), retentionPolicy(ctx, decided), evidenceChecklist(ctx));
  return out;
}
