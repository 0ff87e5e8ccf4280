import { GITLAB_DOCKER, ON_MAIN_BRANCH, azureRegistryLogin, azureToolSteps, cosignVerifyCommand, runOnCheckout, githubRegistryLogin, jurisdictionOf, pinnedUses, SLSA_CONTAINER_GENERATOR, TOOL_VERSIONS, verifyVars, configRepoAccess, configRepoVars, PROMOTION_SCRIPT, notGenerated, KUSTOMIZE_DIGEST_OF_IMAGE, gitlabAttestProvenance, gitlabBuildAndPush, serviceVariableName, gitlabImageVariables, gitlabServiceVars, gitlabCosignLogin, gitlabRegistryAuth, azureCloudScriptStep, type ArtifactSpec, type Decided, type DeliverySystem, type ModeContext, type TargetModel, type ArtifactOutcome } from '@ringmaster/core';

/** The ring or region deploy stages of the decided stage list. */
function deployStages(decided: Decided): string[] {
  return (decided.get<string[]>('pipeline_blueprint.stages') ?? []).filter((s) => s.startsWith('deploy_'));
}

const APPROVAL_GATE_GITLAB = 'ci/approval_gate.gitlab-ci.yml';

/** A CI job id for a stage (`deploy_ring0.a` -> `deploy-ring0-a`). */
const jobId = (stage: string): string => stage.replace(/[^A-Za-z0-9-]+/g, '-');

/**
 * The targets a deploy stage promotes to (deploy stages are made from the targets): the one target
 * the stage names, or else, where the stages are jurisdictions (a residency profile), the targets in
 * that jurisdiction, whether they are the residency regions or given environments with regions.
 */
function stageTargets(d: DeliverySystem, stage: string): TargetModel[] {
  const named = d.targets.filter((t) => t.name === stage);
  return named.length > 0 ? named : d.targets.filter((t) => t.jurisdiction === stage);
}

/** The names of the targets a deploy stage promotes to. */
function stageRegions(d: DeliverySystem, stage: string): string[] {
  return stageTargets(d, stage).map((t) => t.name);
}

/** The residency gate applies where the profile has residency requirements and every target is in a region. */
function residencyGated(ctx: ModeContext): boolean {
  return ctx.profile.crm.data_residency_regions.length > 0 && ctx.delivery.targets.every((t) => t.region !== null);
}

/**
 * The residency gate's check of one target region, the same on every CI vendor: the policy input
 * is what is being deployed (REGION, the target region) and the residency the stage's tenants
 * require (JURISDICTION), both from the job's environment. `dind`: OPA runs against GitLab's
 * docker-in-docker service rather than the runner's Docker.
 */
function residencyCheck(dind: boolean): string[] {
  return [
    'case "${REGION}${JURISDICTION}" in *[!A-Za-z0-9_-]*) echo "residency gate: unexpected region ${REGION} or jurisdiction ${JURISDICTION}" >&2; exit 2 ;; esac',
    `printf '{"region": "%s", "tenant": {"residency": "%s"}}\\n' "\${REGION}" "\${JURISDICTION}" > input.json`,
    ...runOnCheckout({ name: 'residency-gate', image: TOOL_VERSIONS.opaImage, args: "eval --fail-defined -d policy/residency.rego -i input.json 'data.residency.deny[_]'", dind }),
  ];
}

/**
 * A GitHub job made once per service: `base` itself when the plan has one service (its job ids stay
 * as they were), `base-<service>` when it has several.
 */
function githubServiceJobId(d: DeliverySystem, base: string, service: string): string {
  return d.services.length === 1 ? base : `${base}-${service}`;
}

/** Where a GitHub job finds every service's pushed digest: a JSON object by service name, the build job's `digests` output. */
const BUILT_DIGESTS = 'needs.build.outputs.digests';

/** The expression of one service's digest in `digests`, an expression holding the JSON object by service name. */
function githubDigestOf(digests: string, service: string): string {
  return `\${{ fromJSON(${digests})['${service}'] }}`;
}

/**
 * The promotion of every service to one target from a GitHub job (one promote.sh call per service):
 * cosign installed and logged in to read the signatures, the config-repo token from the environment.
 * `target` is a name or an expression; `digests` an expression holding the digests by service.
 */
function githubPromoteSteps(d: DeliverySystem, target: string, digests: string): unknown[] {
  return [
    { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
    githubRegistryLogin(d),
    { uses: pinnedUses('sigstore/cosign-installer') },
    ...d.services.map((svc) => ({
      name: `Verify and promote ${svc.name} to ${target} through the config repo`,
      env: { SERVICE: svc.name, DIGEST: githubDigestOf(digests, svc.name), TARGET: target, CONFIG_REPO_TOKEN: '${{ secrets.CONFIG_REPO_TOKEN }}' },
      run: `${PROMOTION_SCRIPT} "\${SERVICE}" "\${DIGEST}" "\${TARGET}"`,
    })),
  ];
}

/**
 * Push CD on Kubernetes (no GitOps operator): after the promotion commit, the same job logs in to
 * the cloud through OIDC (no static keys), gets the target cluster's credentials and runs the
 * scripted deploy, which applies the overlay at the verified digest. The ubuntu-24.04 runner image
 * has kubectl, aws, gcloud and az; AKS installs kubelogin (`az aks install-cli`), GKE its auth plugin. Null when the plan
 * has no cluster deploy: a GitOps operator deploys, or no scripted deploy / cloud login fits.
 */
function githubClusterDeploySteps(ctx: ModeContext, target: string, cluster: string, region: string | null): unknown[] | null {
  const d = ctx.delivery;
  if (d.gitops.tool !== 'none' || !d.gitops.kustomize || d.gitops.deployScript === null) return null;
  const deploy = { name: `Apply the overlay of ${target} at the verified digest`, env: { TARGET: target, CONFIG_REPO_TOKEN: '${{ secrets.CONFIG_REPO_TOKEN }}' }, run: `${d.gitops.deployScript} "\${TARGET}"` };
  switch (ctx.profile.infra.cloud_provider) {
    case 'aws':
      return [
        { name: 'Assume the deploy role through OIDC (no static keys)', uses: pinnedUses('aws-actions/configure-aws-credentials'), with: { 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}', 'aws-region': region ?? d.cloud.awsRegion, 'role-session-name': 'deploy-${{ github.run_id }}' } },
        { name: `Credentials for the EKS cluster of ${target}`, env: { CLUSTER: cluster, REGION: region ?? d.cloud.awsRegion }, run: 'aws eks update-kubeconfig --name "${CLUSTER}" --region "${REGION}"' },
        deploy,
      ];
    case 'gcp':
      return [
        { name: 'Authenticate through Workload Identity Federation (no key file)', uses: pinnedUses('google-github-actions/auth'), with: { workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', service_account: '${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}' } },
        {
          name: `Credentials for the GKE cluster of ${target}`,
          env: { CLUSTER: cluster, LOCATION: region ?? '${{ vars.GKE_LOCATION }}', PROJECT: d.cloud.gcpProjectId },
          // The runner image installs gcloud from Google's apt repository and then removes that
          // repository (actions/runner-images), so the auth plugin's package needs it added back.
          run: [
            'curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/cloud.google.gpg',
            'echo "deb [signed-by=/usr/share/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk main" | sudo tee /etc/apt/sources.list.d/google-cloud-sdk.list',
            'sudo apt-get update -qq',
            'sudo apt-get install -y google-cloud-cli-gke-gcloud-auth-plugin',
            'gcloud container clusters get-credentials "${CLUSTER}" --location "${LOCATION}" --project "${PROJECT}"',
          ].join('\n'),
        },
        deploy,
      ];
    case 'azure':
      return [
        { name: 'Log in to Azure with a federated credential (no client secret)', uses: pinnedUses('azure/login'), with: { 'client-id': '${{ vars.AZURE_CLIENT_ID }}', 'tenant-id': '${{ vars.AZURE_TENANT_ID }}', 'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}' } },
        {
          name: `Credentials for the AKS cluster of ${target}`,
          env: { CLUSTER: cluster, RESOURCE_GROUP: '${{ vars.AKS_RESOURCE_GROUP }}' },
          run: 'sudo az aks install-cli\naz aks get-credentials --resource-group "${RESOURCE_GROUP}" --name "${CLUSTER}"\nkubelogin convert-kubeconfig -l azurecli',
        },
        deploy,
      ];
    default:
      return null;
  }
}

/** Why the cluster deploy step is missing from a push-CD Kubernetes plan, or null when it is there (or not needed). */
export function clusterDeployGap(ctx: ModeContext): string | null {
  const d = ctx.delivery;
  if (d.gitops.tool !== 'none' || !d.gitops.kustomize) return null;
  if (d.gitops.deployScript === null) return 'cd_strategy push on Kubernetes needs the GitOps mode\'s scripted deploy, which this plan does not include: the pipeline only promotes. Ask for GitOps in the goal, or set cd_strategy to gitops.';
  if (d.ci.vendor !== 'github_actions') return `cd_strategy push on Kubernetes: the cluster deploy job is written for GitHub Actions only; for ${d.ci.vendor} the pipeline promotes, then run ${d.gitops.deployScript} <target> from a job that has the cluster's credentials.`;
  if (githubClusterDeploySteps(ctx, '', '', null) === null) return `cd_strategy push on Kubernetes: no OIDC login to a cluster of cloud ${ctx.profile.infra.cloud_provider} is known; the pipeline promotes, then run ${d.gitops.deployScript} <target> from a runner with short-lived credentials for the cluster.`;
  return null;
}

/**
 * The main pipeline for GitHub Actions: build every service once, verify, sign, then promote the
 * digests stage by stage via Git. The build job's `digests` output is a JSON object of every
 * service's pushed digest by service name, the one shape for one service and several.
 * `signing`: 'own' signs and adds provenance in this pipeline; 'called' hands each digest to the
 * supply-chain mode's reusable release-signing workflow, when that mode is in the plan too.
 */
function githubPipeline(ctx: ModeContext, decided: Decided, signing: 'own' | 'called'): unknown {
  const d = ctx.delivery;
  const deploys = deployStages(decided);
  const onMain = ON_MAIN_BRANCH.github;
  const signJobs: Record<string, unknown> =
    signing === 'called'
      ? // Sign, attest and add SLSA L3 provenance in the supply-chain workflow, once per service, for the digest built above.
        Object.fromEntries(
          d.services.map((svc) => [
            githubServiceJobId(d, 'sign', svc.name),
            {
              needs: ['build', 'test', 'security', 'sast'],
              if: onMain,
              permissions: { contents: 'read', packages: 'write', 'id-token': 'write', actions: 'read' },
              uses: './.github/workflows/release-signing.yml',
              with: { service: svc.name, image: svc.image, digest: githubDigestOf(BUILT_DIGESTS, svc.name) },
            },
          ]),
        )
      : {
          publish: {
            'runs-on': 'ubuntu-24.04',
            needs: ['build', 'test', 'security', 'sast'],
            if: onMain,
            permissions: { contents: 'read', packages: 'write', 'id-token': 'write' },
            steps: [
              githubRegistryLogin(d),
              { uses: pinnedUses('sigstore/cosign-installer') },
              ...d.services.map((svc) => ({
                name: `Sign the digest of ${svc.name} (keyless, OIDC)`,
                env: { IMAGE: `${svc.image}@${githubDigestOf(BUILT_DIGESTS, svc.name)}` },
                run: 'cosign sign --yes "${IMAGE}"',
              })),
            ],
          },
          ...Object.fromEntries(
            d.services.map((svc) => [
              githubServiceJobId(d, 'provenance', svc.name),
              {
                needs: ['build', 'publish'],
                if: onMain,
                permissions: { actions: 'read', 'id-token': 'write', packages: 'write' },
                uses: SLSA_CONTAINER_GENERATOR,
                with: { image: svc.image, digest: githubDigestOf(BUILT_DIGESTS, svc.name), 'registry-username': '${{ github.actor }}' },
                secrets: { 'registry-password': '${{ secrets.GITHUB_TOKEN }}' },
              },
            ]),
          ),
        };
  const jobs: Record<string, unknown> = {
    build: {
      'runs-on': 'ubuntu-24.04',
      permissions: { contents: 'read', packages: 'write' },
      outputs: { digests: '${{ steps.push.outputs.digests }}' },
      steps: [
        { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
        { name: 'Set up buildx (provenance and SBOM need the container driver)', uses: pinnedUses('docker/setup-buildx-action') },
        githubRegistryLogin(d),
        ...d.services.map((svc) => ({
          name: `Build and push ${svc.name} once, by digest`,
          env: { SERVICE: svc.name, IMAGE: svc.image, CONTEXT: svc.buildContext },
          run: [
            'docker buildx build --push --provenance=mode=max --sbom=true --metadata-file "meta-${SERVICE}.json" -t "${IMAGE}:${{ github.sha }}" "${CONTEXT}"',
            'jq -c --arg service "${SERVICE}" \'{($service): ."containerimage.digest"}\' "meta-${SERVICE}.json" >> digests.jsonl',
          ].join('\n'),
        })),
        { name: 'Every pushed digest, by service', id: 'push', run: 'echo "digests=$(jq -cs add digests.jsonl)" >> "$GITHUB_OUTPUT"' },
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
        githubRegistryLogin(d),
        { name: 'Install trivy', uses: pinnedUses('aquasecurity/setup-trivy'), with: { version: TOOL_VERSIONS.trivy } },
        ...d.services.map((svc) => ({
          name: `Fail on critical vulnerabilities in ${svc.name}`,
          env: { IMAGE: `${svc.image}@${githubDigestOf(BUILT_DIGESTS, svc.name)}` },
          run: 'trivy image --severity CRITICAL --exit-code 1 "${IMAGE}"',
        })),
      ],
    },
    // The sast_clean gate: static analysis of the source must find nothing before anything is signed.
    sast: {
      'runs-on': 'ubuntu-24.04',
      permissions: { contents: 'read' },
      steps: [
        { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
        { name: 'Install semgrep', run: `python3 -m pip install --user semgrep==${TOOL_VERSIONS.semgrep}` },
        { name: 'sast_clean: fail on any finding', run: 'semgrep scan --config p/default --error --metrics=off' },
      ],
    },
    ...signJobs,
  };
  // The first promotion waits for every image to be signed (and, signed here, to have its provenance).
  let previous = signing === 'called' ? Object.keys(signJobs) : Object.keys(signJobs).filter((id) => id !== 'publish');
  const cab = ctx.profile.release_policy.change_approval_level === 'cab';
  deploys.forEach((stage, index) => {
    const environment = stage.replace(/^deploy_/, '');
    const id = jobId(stage);
    let needs = [...previous, 'build'];
    if (cab && index === deploys.length - 1) {
      // The CAB approval gate (a reusable workflow) runs right before the last promotion.
      jobs['approval-gate'] = { needs, permissions: { contents: 'read' }, uses: './.github/workflows/approval-gate.yml', with: { digests: `\${{ ${BUILT_DIGESTS} }}` } };
      needs = ['approval-gate', 'build'];
    }
    if (residencyGated(ctx)) {
      // Each jurisdiction's targets are promoted by the residency-gated workflow, with the region and cluster of each.
      const targets = stageTargets(d, environment).map((t) => ({ name: t.name, region: t.region, cluster: t.cluster }));
      jobs[id] = {
        needs,
        permissions: { contents: 'read', packages: 'read' },
        uses: './.github/workflows/deploy-regions.yml',
        with: { digests: `\${{ ${BUILT_DIGESTS} }}`, jurisdiction: environment, targets: JSON.stringify(targets) },
        secrets: { CONFIG_REPO_TOKEN: '${{ secrets.CONFIG_REPO_TOKEN }}' },
      };
    } else {
      const target = d.targets.find((t) => t.name === environment);
      const deploy = githubClusterDeploySteps(ctx, environment, target?.cluster ?? environment, target?.region ?? null);
      jobs[id] = {
        'runs-on': 'ubuntu-24.04',
        needs,
        environment,
        permissions: deploy === null ? { contents: 'read', packages: 'read' } : { contents: 'read', packages: 'read', 'id-token': 'write' },
        concurrency: { group: `promote-${environment}`, 'cancel-in-progress': false },
        steps: [...githubPromoteSteps(d, environment, BUILT_DIGESTS), ...(deploy ?? [])],
      };
    }
    previous = [id];
  });
  return {
    name: 'release',
    on: { pull_request: { branches: ['main'] }, push: { branches: ['main'] } },
    permissions: { contents: 'read' },
    concurrency: { group: 'release-${{ github.ref }}', 'cancel-in-progress': false },
    jobs,
  };
}

/** The regions the residency gate of a stage checks: its targets' regions (a given environment's region, not its name). */
function gateRegions(d: DeliverySystem, stage: string): string[] {
  return stageTargets(d, stage).flatMap((t) => (t.region === null ? [] : [t.region]));
}

function gitlabPipeline(ctx: ModeContext, decided: Decided): unknown {
  const d = ctx.delivery;
  const deploys = deployStages(decided);
  const signedElsewhere = ctx.companions?.includes('supply-chain') === true;
  const cab = ctx.profile.release_policy.change_approval_level === 'cab';
  const onMain = ON_MAIN_BRANCH.gitlab;
  // Each service's `image@digest`: the build job's dotenv report passes the digests on.
  const refs = d.services.map((s) => gitlabServiceVars(d, s).ref);
  const pipeline: Record<string, unknown> = {
    // The engine adds `include:` for every fragment of the plan (the supply-chain signing job, the CAB gate, ...).
    stages: ['build', 'test', 'security', 'publish', ...deploys.map(jobId)],
    variables: gitlabImageVariables(d),
    default: { interruptible: true },
    build: {
      stage: 'build',
      ...GITLAB_DOCKER,
      script: gitlabBuildAndPush(d),
      artifacts: { reports: { dotenv: 'build.env' } },
    },
    test: { stage: 'test', image: 'node:22', script: ['make test'], artifacts: { reports: { junit: 'reports/junit.xml' } } },
    sast: { stage: 'test', image: `semgrep/semgrep:${TOOL_VERSIONS.semgrep}`, script: ['semgrep scan --config p/default --error --metrics=off'] },
    security: {
      stage: 'security',
      image: { name: TOOL_VERSIONS.trivyImage, entrypoint: [''] },
      needs: [{ job: 'build', artifacts: true }],
      variables: { TRIVY_USERNAME: gitlabRegistryAuth(d).user, TRIVY_PASSWORD: gitlabRegistryAuth(d).password },
      script: refs.map((ref) => `trivy image --severity CRITICAL --exit-code 1 "${ref}"`),
    },
    ...(signedElsewhere
      ? {}
      : {
          sign: {
            stage: 'publish',
            image: TOOL_VERSIONS.alpineImage,
            needs: [{ job: 'build', artifacts: true }, 'test', 'sast', 'security'],
            id_tokens: { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } },
            rules: onMain,
            script: ['apk add --no-cache cosign docker-cli docker-cli-buildx', gitlabCosignLogin(d), ...refs.flatMap((ref) => [`cosign sign --yes "${ref}"`, ...gitlabAttestProvenance(ref)])],
          },
        }),
  };
  const gated = residencyGated(ctx);
  // A job with `needs` starts when they finish, whatever its stage: each promotion waits for the
  // signing job (the supply-chain fragment's when it is included) and the promotion before it.
  let previous = signedElsewhere ? 'sign-and-attest' : 'sign';
  for (const stage of deploys) {
    const target = stage.replace(/^deploy_/, '');
    const last = stage === deploys[deploys.length - 1];
    const regions = stageRegions(d, target);
    const gate = `residency-gate-${jobId(target)}`;
    if (gated) {
      // The residency gate of the stage: one OPA check per target region, before the promotion.
      pipeline[gate] = {
        stage: jobId(stage),
        ...GITLAB_DOCKER,
        rules: onMain,
        variables: { ...GITLAB_DOCKER.variables, JURISDICTION: target },
        parallel: { matrix: [{ REGION: gateRegions(d, target) }] },
        script: residencyCheck(true),
      };
    }
    pipeline[jobId(stage)] = {
      stage: jobId(stage),
      image: TOOL_VERSIONS.alpineImage,
      needs: [{ job: 'build', artifacts: true }, previous, ...(gated ? [gate] : []), ...(cab && last ? ['approval_gate'] : [])],
      rules: onMain,
      environment: { name: target },
      resource_group: stage,
      // cosign reads the signature from the registry: it logs in with the job's registry credentials.
      before_script: ['apk add --no-cache bash git cosign', gitlabCosignLogin(d)],
      // CONFIG_REPO_TOKEN: a project access token of the config repository (masked CI/CD variable).
      // Every service reaches a region before the next region.
      script: regions.flatMap((r) => d.services.map((s) => `scripts/promote.sh ${JSON.stringify(s.name)} "\${${gitlabServiceVars(d, s).digest}}" ${JSON.stringify(r)}`)),
    };
    previous = jobId(stage);
  }
  return pipeline;
}

/** Azure DevOps stage id for a name (`deploy_ring0.a` -> `deploy_ring0_a`). */
const azureId = (name: string): string => name.replace(/[^A-Za-z0-9_]+/g, '_');

/**
 * Each service's digest as the build job's `push` step outputs it (`DIGEST`, or `DIGEST_<SERVICE>`
 * with several services), and how later stages read it: the variables of a stage's job.
 */
const azureDigestVar = (d: DeliverySystem, service: string): string => serviceVariableName(d, 'DIGEST', service);
const azureDigestOutput = (d: DeliverySystem, service: string): string => `$[ stageDependencies.build.build.outputs['push.${azureDigestVar(d, service)}'] ]`;
function azureDigestVariables(d: DeliverySystem): Record<string, string> {
  return Object.fromEntries(d.services.map((s) => [azureDigestVar(d, s.name), azureDigestOutput(d, s.name)]));
}

function azurePipeline(ctx: ModeContext, decided: Decided): unknown {
  const d = ctx.delivery;
  const deploys = deployStages(decided);
  const gated = residencyGated(ctx);
  const signedElsewhere = ctx.companions?.includes('supply-chain') === true;
  const onMain = ON_MAIN_BRANCH.azure;
  const pool = { vmImage: 'ubuntu-24.04' };
  let previous = 'build';
  const deployStagesYaml = deploys.map((stage) => {
    const target = stage.replace(/^deploy_/, '');
    const regions = stageRegions(d, target);
    const deployment = {
      deployment: azureId(stage),
      ...(gated ? { dependsOn: 'residency_gate' } : {}),
      environment: target,
      pool,
      variables: azureDigestVariables(d),
      strategy: {
        runOnce: {
          deploy: {
            steps: [
              { checkout: 'self' },
              ...azureToolSteps(['cosign']),
              azureRegistryLogin(d),
              // Under the cloud identity that reaches the signing key, which cosign verifies with;
              // every service reaches a region before the next region.
              ...regions.flatMap((r) =>
                d.services.map((s) => ({
                  ...azureCloudScriptStep(d, ctx.profile.infra.cloud_provider, `Promote the verified digest of ${s.name} to ${r} via Git`, { inline: `scripts/promote.sh ${JSON.stringify(s.name)} "$(${azureDigestVar(d, s.name)})" ${JSON.stringify(r)}` }),
                  env: { CONFIG_REPO_TOKEN: '$(System.AccessToken)' },
                })),
              ),
            ],
          },
        },
      },
    };
    const gate = {
      job: 'residency_gate',
      pool,
      variables: { JURISDICTION: target },
      // One OPA check per target region of the stage, before its promotion.
      strategy: { matrix: Object.fromEntries(gateRegions(d, target).map((r) => [azureId(r), { REGION: r }])) },
      steps: [{ checkout: 'self' }, { bash: ['set -euo pipefail', ...residencyCheck(false)].join('\n'), displayName: 'opa_residency_check' }],
    };
    const yaml = { stage: azureId(stage), dependsOn: [...new Set(['build', 'sign', previous])], condition: onMain, jobs: [...(gated ? [gate] : []), deployment] };
    previous = azureId(stage);
    return yaml;
  });
  return {
    trigger: { branches: { include: ['main'] } },
    pr: { branches: { include: ['main'] } },
    stages: [
      {
        stage: 'build',
        jobs: [
          {
            job: 'build',
            pool,
            steps: [
              { checkout: 'self', persistCredentials: false },
              azureRegistryLogin(d),
              {
                name: 'push',
                // Each service from its build context, once; its digest is an output variable of this step.
                bash: [
                  'set -euo pipefail',
                  ...d.services.flatMap((s) => [
                    `docker buildx build --push --metadata-file meta.json -t "${s.image}:$(Build.SourceVersion)" ${JSON.stringify(s.buildContext)}`,
                    'digest="$(jq -r \'."containerimage.digest"\' meta.json)"',
                    `echo "##vso[task.setvariable variable=${azureDigestVar(d, s.name)};isOutput=true]\${digest}"`,
                  ]),
                ].join('\n'),
                displayName: 'Build and push once, by digest',
              },
              {
                // Trivy reads the registry login of the step above from the Docker config.
                bash: [
                  'set -euo pipefail',
                  ...d.services.map((s) => `docker run --rm -v "\${DOCKER_CONFIG:-$HOME/.docker}:/root/.docker:ro" ${TOOL_VERSIONS.trivyImage} image --severity CRITICAL --exit-code 1 "${s.image}@$(push.${azureDigestVar(d, s.name)})"`),
                ].join('\n'),
                displayName: 'Fail on critical vulnerabilities',
              },
            ],
          },
        ],
      },
      signedElsewhere ? { template: SIGNING_TEMPLATE_AZURE, parameters: azureSigningParameters(d) } : azureSignStage(ctx),
      ...deployStagesYaml,
    ],
  };
}

/** The pipeline's own signing stage, without the supply-chain mode: cosign signs the pushed digest with the KMS key. */
function azureSignStage(ctx: ModeContext): Record<string, unknown> {
  const d = ctx.delivery;
  const key = d.ci.signing.kind === 'kms' ? d.ci.signing.keyUri : '';
  return {
    stage: 'sign',
    dependsOn: 'build',
    condition: ON_MAIN_BRANCH.azure,
    jobs: [
      {
        job: 'sign',
        pool: { vmImage: 'ubuntu-24.04' },
        variables: azureDigestVariables(d),
        steps: [
          { checkout: 'self', persistCredentials: false },
          ...azureToolSteps(['cosign']),
          azureRegistryLogin(d),
          ...d.services.map((s) =>
            azureCloudScriptStep(d, ctx.profile.infra.cloud_provider, `Sign the digest of ${s.name} with the KMS key`, { inline: `cosign sign --yes --key ${JSON.stringify(key)} "${s.image}@$(${azureDigestVar(d, s.name)})"` }),
          ),
        ],
      },
    ],
  };
}

/** The supply-chain mode's Azure DevOps signing stage template, which the pipeline includes when that mode is in the plan. */
const SIGNING_TEMPLATE_AZURE = '.azure-pipelines/release-signing.yml';

/** The template's parameters: each service's digest (`digest`, or `digest_<service>` with several services). */
function azureSigningParameters(d: DeliverySystem): Record<string, string> {
  return Object.fromEntries(d.services.map((s) => [serviceVariableName(d, 'digest', s.name), azureDigestOutput(d, s.name)]));
}

function pipelineArtifact(ctx: ModeContext, decided: Decided): ArtifactSpec {
  const vendor = decided.get<string>('pipeline_blueprint.ci_vendor');
  const header = 'Build once, verify, sign by digest, then promote the same digest through Git. Generated by Ringmaster.';
  const kb = ['KB_01#Build_Once', 'KB_02#Trunk_Based', 'KB_04#Signing'] as const;
  if (vendor === 'gitlab_ci') {
    const ownRegistry = gitlabRegistryAuth(ctx.delivery).host === '${CI_REGISTRY}';
    const needs = `${header}\nCI/CD variables: CONFIG_REPO_TOKEN (a project access token of the config repository, masked)${ownRegistry ? '' : `; REGISTRY_USER and REGISTRY_PASSWORD for ${ctx.delivery.registry} (masked)`}.`;
    return { name: 'pipeline_template.yaml', path: '.gitlab-ci.yml', type: 'template', kb, body: { format: 'yaml', schema: 'gitlab-ci', header: needs, documents: [gitlabPipeline(ctx, decided)] } };
  }
  if (vendor === 'azure_devops') {
    const needs = `${header}\nService connections it uses: the cloud identity that reaches the signing key (crm-release-wif on Azure, crm-release-oidc on AWS) and, for a registry that is neither ACR nor ECR, container-registry.`;
    return { name: 'pipeline_template.yaml', path: 'azure-pipelines.yml', type: 'template', kb, body: { format: 'yaml', schema: 'azure-pipelines', header: needs, documents: [azurePipeline(ctx, decided)] } };
  }
  return { name: 'pipeline_template.yaml', path: '.github/workflows/release.yml', type: 'template', kb, body: { format: 'yaml', schema: 'github-workflow', header, documents: [githubPipeline(ctx, decided, ctx.companions?.includes('supply-chain') === true ? 'called' : 'own')] } };
}

/** The shell lines that set the target's image to `${ref}` in the cloned config repo (file: `${file}`). */
function promoteEdit(d: DeliverySystem): string {
  if (!d.gitops.kustomize) {
    return `mkdir -p "$(dirname "\${file}")"
printf '%s\\n' "\${ref}" > "\${file}"`;
  }
  // kustomize's own images field, as \`kustomize edit set image IMAGE@DIGEST\` writes it: only the entry named IMAGE changes.
  return `awk -v image="\${IMAGE}" -v digest="\${digest}" '
  /^ *- name: / { current = $3 }
  /^ *name: / { current = $2 }
  current == image && /^ *digest: sha256:[0-9a-f]+$/ { sub(/sha256:[0-9a-f]+/, digest); found = 1 }
  { print }
  END { if (!found) exit 3 }
' "\${file}" > "\${file}.next" || { echo "promote.sh: \${file} has no images entry for \${IMAGE}" >&2; exit 1; }
mv "\${file}.next" "\${file}"`;
}

/** An awk command printing the digest of `${IMAGE}` in the promotion file on its stdin. */
function digestOfImage(d: DeliverySystem): string {
  return d.gitops.kustomize ? `awk -v image="\${IMAGE}" '${KUSTOMIZE_DIGEST_OF_IMAGE}'` : `awk -F@ -v image="\${IMAGE}" '$1 == image { print $2; exit }'`;
}

/** A value as one single-quoted shell word (each embedded quote closed, escaped and reopened). */
function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Stands for the target in a path of the delivery model, so the script can splice in its own `${target}`. */
const TARGET_SLOT = '\u0000target\u0000';

/** A path of the delivery model as a shell word: its fixed parts quoted, the target spliced in as "${target}". */
function shellPathOfTarget(path: string): string {
  return path
    .split(TARGET_SLOT)
    .map((part) => (part === '' ? '' : shellWord(part)))
    .join('"${target}"');
}

/**
 * The table of the plan's services in promote.sh: each service's image and the file its promotion
 * to `${target}` edits; any other service is refused (exit 2) with the list of known ones.
 */
function serviceTable(d: DeliverySystem): string {
  const rows = d.services.map((svc) => `  ${shellWord(svc.name)})
    IMAGE=${shellWord(svc.image)}
    file=${shellPathOfTarget(d.gitops.promotionFile(svc.name, TARGET_SLOT))}
    ;;`);
  return `case "\${service}" in
${rows.join('\n')}
  *)
    echo "promote.sh: unknown service \${service} (services: \${SERVICES})" >&2
    exit 2
    ;;
esac`;
}

/** The Git-driven promotion every deploy stage runs once per service: verify the signature, then change the one config repository. */
function promoteScript(ctx: ModeContext): ArtifactSpec {
  const d = ctx.delivery;
  const targets = d.targets.map((t) => t.name);
  return {
    name: 'promote.sh',
    path: PROMOTION_SCRIPT,
    type: 'template',
    kb: ['KB_01#Build_Once', 'KB_04#Signing', 'KB_06#GitOps'],
    body: {
      format: 'shell',
      summary: [
        "Promote a service's already built, signed image digest to one target by committing it to the config",
        'repository; roll back by promoting the digest that service ran there before. Never rebuilds; never',
        'touches a cluster. Usage: promote.sh <service> sha256:<digest> <target>   |   promote.sh --rollback <service> <target>',
        'Credentials: CONFIG_REPO_TOKEN (HTTPS, sent as a header, never in the URL) or CONFIG_REPO_SSH_KEY',
        '(a private key file, SSH clone). CONFIG_REPO_URL overrides the clone URL; GIT_AUTHOR_NAME and',
        'GIT_AUTHOR_EMAIL the commit identity. Running it twice with the same digest changes nothing.',
      ].join('\n'),
      vars: { SERVICES: d.services.map((svc) => svc.name).join(' '), TARGETS: targets.join(' '), UNPROMOTED: d.unpromotedDigest, ...configRepoVars(d), ...verifyVars(d) },
      script: `usage="usage: promote.sh <service> sha256:<digest> <target> | promote.sh --rollback <service> <target>"
mode=promote
arguments=3
if [[ "\${1:-}" == "--rollback" ]]; then
  mode=rollback
  arguments=2
  shift
fi
if [[ $# -ne \${arguments} ]]; then
  echo "\${usage}" >&2
  exit 2
fi
service="$1"
digest=""
if [[ "\${mode}" == promote ]]; then
  digest="$2"
  target="$3"
else
  target="$2"
fi

# The plan's services: each one's image and the file its promotion to the target edits.
${serviceTable(d)}
if [[ "\${mode}" == promote && ! "\${digest}" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "promote.sh: expected sha256:<64 hex digits>, got \${digest}" >&2
  exit 2
fi
case "\${target}" in
  ${targets.map(shellWord).join('|')}) ;;
  *) echo "promote.sh: unknown target \${target} (targets: \${TARGETS})" >&2; exit 2 ;;
esac

${configRepoAccess(d)}
workdir="$(mktemp -d)"
trap 'rm -rf "\${workdir}"' EXIT
git clone --quiet --branch main "\${url}" "\${workdir}/config"
cd "\${workdir}/config"
git config user.name "\${GIT_AUTHOR_NAME:-release-promotion}"
git config user.email "\${GIT_AUTHOR_EMAIL:-release-promotion@users.noreply.${d.ci.gitHost}}"
# The digest of the service's IMAGE in a version of the promotion file (on stdin).
digest_in() {
  ${digestOfImage(d)}
}

if [[ "\${mode}" == rollback ]]; then
  # The most recent digest the service ran on the target before the current one, as \`ringmaster rollback\` picks it.
  current="$(digest_in < "\${file}")"
  digest=""
  while read -r commit; do
    candidate="$( (git show "\${commit}:\${file}" 2> /dev/null || true) | digest_in)"
    if [[ -n "\${candidate}" && "\${candidate}" != "\${current}" && "\${candidate}" != "\${UNPROMOTED}" ]]; then
      digest="\${candidate}"
      break
    fi
  done < <(git log --format=%H -- "\${file}")
  if [[ -z "\${digest}" ]]; then
    echo "promote.sh: \${service} has no earlier promotion on \${target} to roll back to" >&2
    exit 1
  fi
fi
ref="\${IMAGE}@\${digest}"

# Only a signature made by the release pipeline's signer is accepted, also for a rollback.
${cosignVerifyCommand(d, '"${ref}"')}

${promoteEdit(d)}
if git diff --quiet -- "\${file}" && [[ -z "$(git status --porcelain -- "\${file}")" ]]; then
  echo "\${service} on \${target} already runs \${ref}"
  exit 0
fi
git add -- "\${file}"
git commit --quiet -m "\${mode} \${service} to \${digest} on \${target}"
git push --quiet origin HEAD:main
echo "\${mode}: \${service} on \${target} now runs \${ref}"`,
    },
  };
}

function residencyArtifacts(ctx: ModeContext): ArtifactSpec[] {
  const residency = [...ctx.profile.crm.data_residency_regions];
  const regions = ctx.delivery.targets.flatMap((t) => (t.region === null ? [] : [t.region]));
  const allowed = residency.map((r) => JSON.stringify(r)).join(', ');
  const jurisdictions = [...new Set(residency.map(jurisdictionOf))];
  const firstResidency = residency[0] ?? 'eu-central-1';
  const outside = regions.find((r) => !residency.includes(r)) ?? 'us-east-1';
  const clusterDeploy = githubClusterDeploySteps(ctx, '${{ matrix.target.name }}', '${{ matrix.target.cluster }}', '${{ matrix.target.region }}');
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
        header: `One promotion per region, each behind the OPA residency gate, called by the release pipeline once per jurisdiction.\nRegions: ${regions.map((r) => `${r} (${jurisdictionOf(r)})`).join(', ')}. Generated by Ringmaster.`,
        documents: [
          {
            name: 'deploy-regions',
            on: {
              workflow_call: {
                inputs: {
                  digests: { type: 'string', required: true, description: 'JSON object of the digest to promote of every service, by service name.' },
                  jurisdiction: { type: 'string', required: true, description: 'The residency the tenants of this stage require (eu, us, ...).' },
                  targets: { type: 'string', required: true, description: 'JSON array of the targets this stage promotes to, each with its name, region and cluster.' },
                },
                secrets: { CONFIG_REPO_TOKEN: { required: true } },
              },
            },
            permissions: { contents: 'read' },
            jobs: {
              'residency-gate': {
                'runs-on': 'ubuntu-24.04',
                permissions: { contents: 'read' },
                strategy: { 'fail-fast': true, matrix: { target: '${{ fromJSON(inputs.targets) }}' } },
                steps: [
                  { uses: pinnedUses('actions/checkout'), with: { 'persist-credentials': false } },
                  {
                    name: 'opa_residency_check',
                    // The policy gets the target region and the jurisdiction the tenants require, so a region outside it is denied.
                    env: { REGION: '${{ matrix.target.region }}', JURISDICTION: '${{ inputs.jurisdiction }}' },
                    run: residencyCheck(false).join('\n'),
                  },
                ],
              },
              deploy: {
                'runs-on': 'ubuntu-24.04',
                needs: ['residency-gate'],
                permissions: clusterDeploy === null ? { contents: 'read', packages: 'read' } : { contents: 'read', packages: 'read', 'id-token': 'write' },
                strategy: { 'max-parallel': 1, matrix: { target: '${{ fromJSON(inputs.targets) }}' } },
                environment: '${{ matrix.target.name }}',
                // Every service is promoted to the region before the next region starts.
                steps: [...githubPromoteSteps(ctx.delivery, '${{ matrix.target.name }}', 'inputs.digests'), ...(clusterDeploy ?? [])],
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
      ? { schema: 'gitlab-ci' as const, path: APPROVAL_GATE_GITLAB, doc: { approval_gate: { stage: 'publish', environment: { name: 'production', action: 'prepare' }, when: 'manual', allow_failure: false, rules: ON_MAIN_BRANCH.gitlab, script: ['echo "CAB approval recorded by $GITLAB_USER_LOGIN for $CI_COMMIT_SHA"'] } } }
      : {
          schema: 'github-workflow' as const,
          path: '.github/workflows/approval-gate.yml',
          doc: {
            name: 'approval-gate',
            on: { workflow_call: { inputs: { digests: { type: 'string', required: true, description: 'JSON object of the digest of every service, by service name.' } } } },
            permissions: { contents: 'read' },
            jobs: {
              'approval-gate': {
                'runs-on': 'ubuntu-24.04',
                // Required reviewers (the CAB) are set on the environment; the job waits for their approval.
                environment: { name: 'production' },
                permissions: { contents: 'read' },
                steps: [{ name: 'Record the approved digests', env: { DIGESTS: '${{ inputs.digests }}' }, run: 'echo "CAB approved ${DIGESTS}" >> "$GITHUB_STEP_SUMMARY"' }],
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
    // Azure DevOps: the CAB approves on the deploy stages' environments (Approvals and checks), no extra pipeline file.
    ...(vendor === 'azure_devops'
      ? []
      : [{ name: 'approval_gate_job.yaml', path: gateJob.path, type: 'template' as const, kb: ['KB_11#CAB', 'KB_10#Segregation_Of_Duties'] as const, body: { format: 'yaml' as const, schema: gateJob.schema, header: 'Production waits for a recorded CAB approval; the approver cannot be the change author.', documents: [gateJob.doc] } }]),
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

export function blueprintArtifacts(ctx: ModeContext, decided: Decided): ArtifactOutcome[] {
  const artifacts: ArtifactOutcome[] = [pipelineArtifact(ctx, decided), promoteScript(ctx)];
  const gap = clusterDeployGap(ctx);
  if (gap !== null) artifacts.push(notGenerated('cluster deploy job', gap));
  // The residency-gated region workflow is a GitHub reusable workflow; other CI vendors get none.
  if (ctx.profile.crm.data_residency_regions.length > 0) artifacts.push(...residencyArtifacts(ctx).filter((a) => ctx.delivery.ci.vendor === 'github_actions' || !a.path.startsWith('.github/')));
  if (ctx.profile.release_policy.change_approval_level === 'cab') artifacts.push(...changeApprovalArtifacts(ctx, decided));
  return artifacts;
}
