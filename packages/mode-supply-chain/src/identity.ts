import { azureCloudScriptStep, ON_MAIN_BRANCH, gitlabAttestProvenance, GITLAB_DOCKER, gitlabBuildAndPush, gitlabImageVariables, gitlabServiceVars, serviceArtifactName, serviceVariableName, gitlabCosignLogin, azureRegistryLogin, azureToolSteps, githubRegistryLogin, PINNED_ACTIONS, pinnedUses, SLSA_CONTAINER_GENERATOR, TOOL_VERSIONS, type ArtifactSpec, type Cloud, type DeliverySystem, type ModeContext, type PinnedAction } from '@ringmaster/core';
import { ciTarget, type CiTarget } from './intent.js';
import { azureDevOpsEntraClaims, githubSubjects } from './oidc-subjects.js';

/**
 * Third-party actions used here that core's PINNED_ACTIONS does not hold yet:
 * full commit SHAs, versions listed in each workflow's header comment.
 */
/** The header line naming the versions behind the pinned SHAs of a workflow. */
export function pinsComment(actions: readonly PinnedAction[]): string {
  return `Pinned actions: ${actions.map((a) => `${a} ${PINNED_ACTIONS[a].version}`).join(', ')}.`;
}

/** A JSON policy file: `base` names the file, `value` is its document. */
export function jsonPolicy(base: Omit<ArtifactSpec, 'body'>, value: unknown, schema: 'iam-policy' | 'plain' = 'plain'): ArtifactSpec {
  return { ...base, body: { format: 'json', schema, value } };
}


/** OIDC issuer and the subjects the release job may present (GitHub: name-only and immutable-id forms), per CI vendor. */
export function oidcClaims(ci: CiTarget, d: DeliverySystem): { issuer: string; issuerHost: string; subjects: string[]; audienceAws: string } {
  switch (ci) {
    case 'github_actions':
      return {
        issuer: 'https://token.actions.githubusercontent.com',
        issuerHost: 'token.actions.githubusercontent.com',
        subjects: githubSubjects(d.appRepo.path, 'ref:refs/heads/main', { owner: d.oidc.githubOwnerId, repo: d.oidc.githubRepositoryId }),
        audienceAws: 'sts.amazonaws.com',
      };
    case 'gitlab_ci':
      return {
        issuer: 'https://gitlab.com',
        issuerHost: 'gitlab.com',
        subjects: [`project_path:${d.appRepo.path}:ref_type:branch:ref:main`],
        audienceAws: 'sts.amazonaws.com',
      };
    case 'azure_devops':
      return { ...entraClaimsAsSubjects(d), audienceAws: 'api://AzureADTokenExchange' };
  }
}

function entraClaimsAsSubjects(d: DeliverySystem): { issuer: string; issuerHost: string; subjects: string[] } {
  const { issuer, issuerHost, subject } = azureDevOpsEntraClaims({
    tenantId: d.cloud.azureTenantId,
    subjectPrefix: d.oidc.azureDevOpsSubjectPrefix,
    organizationId: d.oidc.azureDevOpsOrganizationId,
    serviceConnectionId: d.oidc.azureDevOpsServiceConnectionId,
  });
  return { issuer, issuerHost, subjects: [subject] };
}

/** An Entra federated credential matches one exact subject: say which one this is and what the other form needs. */
function azureCredentialDescription(ci: CiTarget, subjects: string[]): string {
  const base = 'Federated credential for the CI release job on main; no client secret exists.';
  if (ci === 'azure_devops') return `${base} Entra-issued service connection token; copy the exact issuer and subject from the service connection.`;
  if (subjects.length > 1) return `${base} Name-only GitHub subject; a repository with immutable subject claims (created, renamed or transferred since mid-2026, or opted in) needs a second credential with subject ${subjects[1]}.`;
  return base;
}

/** The cloud-side trust for the CI job's OIDC token: AWS IAM trust policy, GCP provider, Azure federated credential or Vault JWT role. */
export function oidcTrustPolicy(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const c = oidcClaims(ci, ctx.delivery);
  const d = ctx.delivery;
  const cloud: Cloud = ctx.profile.infra.cloud_provider;
  const kb = ['KB_05#OIDC_Identity', 'KB_05#OIDC', ci === 'gitlab_ci' ? 'KB_05#GitLab_OIDC' : ci === 'azure_devops' ? 'KB_05#Azure_DevOps_OIDC' : 'KB_05#GitHub_Actions_OIDC'] as const;
  const base = { name: 'oidc_trust_policy.json', path: 'iam/oidc_trust_policy.json', type: 'policy' as const, kb };
  if (cloud === 'aws') {
    return jsonPolicy(base, {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowCiReleaseJobViaOidc',
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${d.cloud.awsAccountId}:oidc-provider/${c.issuerHost}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${c.issuerHost}:aud`]: c.audienceAws },
            StringLike: { [`${c.issuerHost}:sub`]: c.subjects.length === 1 ? c.subjects[0] : c.subjects },
          },
        },
      ],
    }, 'iam-policy');
  }
  if (cloud === 'gcp') {
    const condition =
      ci === 'github_actions'
        ? `assertion.repository == '${d.appRepo.path}' && assertion.ref == 'refs/heads/main'`
        : ci === 'gitlab_ci'
          ? `assertion.project_path == '${d.appRepo.path}' && assertion.ref == 'main'`
          : `assertion.sub == '${c.subjects[0]}'`;
    return jsonPolicy(base, {
      name: `projects/${d.cloud.gcpProjectNumber}/locations/global/workloadIdentityPools/ci-pool/providers/ci-release`,
      displayName: 'CI release OIDC',
      attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': ci === 'gitlab_ci' ? 'assertion.project_path' : 'assertion.repository' },
      attributeCondition: condition,
      oidc: { issuerUri: c.issuer },
    });
  }
  if (cloud === 'azure') {
    return jsonPolicy(base, {
      name: 'crm-release-main',
      issuer: c.issuer,
      subject: c.subjects[0],
      audiences: ['api://AzureADTokenExchange'],
      description: azureCredentialDescription(ci, c.subjects),
    });
  }
  // on_prem or unknown: a Vault JWT auth role (portable across clouds), for `vault write auth/jwt/role/ci-release @oidc_trust_policy.json`.
  return jsonPolicy(base, {
    role_type: 'jwt',
    bound_audiences: [ci === 'github_actions' ? `https://github.com/${d.organization}` : ci === 'gitlab_ci' ? 'https://gitlab.com' : 'api://AzureADTokenExchange'],
    bound_claims: { sub: c.subjects },
    bound_claims_type: 'string',
    user_claim: 'sub',
    token_policies: ['ci-release'],
    token_ttl: '15m',
    token_max_ttl: '30m',
  });
}

/**
 * Log in to the cloud with `pin` (through OIDC), then store the SBOM as release evidence with `store`,
 * which names the service's SBOM by "${SERVICE}" (one per service of the release).
 */
function loginAndStore(pin: PinnedAction, name: string, inputs: Record<string, string>, store: string, service: string): { steps: unknown[]; pins: PinnedAction[] } {
  return { pins: [pin], steps: [{ name, uses: pinnedUses(pin), with: inputs }, { name: 'Store the SBOM as release evidence', env: { SERVICE: service }, run: store }] };
}

/** The cloud login step of the GitHub release workflow, by cloud; none on-prem/unknown (signing is keyless). `service`: the service's name or an expression of it. */
function githubCloudSteps(cloud: Cloud, service: string): { steps: unknown[]; pins: PinnedAction[] } {
  switch (cloud) {
    case 'aws':
      return loginAndStore(
        'aws-actions/configure-aws-credentials',
        'Assume the evidence role through OIDC (no static keys)',
        { 'role-to-assume': '${{ vars.AWS_EVIDENCE_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}', 'role-session-name': 'release-${{ github.run_id }}' },
        'aws s3 cp sbom.spdx.json "s3://${{ vars.EVIDENCE_BUCKET }}/evidence/${{ github.sha }}/${SERVICE}/sbom.spdx.json"',
        service,
      );
    case 'gcp':
      return loginAndStore(
        'google-github-actions/auth',
        'Authenticate through Workload Identity Federation (no key file)',
        { workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', service_account: '${{ vars.GCP_EVIDENCE_SERVICE_ACCOUNT }}' },
        'gcloud storage cp sbom.spdx.json "gs://${{ vars.EVIDENCE_BUCKET }}/evidence/${{ github.sha }}/${SERVICE}/sbom.spdx.json"',
        service,
      );
    case 'azure':
      return loginAndStore(
        'azure/login',
        'Log in to Azure with a federated credential (no client secret)',
        { 'client-id': '${{ vars.AZURE_CLIENT_ID }}', 'tenant-id': '${{ vars.AZURE_TENANT_ID }}', 'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}' },
        'az storage blob upload --auth-mode login --account-name "${{ vars.EVIDENCE_ACCOUNT }}" --container-name evidence --name "${{ github.sha }}/${SERVICE}/sbom.spdx.json" --file sbom.spdx.json',
        service,
      );
    default:
      return { pins: [], steps: [] };
  }
}

/** A GitHub job made once per service: `base` itself when the plan has one service, `base-<service>` when it has several. */
function githubServiceJobId(d: DeliverySystem, base: string, service: string): string {
  return d.services.length === 1 ? base : `${base}-${service}`;
}

/**
 * The jobs that sign one image by digest and attest its SBOM (`publish`), then add SLSA L3
 * provenance (`provenance`). `image`, `digest`, `service`: values or expressions; `build`: the steps
 * that build and push the image first (the workflow alone, step id `build`), or none (called with a digest).
 */
function githubSigningJobs(ctx: ModeContext, ids: { publish: string; provenance: string }, image: { image: string; digest: string; service: string }, build: unknown[]): Record<string, unknown> {
  const { steps: cloudSteps } = githubCloudSteps(ctx.profile.infra.cloud_provider, image.service);
  return {
    [ids.publish]: {
      'runs-on': 'ubuntu-24.04',
      permissions: { 'id-token': 'write', contents: 'read', packages: 'write' },
      env: { IMAGE: image.image },
      outputs: { image: '${{ env.IMAGE }}', digest: image.digest },
      steps: [
        ...(build.length > 0 ? [{ uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } }] : []),
        githubRegistryLogin(ctx.delivery),
        ...build,
        { uses: pinnedUses('sigstore/cosign-installer') },
        {
          name: 'Generate the SBOM from the pushed image',
          uses: pinnedUses('anchore/sbom-action'),
          with: { image: `\${{ env.IMAGE }}@${image.digest}`, format: 'spdx-json', 'output-file': 'sbom.spdx.json', 'upload-artifact': false },
        },
        {
          name: 'Sign the image and attest the SBOM (keyless, by digest)',
          env: { DIGEST: image.digest },
          run: 'cosign sign --yes "${IMAGE}@${DIGEST}"\ncosign attest --yes --type spdxjson --predicate sbom.spdx.json "${IMAGE}@${DIGEST}"\n',
        },
        ...cloudSteps,
      ],
    },
    [ids.provenance]: {
      needs: ids.publish,
      permissions: { actions: 'read', 'id-token': 'write', packages: 'write' },
      uses: SLSA_CONTAINER_GENERATOR,
      with: { image: `\${{ needs['${ids.publish}'].outputs.image }}`, digest: `\${{ needs['${ids.publish}'].outputs.digest }}`, 'registry-username': '${{ github.actor }}' },
      secrets: { 'registry-password': '${{ secrets.GITHUB_TOKEN }}' },
    },
  };
}

/** The CI job that gets an OIDC token, signs by digest and attaches the SBOM; file per CI vendor. */
export function ciOidcWorkflow(ctx: ModeContext): ArtifactSpec {
  const ci = ciTarget(ctx.profile);
  const cloud = ctx.profile.infra.cloud_provider;
  if (ci === 'gitlab_ci') return gitlabOidcJob(ctx);
  if (ci === 'azure_devops') return azureDevOpsOidcPipeline(ctx);
  const d = ctx.delivery;
  const { pins } = githubCloudSteps(cloud, '');
  // With the blueprint's release pipeline in the same plan, this workflow signs and attests the
  // digest that pipeline built (a reusable workflow it calls once per service); alone, it builds
  // every service's image itself, one publish and one provenance job per service.
  const reusable = ctx.companions?.includes('blueprint') === true;
  const allPins: PinnedAction[] = [...(reusable ? [] : (['docker/build-push-action'] as PinnedAction[])), 'docker/login-action', 'anchore/sbom-action', ...pins];
  const jobs = reusable
    ? githubSigningJobs(ctx, { publish: 'publish', provenance: 'provenance' }, { image: '${{ inputs.image }}', digest: '${{ inputs.digest }}', service: '${{ inputs.service }}' }, [])
    : Object.assign(
        {},
        ...d.services.map((svc) =>
          githubSigningJobs(
            ctx,
            { publish: githubServiceJobId(d, 'publish', svc.name), provenance: githubServiceJobId(d, 'provenance', svc.name) },
            { image: svc.image, digest: '${{ steps.build.outputs.digest }}', service: svc.name },
            [{ id: 'build', name: `Build ${svc.name} once and push by digest`, uses: pinnedUses('docker/build-push-action'), with: { context: svc.buildContext, push: true, tags: '${{ env.IMAGE }}:${{ github.sha }}' } }],
          ),
        ),
      );
  const workflow = {
    name: 'release-signing',
    on: reusable
      ? { workflow_call: { inputs: { service: { type: 'string', required: true }, image: { type: 'string', required: true }, digest: { type: 'string', required: true } } } }
      : { push: { branches: ['main'] } },
    permissions: { contents: 'read' },
    jobs,
  };
  return {
    name: 'github_actions_oidc.yaml',
    path: '.github/workflows/release-signing.yml',
    type: 'template',
    kb: ['KB_05#GitHub_Actions_OIDC', 'KB_05#OIDC_Identity', 'KB_04#Signing', 'KB_04#Provenance', 'KB_17#Action_Pinning'],
    body: {
      format: 'yaml',
      schema: 'github-workflow',
      header: [
        reusable
          ? 'Release signing on GitHub Actions, called by the release pipeline once per service with the digest it built:'
          : 'Release signing on GitHub Actions, for every service of the release:',
        'the job gets a short-lived OIDC token (id-token: write), signs the image by digest with',
        'cosign (keyless), attests the SBOM, and the SLSA generator adds L3 provenance. Images go',
        'to GHCR with the per-job GITHUB_TOKEN, which the SLSA container generator needs as its',
        'registry password; no static secret is stored.',
        pinsComment(allPins),
        'The SLSA generator stays on its release tag: its builder identity depends on it.',
      ].join('\n'),
      documents: [workflow],
    },
  };
}

function gitlabOidcJob(ctx: ModeContext): ArtifactSpec {
  const cloud = ctx.profile.infra.cloud_provider;
  // With the blueprint's .gitlab-ci.yml in the plan, this fragment is included there and signs the digest its build job made.
  const included = ctx.companions?.includes('blueprint') === true;
  const tokens: Record<string, { aud: string }> = { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } };
  const d = ctx.delivery;
  // Each service's SBOM file (sbom.spdx.json with one service).
  const sbomOf = (service: string): string => serviceArtifactName(d, 'sbom.spdx.json', service);
  const evidence: string[] = [];
  if (cloud === 'aws') {
    tokens['AWS_ID_TOKEN'] = { aud: 'sts.amazonaws.com' };
    evidence.push(
      'echo "${AWS_ID_TOKEN}" > "${CI_PROJECT_DIR}/.aws_web_identity"',
      'export AWS_ROLE_ARN="${AWS_EVIDENCE_ROLE_ARN}" AWS_ROLE_SESSION_NAME="gitlab-${CI_PIPELINE_ID}" AWS_WEB_IDENTITY_TOKEN_FILE="${CI_PROJECT_DIR}/.aws_web_identity"',
      ...d.services.map((s) => `aws s3 cp ${sbomOf(s.name)} "s3://\${EVIDENCE_BUCKET}/evidence/\${CI_COMMIT_SHA}/${sbomOf(s.name)}"`),
    );
  }
  const onMain = ON_MAIN_BRANCH.gitlab;
  const sign = {
    stage: included ? 'publish' : 'sign',
    image: TOOL_VERSIONS.alpineImage,
    needs: [{ job: 'build', artifacts: true }, ...(included ? ['test', 'sast', 'security'] : [])],
    rules: onMain,
    id_tokens: tokens,
    script: [
      `apk add --no-cache cosign syft docker-cli docker-cli-buildx${cloud === 'aws' ? ' aws-cli' : ''}`,
      gitlabCosignLogin(d),
      // Every service's image, by the digest its build pushed.
      ...d.services.flatMap((s) => {
        const { ref } = gitlabServiceVars(d, s);
        return [
          `syft scan "${ref}" -o spdx-json=${sbomOf(s.name)}`,
          `cosign sign --yes "${ref}"`,
          `cosign attest --yes --type spdxjson --predicate ${sbomOf(s.name)} "${ref}"`,
          ...gitlabAttestProvenance(ref),
        ];
      }),
      ...evidence,
    ],
  };
  const doc = included
    ? { 'sign-and-attest': sign }
    : {
        stages: ['build', 'sign'],
        variables: gitlabImageVariables(d),
        build: {
          stage: 'build',
          ...GITLAB_DOCKER,
          rules: onMain,
          variables: { ...GITLAB_DOCKER.variables, RUNNER_GENERATE_ARTIFACTS_METADATA: 'true' },
          script: gitlabBuildAndPush(d),
          artifacts: { reports: { dotenv: 'build.env' } },
        },
        'sign-and-attest': sign,
      };
  return {
    name: 'gitlab_ci_oidc.yml',
    path: 'ci/release-signing.gitlab-ci.yml',
    type: 'template',
    kb: ['KB_05#GitLab_OIDC', 'KB_05#OIDC_Identity', 'KB_04#Signing', 'KB_04#Provenance'],
    body: {
      format: 'yaml',
      schema: 'gitlab-ci',
      header: [
        'Release signing on GitLab CI: id_tokens give the job short-lived OIDC tokens (SIGSTORE_ID_TOKEN',
        'for keyless cosign, AWS_ID_TOKEN for the evidence upload on AWS); BuildKit records each image\'s SLSA',
        'provenance at build time and this job attaches it to the digest with cosign attest. Included from .gitlab-ci.yml.',
      ].join('\n'),
      documents: [doc],
    },
  };
}

function azureDevOpsOidcPipeline(ctx: ModeContext): ArtifactSpec {
  const cloud = ctx.profile.infra.cloud_provider;
  const d = ctx.delivery;
  // Per service: the job variable holding its digest, and the template parameter passing it in.
  const digestVar = (service: string): string => serviceVariableName(d, 'IMAGE_DIGEST', service);
  const digestParameter = (service: string): string => serviceVariableName(d, 'digest', service);
  const signSteps = d.services.map((s) =>
    azureCloudScriptStep(d, cloud, `Sign ${s.name} by digest with the KMS key (federated cloud identity)`, { path: 'scripts/cosign_sign.sh', args: `${s.name} "$(${digestVar(s.name)})"` }),
  );
  // With the blueprint's azure-pipelines.yml in the plan, this file is a stage template it includes
  // after its build stage, with the digests that stage pushed; alone, it is a pipeline of its own
  // that reads each digest from the file the build wrote (image.digest, one per service with several).
  const included = ctx.companions?.includes('blueprint') === true;
  const steps = [
    { checkout: 'self', persistCredentials: false },
    ...azureToolSteps(['cosign', 'syft']),
    azureRegistryLogin(d),
    ...(included
      ? []
      : [
          {
            bash: ['set -euo pipefail', ...d.services.flatMap((s) => [`digest="$(cat ${serviceArtifactName(d, 'image.digest', s.name)})"`, `echo "##vso[task.setvariable variable=${digestVar(s.name)}]\${digest}"`])].join('\n'),
            displayName: 'Read the digests written by the build stage',
          },
        ]),
    ...signSteps,
  ];
  const doc = included
    ? {
        parameters: d.services.map((s) => ({ name: digestParameter(s.name), type: 'string' })),
        stages: [
          {
            stage: 'sign',
            dependsOn: 'build',
            condition: ON_MAIN_BRANCH.azure,
            jobs: [{ job: 'sign', pool: { vmImage: 'ubuntu-24.04' }, variables: Object.fromEntries(d.services.map((s) => [digestVar(s.name), `\${{ parameters.${digestParameter(s.name)} }}`])), steps }],
          },
        ],
      }
    : { trigger: { branches: { include: ['main'] } }, pr: 'none', pool: { vmImage: 'ubuntu-24.04' }, variables: d.services.map((s) => ({ name: digestVar(s.name), value: '' })), steps };
  return {
    name: 'azure_pipelines_oidc.yml',
    path: '.azure-pipelines/release-signing.yml',
    type: 'template',
    kb: ['KB_05#Azure_DevOps_OIDC', 'KB_05#OIDC_Identity', 'KB_04#Signing'],
    body: {
      format: 'yaml',
      schema: 'azure-pipelines',
      header: [
        'Release signing on Azure DevOps: the service connection uses workload identity federation',
        '(no client secret). Azure DevOps tokens are not accepted by the public Sigstore Fulcio, so',
        'cosign signs with a cloud KMS key reached through that federated identity.',
        ...(included ? ['A stage template: azure-pipelines.yml includes it after its build stage and passes the digest of each service it pushed.'] : []),
      ].join('\n'),
      documents: [doc],
    },
  };
}
