import { pinnedUses, SLSA_CONTAINER_GENERATOR, WORKLOAD_IMAGE, type ArtifactSpec, type Decided, type ModeContext } from '@ringmaster/core';
import { deployRegions, jurisdictionOf } from './rules.js';

const IMAGE_REPO = 'crm-platform/app';

/** The ring or region deploy stages of the decided stage list. */
function deployStages(decided: Decided): string[] {
  return (decided.get<string[]>('pipeline_blueprint.stages') ?? []).filter((s) => s.startsWith('deploy_'));
}

/** The main pipeline for GitHub Actions: build once, verify, sign, then promote the digest stage by stage via Git. */
/**
 * `signing`: 'own' signs and adds provenance in this pipeline; 'called' hands the digest to the
 * supply-chain mode's reusable release-signing workflow, when that mode is in the plan too.
 */
function githubPipeline(decided: Decided, signing: 'own' | 'called'): unknown {
  const deploys = deployStages(decided);
  const jobs: Record<string, unknown> = {
    build: {
      'runs-on': 'ubuntu-24.04',
      permissions: { contents: 'read', packages: 'write' },
      outputs: { image: '${{ steps.push.outputs.image }}', digest: '${{ steps.push.outputs.digest }}' },
      steps: [
        { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
        {
          name: 'Build and push the one image, by digest',
          id: 'push',
          env: { IMAGE: `ghcr.io/\${{ github.repository_owner }}/${IMAGE_REPO}` },
          run: [
            'echo "${{ secrets.GITHUB_TOKEN }}" | docker login ghcr.io -u "${{ github.actor }}" --password-stdin',
            'docker buildx build --push --provenance=mode=max --sbom=true --metadata-file meta.json -t "${IMAGE}:${{ github.sha }}" .',
            'echo "image=${IMAGE}" >> "$GITHUB_OUTPUT"',
            'echo "digest=$(jq -r \'."containerimage.digest"\' meta.json)" >> "$GITHUB_OUTPUT"',
          ].join('\n'),
        },
      ],
    },
    test: {
      'runs-on': 'ubuntu-24.04',
      needs: ['build'],
      permissions: { contents: 'read' },
      steps: [{ uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } }, { name: 'Unit and integration tests (JUnit XML)', run: 'make test' }],
    },
    security: {
      'runs-on': 'ubuntu-24.04',
      needs: ['build'],
      permissions: { contents: 'read', packages: 'read' },
      steps: [
        {
          name: 'Fail on critical vulnerabilities',
          env: { IMAGE: `ghcr.io/\${{ github.repository_owner }}/${IMAGE_REPO}@\${{ needs.build.outputs.digest }}` },
          run: 'trivy image --severity CRITICAL --exit-code 1 "${IMAGE}"',
        },
      ],
    },
    ...(signing === 'called'
      ? {
          // Sign, attest and add SLSA L3 provenance in the supply-chain workflow, for the digest built above.
          sign: {
            needs: ['build', 'test', 'security'],
            if: "github.ref == 'refs/heads/main'",
            permissions: { contents: 'read', packages: 'write', 'id-token': 'write', actions: 'read' },
            uses: './.github/workflows/release-signing.yml',
            with: { image: '${{ needs.build.outputs.image }}', digest: '${{ needs.build.outputs.digest }}' },
          },
        }
      : {
          publish: {
            'runs-on': 'ubuntu-24.04',
            needs: ['build', 'test', 'security'],
            if: "github.ref == 'refs/heads/main'",
            permissions: { contents: 'read', packages: 'write', 'id-token': 'write' },
            steps: [
              { uses: pinnedUses('sigstore/cosign-installer') },
              {
                name: 'Sign the digest (keyless, OIDC)',
                env: { IMAGE: `ghcr.io/\${{ github.repository_owner }}/${IMAGE_REPO}@\${{ needs.build.outputs.digest }}` },
                run: 'cosign sign --yes "${IMAGE}"',
              },
            ],
          },
          provenance: {
            needs: ['build', 'publish'],
            if: "github.ref == 'refs/heads/main'",
            permissions: { actions: 'read', 'id-token': 'write', packages: 'write' },
            uses: SLSA_CONTAINER_GENERATOR,
            with: { image: '${{ needs.build.outputs.image }}', digest: '${{ needs.build.outputs.digest }}', 'registry-username': '${{ github.actor }}' },
            secrets: { 'registry-password': '${{ secrets.GITHUB_TOKEN }}' },
          },
        }),
  };
  let previous = signing === 'called' ? 'sign' : 'provenance';
  for (const stage of deploys) {
    const environment = stage.replace(/^deploy_/, '');
    jobs[stage.replace(/_/g, '-')] = {
      'runs-on': 'ubuntu-24.04',
      needs: [previous, 'build'],
      environment,
      permissions: { contents: 'read' },
      concurrency: { group: `promote-${environment}`, 'cancel-in-progress': false },
      steps: [
        { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
        { uses: pinnedUses('sigstore/cosign-installer') },
        {
          name: `Promote the verified digest to ${environment} through the GitOps repo`,
          env: { DIGEST: '${{ needs.build.outputs.digest }}', TARGET: environment },
          run: 'scripts/promote.sh "${DIGEST}" "${TARGET}"',
        },
      ],
    };
    previous = stage.replace(/_/g, '-');
  }
  return {
    name: 'release',
    on: { pull_request: { branches: ['main'] }, push: { branches: ['main'] } },
    permissions: { contents: 'read' },
    concurrency: { group: 'release-${{ github.ref }}', 'cancel-in-progress': false },
    jobs,
  };
}

function gitlabPipeline(decided: Decided): unknown {
  const deploys = deployStages(decided);
  const pipeline: Record<string, unknown> = {
    stages: ['build', 'test', 'security', 'publish', ...deploys],
    default: { image: 'docker:27', interruptible: true },
    build: {
      stage: 'build',
      services: ['docker:27-dind'],
      script: [
        'echo "$CI_REGISTRY_PASSWORD" | docker login "$CI_REGISTRY" -u "$CI_REGISTRY_USER" --password-stdin',
        'docker buildx build --push --metadata-file meta.json -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA" .',
        'echo "DIGEST=$(jq -r \'."containerimage.digest"\' meta.json)" > build.env',
      ],
      artifacts: { reports: { dotenv: 'build.env' } },
    },
    test: { stage: 'test', image: 'node:22', script: ['make test'], artifacts: { reports: { junit: 'reports/junit.xml' } } },
    security: { stage: 'security', image: 'aquasec/trivy:0.57.0', script: ['trivy image --severity CRITICAL --exit-code 1 "$CI_REGISTRY_IMAGE@$DIGEST"'] },
    sign: {
      stage: 'publish',
      image: 'alpine:3.20',
      id_tokens: { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } },
      rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
      script: ['cosign sign --yes "$CI_REGISTRY_IMAGE@$DIGEST"'],
    },
  };
  for (const stage of deploys) {
    pipeline[stage] = {
      stage,
      rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
      environment: { name: stage.replace(/^deploy_/, '') },
      resource_group: stage,
      script: [`scripts/promote.sh "$DIGEST" "${stage.replace(/^deploy_/, '')}"`],
    };
  }
  return pipeline;
}

function azurePipeline(decided: Decided): unknown {
  const deploys = deployStages(decided);
  return {
    trigger: { branches: { include: ['main'] } },
    pr: { branches: { include: ['main'] } },
    stages: [
      {
        stage: 'build',
        jobs: [
          {
            job: 'build',
            pool: { vmImage: 'ubuntu-24.04' },
            steps: [
              { script: 'docker buildx build --push --metadata-file meta.json -t "$(REGISTRY)/crm-platform/app:$(Build.SourceVersion)" .', displayName: 'Build and push once' },
              { script: 'trivy image --severity CRITICAL --exit-code 1 "$(REGISTRY)/crm-platform/app:$(Build.SourceVersion)"', displayName: 'Fail on critical vulnerabilities' },
            ],
          },
        ],
      },
      ...deploys.map((stage) => ({
        stage,
        condition: "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))",
        jobs: [
          {
            deployment: stage,
            environment: stage.replace(/^deploy_/, ''),
            pool: { vmImage: 'ubuntu-24.04' },
            strategy: { runOnce: { deploy: { steps: [{ checkout: 'self' }, { script: `scripts/promote.sh "$(DIGEST)" "${stage.replace(/^deploy_/, '')}"`, displayName: 'Promote the verified digest via Git' }] } } },
          },
        ],
      })),
    ],
  };
}

function pipelineArtifact(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const vendor = decided.get<string>('pipeline_blueprint.ci_vendor');
  const header = 'Build once, verify, sign by digest, then promote the same digest through Git. Generated by Ringmaster.';
  const kb = ['KB_01#Build_Once', 'KB_02#Trunk_Based', 'KB_04#Signing'] as const;
  if (vendor === 'gitlab_ci') {
    return { name: 'pipeline_template.yaml', path: '.gitlab-ci.yml', type: 'template', kb, body: { format: 'yaml', schema: 'gitlab-ci', header, documents: [gitlabPipeline(decided)] } };
  }
  if (vendor === 'azure_devops') {
    return { name: 'pipeline_template.yaml', path: 'azure-pipelines.yml', type: 'template', kb, body: { format: 'yaml', schema: 'azure-pipelines', header, documents: [azurePipeline(decided)] } };
  }
  return { name: 'pipeline_template.yaml', path: '.github/workflows/release.yml', type: 'template', kb, body: { format: 'yaml', schema: 'github-workflow', header, documents: [githubPipeline(decided, ctx.companions?.includes('supply-chain') === true ? 'called' : 'own')] } };
}

/** The Git-driven promotion every deploy stage runs: verify the signature, then change the GitOps repo. */
function promoteScript(ctx: ModeContext): ArtifactSpec {
  const cloud = ctx.profile.infra.cloud_provider;
  return {
    name: 'promote.sh',
    path: 'scripts/promote.sh',
    type: 'template',
    kb: ['KB_01#Build_Once', 'KB_04#Signing', 'KB_06#GitOps'],
    body: {
      format: 'shell',
      summary: 'Promote an already built, signed image digest to one target (ring or region) by changing the GitOps repository.\nUsage: promote.sh sha256:<digest> <target>. Never rebuilds; never touches the cluster directly.',
      vars: { IMAGE_REPO: `registry.example.com/${IMAGE_REPO}`, WORKLOAD_IMAGE, CONFIG_REPO: 'git@github.com:example-org/crm-platform-config.git', CLOUD: cloud },
      script: `digest="\${1:?usage: promote.sh sha256:<digest> <target>}"
target="\${2:?usage: promote.sh sha256:<digest> <target>}"
case "\${digest}" in
  sha256:*) ;;
  *) echo "promote.sh: expected a sha256 digest, got \${digest}" >&2; exit 2 ;;
esac
case "\${target}" in
  *[!a-z0-9_-]*|'') echo "promote.sh: target must be a ring or region id" >&2; exit 2 ;;
esac

# Only a signature made by this repository's release workflow is accepted.
cosign verify \\
  --certificate-identity-regexp '^https://github.com/example-org/crm-platform/.github/workflows/release.yml@refs/heads/main$' \\
  --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
  "\${IMAGE_REPO}@\${digest}" > /dev/null

workdir="$(mktemp -d)"
trap 'rm -rf "\${workdir}"' EXIT
git clone --depth 1 "\${CONFIG_REPO}" "\${workdir}/config"
cd "\${workdir}/config/envs/\${target}"
kustomize edit set image "\${WORKLOAD_IMAGE}=\${IMAGE_REPO}@\${digest}"
git commit -am "promote \${digest} to \${target} (cloud: \${CLOUD})"
git push origin HEAD`,
    },
  };
}

function residencyArtifacts(ctx: ModeContext): ArtifactSpec[] {
  const residency = [...ctx.profile.crm.data_residency_regions];
  const regions = deployRegions(ctx.profile);
  const allowed = residency.map((r) => JSON.stringify(r)).join(', ');
  const jurisdictions = [...new Set(residency.map(jurisdictionOf))];
  const firstResidency = residency[0] ?? 'eu-central-1';
  const outside = regions.find((r) => !residency.includes(r)) ?? 'us-east-1';
  return [
    {
      name: 'opa_residency_policy.rego',
      path: 'policy/residency.rego',
      type: 'policy',
      kb: ['KB_18#Residency', 'KB_06#Policy_As_Code'],
      body: {
        format: 'rego',
        package: 'residency',
        rules: `# Data residency beats architecture elegance [KBTRACE: KB_18#Residency].
# input: { "tenant": { "residency": "${jurisdictions[0] ?? 'eu'}" }, "region": "<target region>" }

residency_regions := {${allowed}}

jurisdiction := {${residency.map((r) => `${JSON.stringify(r)}: ${JSON.stringify(jurisdictionOf(r))}`).join(', ')}}

deny contains msg if {
	input.tenant.residency in {${jurisdictions.map((j) => JSON.stringify(j)).join(', ')}}
	not input.region in residency_regions
	msg := sprintf("tenant data with %s residency must stay in %v, not %s", [input.tenant.residency, residency_regions, input.region])
}

deny contains msg if {
	input.region in residency_regions
	jurisdiction[input.region] != input.tenant.residency
	msg := sprintf("region %s only serves %s-resident tenants", [input.region, jurisdiction[input.region]])
}`,
        tests: `test_resident_tenant_in_home_region_allowed if {
	count(data.residency.deny) == 0 with input as {"tenant": {"residency": ${JSON.stringify(jurisdictionOf(firstResidency))}}, "region": ${JSON.stringify(firstResidency)}}
}

test_resident_tenant_outside_home_region_denied if {
	count(data.residency.deny) > 0 with input as {"tenant": {"residency": ${JSON.stringify(jurisdictionOf(firstResidency))}}, "region": ${JSON.stringify(outside)}}
}`,
      },
    },
    {
      name: 'pipeline_regions.yaml',
      path: '.github/workflows/deploy-regions.yml',
      type: 'template',
      kb: ['KB_18#Residency'],
      body: {
        format: 'yaml',
        schema: 'github-workflow',
        header: 'One promotion per region, each behind the OPA residency gate. Generated by Ringmaster.',
        documents: [
          {
            name: 'deploy-regions',
            on: { workflow_call: { inputs: { digest: { type: 'string', required: true } } } },
            permissions: { contents: 'read' },
            jobs: {
              'residency-gate': {
                'runs-on': 'ubuntu-24.04',
                permissions: { contents: 'read' },
                strategy: { 'fail-fast': true, matrix: { include: regions.map((region) => ({ region, jurisdiction: jurisdictionOf(region) })) } },
                steps: [
                  { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
                  {
                    name: 'opa_residency_check',
                    env: { REGION: '${{ matrix.region }}', JURISDICTION: '${{ matrix.jurisdiction }}' },
                    run: 'jq -n --arg r "${REGION}" --arg j "${JURISDICTION}" \'{region: $r, tenant: {residency: $j}}\' > input.json\nopa eval --fail-defined -d policy/residency.rego -i input.json \'data.residency.deny[_]\'',
                  },
                ],
              },
              deploy: {
                'runs-on': 'ubuntu-24.04',
                needs: ['residency-gate'],
                permissions: { contents: 'read' },
                strategy: { 'max-parallel': 1, matrix: { include: regions.map((region) => ({ region })) } },
                environment: 'production-${{ matrix.region }}',
                steps: [
                  { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
                  { uses: pinnedUses('sigstore/cosign-installer') },
                  { name: 'Promote the verified digest to the region', env: { DIGEST: '${{ inputs.digest }}', REGION: '${{ matrix.region }}' }, run: 'scripts/promote.sh "${DIGEST}" "${REGION}"' },
                ],
              },
            },
          },
        ],
      },
    },
    {
      name: 'audit_region_log.json',
      path: 'evidence/audit_region_log.json',
      type: 'template',
      kb: ['KB_18#Residency', 'KB_10#Audit'],
      body: {
        format: 'json',
        schema: 'plain',
        value: {
          description: 'Residency evidence: one record per region promotion, written by the opa_residency_check gate.',
          record_fields: ['deployment', 'digest', 'region', 'jurisdiction', 'policy', 'compliant', 'checked_at'],
          expected: regions.map((region) => ({ region, jurisdiction: jurisdictionOf(region), policy: 'policy/residency.rego', compliant: true })),
        },
      },
    },
  ];
}

/** The profile's cadence for a document: free text is shown only when it is a plain phrase. */
function describeCadence(cadence: string): string {
  if (cadence === 'unknown') return 'not stated';
  return /^[A-Za-z0-9][A-Za-z0-9 ,.'-]{0,39}$/.test(cadence) ? cadence : 'as stated in the profile';
}

function changeApprovalArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const vendor = decided.get<string>('pipeline_blueprint.ci_vendor');
  const gateJob =
    vendor === 'gitlab_ci'
      ? { schema: 'gitlab-ci' as const, path: 'ci/approval_gate.gitlab-ci.yml', doc: { approval_gate: { stage: 'deploy', environment: { name: 'production', action: 'prepare' }, when: 'manual', allow_failure: false, rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }], script: ['echo "CAB approval recorded by $GITLAB_USER_LOGIN for $CI_COMMIT_SHA"'] } } }
      : {
          schema: 'github-workflow' as const,
          path: '.github/workflows/approval-gate.yml',
          doc: {
            name: 'approval-gate',
            on: { workflow_call: { inputs: { digest: { type: 'string', required: true } } } },
            permissions: { contents: 'read' },
            jobs: {
              'approval-gate': {
                'runs-on': 'ubuntu-24.04',
                // Required reviewers (the CAB) are set on the environment; the job waits for their approval.
                environment: { name: 'production', url: 'https://status.example.com' },
                permissions: { contents: 'read' },
                steps: [{ name: 'Record the approved digest', env: { DIGEST: '${{ inputs.digest }}' }, run: 'echo "CAB approved ${DIGEST}" >> "$GITHUB_STEP_SUMMARY"' }],
              },
            },
          },
        };
  return [
    {
      name: 'freeze_policy.rego',
      path: 'policy/freeze.rego',
      type: 'policy',
      kb: ['KB_11#Code_Freeze', 'KB_06#Policy_As_Code'],
      body: {
        format: 'rego',
        package: 'freeze',
        rules: `# Code freeze windows, checked on every promotion [KBTRACE: KB_11#Code_Freeze].
# input: { "date": "2026-12-20", "freeze_windows": [{"start": "2026-12-15", "end": "2027-01-05"}], "exception": {"approved": false} }

freeze_active if {
	some window in input.freeze_windows
	input.date >= window.start
	input.date <= window.end
}

deny contains msg if {
	freeze_active
	not input.exception.approved
	msg := sprintf("Code freeze active on %s: promotion needs an approved freeze exception", [input.date])
}`,
        tests: `windows := [{"start": "2026-12-15", "end": "2027-01-05"}]

test_promotion_inside_freeze_denied if {
	count(data.freeze.deny) == 1 with input as {"date": "2026-12-20", "freeze_windows": windows, "exception": {"approved": false}}
}

test_promotion_with_approved_exception_allowed if {
	count(data.freeze.deny) == 0 with input as {"date": "2026-12-20", "freeze_windows": windows, "exception": {"approved": true}}
}

test_promotion_outside_freeze_allowed if {
	count(data.freeze.deny) == 0 with input as {"date": "2027-02-01", "freeze_windows": windows, "exception": {"approved": false}}
}`,
      },
    },
    { name: 'approval_gate_job.yaml', path: gateJob.path, type: 'template', kb: ['KB_11#CAB', 'KB_10#Segregation_Of_Duties'], body: { format: 'yaml', schema: gateJob.schema, header: 'Production waits for a recorded CAB approval; the approver cannot be the change author.', documents: [gateJob.doc] } },
    {
      name: 'exception_request_form.md',
      path: 'docs/change/freeze_exception_request.md',
      type: 'checklist',
      kb: ['KB_11#Code_Freeze', 'KB_11#Break_Glass'],
      body: {
        format: 'markdown',
        doc: {
          title: 'Freeze Exception Request',
          intro: `Fill in and attach to the change request. Cadence: ${describeCadence(ctx.profile.release_policy.cadence)}; approval level: ${ctx.profile.release_policy.change_approval_level}.`,
          sections: [
            { heading: 'Request', checklist: ['Reason: why this change cannot wait for the end of the freeze', 'Impact: tenants, rings and regions affected', 'Risk: what could go wrong and how it is detected', 'Rollback: the previous signed digest to return to'] },
            { heading: 'Approval', checklist: ['CAB approver named (not the change author)', 'Approval recorded in the change log with the digest', 'Expiry set for the exception'] },
          ],
        },
      },
    },
  ];
}

export function blueprintArtifacts(ctx: ModeContext, decided: Decided): ArtifactSpec[] {
  const artifacts = [pipelineArtifact(ctx, decided), promoteScript(ctx)];
  if (ctx.profile.crm.data_residency_regions.length > 0) artifacts.push(...residencyArtifacts(ctx));
  if (ctx.profile.release_policy.change_approval_level === 'cab') artifacts.push(...changeApprovalArtifacts(ctx, decided));
  return artifacts;
}
