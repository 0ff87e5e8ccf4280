import { notGenerated, pinnedUses, type ArtifactOutcome, type ArtifactSpec, type CiVendor, type Decided, type ModeContext } from '@ringmaster/core';
import { flakyEvidence } from './rules.js';

/** The provider (our API) whose contracts are verified; the profile does not name services. */
export const PROVIDER = 'crm-api';

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

const VERIFY_ARGS = [
  '--hostname localhost --port 8080',
  `--provider-name ${PROVIDER}`,
  '--broker-url "${PACT_BROKER_BASE_URL}"',
  '--provider-version "${PROVIDER_VERSION}" --provider-branch "${PROVIDER_BRANCH}"',
  '--publish --enable-pending',
];

function dockerVerify(): string {
  return [
    'docker run --rm --network host \\',
    '  -e PACT_BROKER_BASE_URL -e PACT_BROKER_TOKEN \\',
    `  ${VERIFIER_IMAGE} \\`,
    ...VERIFY_ARGS.map((a, i) => `  ${a}${i < VERIFY_ARGS.length - 1 ? ' \\' : ''}`),
    '',
  ].join('\n');
}

function dockerCanIDeploy(): string {
  return [
    'docker run --rm -e PACT_BROKER_BASE_URL -e PACT_BROKER_TOKEN \\',
    `  ${PACT_CLI_IMAGE} \\`,
    `  pact-broker can-i-deploy --pacticipant ${PROVIDER} --version "\${PROVIDER_VERSION}" --to-environment production`,
    '',
  ].join('\n');
}

const START_STUBS = `docker run --detach --name wiremock --publish 8089:8080 --volume "$PWD/test/wiremock:/home/wiremock" ${WIREMOCK_IMAGE}\n`;
const START_PROVIDER = 'docker compose --file docker-compose.pact.yml up --detach --wait\n';

/** What the GitHub and Azure jobs need from the repository that Ringmaster cannot write for it. */
const COMPOSE_NOTE =
  '\nThe repository provides docker-compose.pact.yml (not generated: it depends on how the API is built and configured):\n' +
  'it starts the provider on port 8080 with its partner base URLs pointing at WireMock on port 8089.';

const PACT_HEADER =
  'Pact provider verification: verifies the consumer pacts of the CRM API from the broker, publishes the\n' +
  'result, then asks can-i-deploy. Partner APIs are WireMock stubs (test/wiremock). The Pact tool images are pinned\n' +
  'by digest. The broker token comes from the CI secret store, by reference only. [KBTRACE: KB_09#Contract_Testing]';

function githubJob(): ArtifactSpec['body'] {
  return {
    format: 'yaml',
    schema: 'github-workflow',
    header: `${PACT_HEADER}${COMPOSE_NOTE}`,
    documents: [
      {
        name: 'pact-verification',
        on: { pull_request: {}, push: { branches: ['main'] } },
        permissions: { contents: 'read' },
        concurrency: { group: 'pact-${{ github.ref }}', 'cancel-in-progress': true },
        jobs: {
          'pact-verify': {
            name: 'Pact verification and can-i-deploy',
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
              { name: 'Start WireMock stubs for partner APIs', run: START_STUBS },
              { name: 'Start the provider against the stubs', run: START_PROVIDER },
              { name: 'Verify pacts (pact_verifier_cli)', run: dockerVerify() },
              { name: 'can-i-deploy', run: dockerCanIDeploy() },
            ],
          },
        },
      },
    ],
  };
}

function gitlabJob(): ArtifactSpec['body'] {
  const variables = { PROVIDER_VERSION: '$CI_COMMIT_SHA', PROVIDER_BRANCH: '$CI_COMMIT_REF_NAME' };
  return {
    format: 'yaml',
    schema: 'gitlab-ci',
    header: `${PACT_HEADER}\nInclude it from the root .gitlab-ci.yml (include: [{ local: ${PACT_PATHS.gitlab} }]); its stage, test, is one of GitLab's default stages and of the root pipeline's.\nThe provider runs from the image the build job pushed; DIGEST comes from the build job's dotenv report.\nPACT_BROKER_BASE_URL and PACT_BROKER_TOKEN are masked, protected CI/CD variables (or come from the Vault integration).`,
    documents: [
      {
        pact_verification: {
          stage: 'test',
          image: { name: VERIFIER_IMAGE, entrypoint: [''] },
          services: [
            { name: WIREMOCK_IMAGE, alias: 'wiremock' },
            { name: '$CI_REGISTRY_IMAGE@$DIGEST', alias: 'crm-api' },
          ],
          variables,
          script: [
            `pact_verifier_cli --hostname crm-api --port 8080 --provider-name ${PROVIDER} --broker-url "$PACT_BROKER_BASE_URL" --provider-version "$PROVIDER_VERSION" --provider-branch "$PROVIDER_BRANCH" --publish --enable-pending`,
          ],
          rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
        },
        pact_can_i_deploy: {
          stage: 'test',
          needs: ['pact_verification'],
          image: { name: PACT_CLI_IMAGE, entrypoint: [''] },
          variables,
          script: [`pact-broker can-i-deploy --pacticipant ${PROVIDER} --version "$PROVIDER_VERSION" --to-environment production`],
          rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
        },
      },
    ],
  };
}

function azureJob(): ArtifactSpec['body'] {
  const env = {
    PACT_BROKER_BASE_URL: '$(PACT_BROKER_BASE_URL)',
    PACT_BROKER_TOKEN: '$(PACT_BROKER_TOKEN)',
    PROVIDER_VERSION: '$(Build.SourceVersion)',
    PROVIDER_BRANCH: '$(Build.SourceBranchName)',
  };
  return {
    format: 'yaml',
    schema: 'azure-pipelines',
    header: `${PACT_HEADER}${COMPOSE_NOTE}\nThe variable group pact-broker is linked to Azure Key Vault; secret variables are mapped into env explicitly.`,
    documents: [
      {
        trigger: { branches: { include: ['main'] } },
        pr: { branches: { include: ['*'] } },
        pool: { vmImage: 'ubuntu-latest' },
        variables: [{ group: 'pact-broker' }],
        jobs: [
          {
            job: 'pact_verification',
            timeoutInMinutes: 20,
            steps: [
              { checkout: 'self', persistCredentials: false },
              { script: START_STUBS, displayName: 'Start WireMock stubs for partner APIs' },
              { script: START_PROVIDER, displayName: 'Start the provider against the stubs' },
              { script: dockerVerify(), displayName: 'Verify pacts (pact_verifier_cli)', env },
              { script: dockerCanIDeploy(), displayName: 'can-i-deploy', env },
            ],
          },
        ],
      },
    ],
  };
}

const PACT_PATHS: Record<'github' | 'gitlab' | 'azure', string> = {
  github: '.github/workflows/pact-verification.yml',
  gitlab: 'ci/pact-verification.gitlab-ci.yml',
  azure: 'pipelines/pact-verification.yml',
};

/** The Pact verification job for the profile's CI vendor; GitHub Actions when the vendor is unknown (section 4 asks which). */
export function pactVerificationJob(vendor: CiVendor): ArtifactSpec {
  const flavour = vendor === 'gitlab_ci' ? 'gitlab' : vendor === 'azure_devops' ? 'azure' : 'github';
  const body = flavour === 'gitlab' ? gitlabJob() : flavour === 'azure' ? azureJob() : githubJob();
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
  if (decided.get('quality_strategy.service_virtualization') === 'wiremock') specs.push(wiremockStubs(ids));
  if (decided.get('quality_strategy.contract_testing') === true) {
    specs.push(
      ctx.profile.ci_vendor === 'other'
        ? notGenerated('pact_verification_job.yaml', `Ringmaster writes CI jobs for GitHub Actions, GitLab CI and Azure Pipelines, not ${ctx.profile.ci_platform}; run pact_verifier_cli against the provider, then pact-broker can-i-deploy, in a job that gates the merge`)
        : pactVerificationJob(ctx.profile.ci_vendor),
    );
  }
  if (decided.get('quality_strategy.flaky_policy') === 'quarantine' && flakyEvidence(ctx)) specs.push(flakyQuarantine());
  return specs;
}
