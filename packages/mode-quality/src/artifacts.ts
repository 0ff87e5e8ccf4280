import { GITLAB_DOCKER, notGenerated, pinnedUses, TOOL_VERSIONS, type ArtifactOutcome, type ArtifactSpec, type CiVendor, type Decided, type ModeContext, type ServiceModel } from '@ringmaster/core';
import { flakyEvidence } from './rules.js';

/** actions/checkout, pinned by full commit SHA from core's pin table (the renderer adds the `# vX.Y.Z` comment). */
const CHECKOUT = pinnedUses('actions/checkout');

/** CI tool images, pinned by digest (a tag can be moved): the Pact reference verifier and pact-cli 1.78.0. */
const VERIFIER_IMAGE = 'pactfoundation/pact-ref-verifier@sha256:514b680cd0ad2fa95c6df7a541e3b03c8dd1176de26e84e58a349de96e305bce';
const PACT_CLI_IMAGE = 'pactfoundation/pact-cli@sha256:72f1df83a7c42abd02e69a0fa21c3adc037d72c2852daa9f2910bb35617b207b';
const WIREMOCK_IMAGE = 'wiremock/wiremock:3.9.1';

/**
 * Integration names as identifiers: lower case, `[a-z0-9_]`, starting with a letter,
 * unique (a clash gets `_2`, `_3`...). `Microsoft Graph` -> `microsoft_graph`.
 */
export function integrationIds(integrations: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return integrations.map((name) => {
    let id = name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
    if (id === '') id = 'integration';
    if (!/^[a-z]/.test(id)) id = `api_${id}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}_${n}`;
  });
}

/** resilience4j for Spring Boot: one circuit breaker, retry and rate limiter instance per integration. */
export function circuitBreakerConfig(ids: readonly string[]): ArtifactSpec {
  const instances = (make: (id: string) => Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(ids.map((id) => [id, make(id)]));
  return {
    name: 'circuit_breaker_config.yaml',
    path: 'config/resilience4j.yaml',
    type: 'template',
    kb: ['KB_09#Circuit_Breaker', 'KB_09#Resilience'],
    body: {
      format: 'yaml',
      schema: 'plain',
      header:
        'resilience4j circuit breakers for the partner integrations (Spring Boot application.yaml fragment).\n' +
        'An open breaker fails fast and the caller degrades to cached data instead of cascading. [KBTRACE: KB_09#Circuit_Breaker]',
      documents: [
        {
          resilience4j: {
            circuitbreaker: {
              configs: {
                default: {
                  registerHealthIndicator: true,
                  slidingWindowType: 'COUNT_BASED',
                  slidingWindowSize: 50,
                  minimumNumberOfCalls: 20,
                  failureRateThreshold: 50,
                  slowCallRateThreshold: 50,
                  slowCallDurationThreshold: '2s',
                  waitDurationInOpenState: '30s',
                  permittedNumberOfCallsInHalfOpenState: 5,
                  automaticTransitionFromOpenToHalfOpenEnabled: true,
                  recordExceptions: [
                    'org.springframework.web.client.HttpServerErrorException',
                    'org.springframework.web.client.HttpClientErrorException$TooManyRequests',
                    'java.io.IOException',
                    'java.util.concurrent.TimeoutException',
                  ],
                  ignoreExceptions: ['org.springframework.web.client.HttpClientErrorException$BadRequest'],
                },
              },
              instances: instances(() => ({ baseConfig: 'default', failureRateThreshold: 50 })),
            },
            retry: {
              configs: {
                default: {
                  maxAttempts: 3,
                  waitDuration: '500ms',
                  enableExponentialBackoff: true,
                  exponentialBackoffMultiplier: 2,
                  retryExceptions: ['java.io.IOException', 'java.util.concurrent.TimeoutException'],
                },
              },
              instances: instances(() => ({ baseConfig: 'default' })),
            },
            ratelimiter: {
              configs: { default: { limitForPeriod: 50, limitRefreshPeriod: '1s', timeoutDuration: '0s' } },
              instances: instances(() => ({ baseConfig: 'default' })),
            },
          },
        },
      ],
    },
  };
}

/** WireMock mappings: a healthy GET per integration, and a 429 with Retry-After on demand. */
export function wiremockStubs(ids: readonly string[]): ArtifactSpec {
  const mappings = ids.flatMap((id) => [
    {
      name: `${id}: healthy GET`,
      request: { method: 'GET', urlPathPattern: `/${id}/.*` },
      response: {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        jsonBody: { integration: id, status: 'ok', records: [] },
      },
    },
    {
      name: `${id}: rate limited (send header X-Simulate: rate-limit)`,
      priority: 1,
      request: { method: 'ANY', urlPathPattern: `/${id}/.*`, headers: { 'X-Simulate': { equalTo: 'rate-limit' } } },
      response: {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '30' },
        jsonBody: { error: 'rate_limited', retry_after_seconds: 30 },
      },
    },
  ]);
  return {
    name: 'wiremock_stubs.json',
    path: 'test/wiremock/mappings/wiremock_stubs.json',
    type: 'template',
    kb: ['KB_09#Service_Virtualization', 'KB_09#Resilience'],
    body: { format: 'json', schema: 'plain', value: { mappings } },
  };
}

/** The environment can-i-deploy asks about, set once at the top of each file. */
const CAN_I_DEPLOY_TO = 'production';

/**
 * A service whose contracts are verified. Every service of the plan is one: the profile does not say
 * which services have consumers, and services released together call one another (a web front end
 * calls the API), so each is verified against the pacts its consumers publish and gated by
 * can-i-deploy. A service nobody consumes fails can-i-deploy until it is registered with the broker,
 * rather than passing a gate that checked nothing.
 */
type Provider = ServiceModel;

/** Per-service job ids: the one-service id as it was, else suffixed with the service (`_` also replaces the service's hyphens, for ids spelt with underscores). */
function jobIdOf(base: string, provider: Provider, providers: readonly Provider[], sep: '-' | '_'): string {
  return providers.length === 1 ? base : `${base}${sep}${sep === '_' ? provider.name.replace(/-/g, '_') : provider.name}`;
}

/**
 * The verification every CI vendor runs, as shell lines that work in bash and in the busybox
 * shell of GitLab's docker image: build the provider image from its build context, start it next to the
 * WireMock stubs on one Docker network (files go in with `docker cp`, so it also works against
 * GitLab's docker-in-docker daemon), wait for its health path, verify the broker's pacts, ask can-i-deploy.
 */
function pactScript(provider: Provider, stubs: boolean): string[] {
  const name = provider.name;
  return [
    'docker network create pact',
    `docker build --tag ${name}:pact ${provider.buildContext}`,
    ...(stubs
      ? [`docker create --name wiremock --network pact ${WIREMOCK_IMAGE}`, 'docker cp test/wiremock/. wiremock:/home/wiremock', 'docker start wiremock']
      : []),
    `docker run --detach --name ${name} --network pact${stubs ? ' --env PARTNER_API_BASE_URL=http://wiremock:8080' : ''} ${name}:pact`,
    [
      'ready=no',
      `for attempt in $(seq 1 30); do if docker run --rm --network pact ${TOOL_VERSIONS.alpineImage} wget -q -O /dev/null "http://${name}:${provider.port}${provider.healthPath}"; then ready=yes; break; fi; sleep 2; done`,
      `if [ "\${ready}" != yes ]; then docker logs ${name}; echo "provider not healthy on ${provider.healthPath} after 60 s (attempts: \${attempt})" >&2; exit 1; fi`,
    ].join('\n'),
    [
      `docker run --rm --network pact -e PACT_BROKER_BASE_URL -e PACT_BROKER_TOKEN ${VERIFIER_IMAGE} \\`,
      `  --hostname ${name} --port ${provider.port} --provider-name ${name} --broker-url "\${PACT_BROKER_BASE_URL}" \\`,
      '  --provider-version "${PROVIDER_VERSION}" --provider-branch "${PROVIDER_BRANCH}" --publish --enable-pending',
    ].join('\n'),
    `docker run --rm -e PACT_BROKER_BASE_URL -e PACT_BROKER_TOKEN ${PACT_CLI_IMAGE} pact-broker can-i-deploy --pacticipant ${name} --version "\${PROVIDER_VERSION}" --to-environment "\${CAN_I_DEPLOY_TO}"`,
  ];
}

const PACT_HEADER =
  'Pact provider verification, one job per service: builds the provider image from its build context, starts it against the WireMock stubs\n' +
  '(test/wiremock), verifies the consumer pacts from the broker, publishes the result, then asks can-i-deploy.\n' +
  'The Pact tool images are pinned by digest. The broker token comes from the CI secret store, by reference only.\n' +
  'The provider reads its partner APIs\' base URL from PARTNER_API_BASE_URL. [KBTRACE: KB_09#Contract_Testing]';

function githubJob(providers: readonly Provider[], stubs: boolean): ArtifactSpec['body'] {
  return {
    format: 'yaml',
    schema: 'github-workflow',
    header: PACT_HEADER,
    documents: [
      {
        name: 'pact-verification',
        on: { pull_request: {}, push: { branches: ['main'] } },
        permissions: { contents: 'read' },
        env: { CAN_I_DEPLOY_TO },
        concurrency: { group: 'pact-${{ github.ref }}', 'cancel-in-progress': true },
        jobs: Object.fromEntries(
          providers.map((provider) => [
            jobIdOf('pact-verify', provider, providers, '-'),
            {
              name: `Pact verification and can-i-deploy${providers.length === 1 ? '' : ` of ${provider.name}`}`,
              'runs-on': 'ubuntu-24.04',
              // The broker token is an environment secret, readable only by jobs of this environment.
              environment: 'contract-testing',
              'timeout-minutes': 20,
              env: {
                PACT_BROKER_BASE_URL: '${{ vars.PACT_BROKER_BASE_URL }}',
                PACT_BROKER_TOKEN: '${{ secrets.PACT_BROKER_TOKEN }}',
                PROVIDER_VERSION: '${{ github.sha }}',
                PROVIDER_BRANCH: '${{ github.head_ref || github.ref_name }}',
              },
              steps: [
                { name: 'Checkout', uses: CHECKOUT, with: { 'persist-credentials': false } },
                { name: 'Verify pacts against the built provider, then can-i-deploy', run: pactScript(provider, stubs).join('\n') },
              ],
            },
          ]),
        ),
      },
    ],
  };
}

function gitlabJob(providers: readonly Provider[], stubs: boolean): ArtifactSpec['body'] {
  return {
    format: 'yaml',
    schema: 'gitlab-ci',
    header: `${PACT_HEADER}\nInclude it from the root .gitlab-ci.yml (include: [{ local: ${PACT_PATHS.gitlab} }]); its stage, test, is one of GitLab's default stages and of the root pipeline's.\nPACT_BROKER_BASE_URL and PACT_BROKER_TOKEN are masked, protected CI/CD variables (or come from the Vault integration).`,
    documents: [
      {
        variables: { CAN_I_DEPLOY_TO },
        ...Object.fromEntries(
          providers.map((provider) => [
            jobIdOf('pact_verification', provider, providers, '_'),
            {
              stage: 'test',
              ...GITLAB_DOCKER,
              variables: { ...GITLAB_DOCKER.variables, PROVIDER_VERSION: '$CI_COMMIT_SHA', PROVIDER_BRANCH: '$CI_COMMIT_REF_NAME' },
              script: pactScript(provider, stubs),
              rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
            },
          ]),
        ),
      },
    ],
  };
}

function azureJob(providers: readonly Provider[], stubs: boolean): ArtifactSpec['body'] {
  return {
    format: 'yaml',
    schema: 'azure-pipelines',
    header: `${PACT_HEADER}\nThe variable group pact-broker is linked to Azure Key Vault; secret variables are mapped into env explicitly.`,
    documents: [
      {
        trigger: { branches: { include: ['main'] } },
        pr: { branches: { include: ['*'] } },
        pool: { vmImage: 'ubuntu-24.04' },
        variables: [{ group: 'pact-broker' }, { name: 'CAN_I_DEPLOY_TO', value: CAN_I_DEPLOY_TO }],
        jobs: providers.map((provider) => ({
          job: jobIdOf('pact_verification', provider, providers, '_'),
          timeoutInMinutes: 20,
          steps: [
            { checkout: 'self', persistCredentials: false },
            {
              bash: ['set -euo pipefail', ...pactScript(provider, stubs)].join('\n'),
              displayName: `Verify pacts against the built provider${providers.length === 1 ? '' : ` ${provider.name}`}, then can-i-deploy`,
              env: { PACT_BROKER_BASE_URL: '$(PACT_BROKER_BASE_URL)', PACT_BROKER_TOKEN: '$(PACT_BROKER_TOKEN)', PROVIDER_VERSION: '$(Build.SourceVersion)', PROVIDER_BRANCH: '$(Build.SourceBranchName)', CAN_I_DEPLOY_TO: '$(CAN_I_DEPLOY_TO)' },
            },
          ],
        })),
      },
    ],
  };
}

const PACT_PATHS: Record<'github' | 'gitlab' | 'azure', string> = {
  github: '.github/workflows/pact-verification.yml',
  gitlab: 'ci/pact-verification.gitlab-ci.yml',
  azure: 'pipelines/pact-verification.yml',
};

/**
 * The Pact verification job for the profile's CI vendor (GitHub Actions when the vendor is unknown;
 * section 4 asks which), one job per service of the delivery model; `stubs` when the plan has WireMock stubs.
 */
export function pactVerificationJob(vendor: CiVendor, providers: readonly Provider[], stubs: boolean): ArtifactSpec {
  const flavour = vendor === 'gitlab_ci' ? 'gitlab' : vendor === 'azure_devops' ? 'azure' : 'github';
  const body = flavour === 'gitlab' ? gitlabJob(providers, stubs) : flavour === 'azure' ? azureJob(providers, stubs) : githubJob(providers, stubs);
  return { name: 'pact_verification_job.yaml', path: PACT_PATHS[flavour], type: 'template', kb: ['KB_09#Contract_Testing'], body };
}

/** The flaky spec: the quarantine list and the rules around it. */
export function flakyQuarantine(): ArtifactSpec {
  return {
    name: 'flaky_quarantine.yaml',
    path: 'tests/quarantine.yaml',
    type: 'policy',
    kb: ['KB_03#Flaky_Management'],
    body: {
      format: 'yaml',
      schema: 'plain',
      header:
        'Flaky spec: tests listed here leave the blocking gate and run in a non-blocking quarantine job.\n' +
        'Add an entry within one working day of detection; fix or delete it before `expires`. [KBTRACE: KB_03#Flaky_Management]\n' +
        'Entry: { id: "<file> > <test name>", issue: <tracker url>, owner: <team>, detected: <date>, expires: <date + 14 days>, root_cause: <text> }',
      documents: [
        {
          policy: {
            detection: 'rerun failures on main; a test that fails then passes on the same commit is flaky',
            blocking_gate_flaky_budget: '0%',
            quarantine_job: 'non-blocking (GitHub Actions continue-on-error: true, GitLab allow_failure: true)',
            max_days_in_quarantine: 14,
            max_size: { percent_of_suite: 2, tests: 20 },
            on_limit_exceeded: 'pause feature merges to the affected area',
            retries_count_as: 'flaky, never pass',
            result_format: 'junit_xml',
          },
          quarantined: [],
        },
      ],
    },
  };
}

export function qualityArtifacts(ctx: ModeContext, decided: Decided): ArtifactOutcome[] {
  const specs: ArtifactOutcome[] = [];
  const ids = integrationIds(ctx.profile.crm.integrations);
  if (ids.length > 0) specs.push(circuitBreakerConfig(ids));
  const stubs = decided.get('quality_strategy.service_virtualization') === 'wiremock';
  if (stubs) specs.push(wiremockStubs(ids));
  if (decided.get('quality_strategy.contract_testing') === true) {
    specs.push(
      ctx.profile.ci_vendor === 'other'
        ? notGenerated('pact_verification_job.yaml', `Ringmaster writes CI jobs for GitHub Actions, GitLab CI and Azure Pipelines, not ${ctx.profile.ci_platform}; run pact_verifier_cli against the provider, then pact-broker can-i-deploy, in a job that gates the merge`)
        : pactVerificationJob(ctx.profile.ci_vendor, ctx.delivery.services, stubs),
    );
  }
  if (decided.get('quality_strategy.flaky_policy') === 'quarantine' && flakyEvidence(ctx)) specs.push(flakyQuarantine());
  return specs;
}
