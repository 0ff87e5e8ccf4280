import { contextFor, runMode, type ArtifactSpec } from '@ringmaster/core';
import { FileRenderer, validateArtifact } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { integrationIds, qualityMode, qualityRules } from '../src/index.js';

type P = Record<string, unknown>;
const withIntegrations: P = { goal: 'Stabilize API', crm_profile: { multi_tenant: false, integrations: ['salesforce', 'hubspot'] } };
const flaky: P = { goal: 'Reduce Flakiness', current_pain: ['flaky_tests'] };
const plain: P = { goal: 'Improve test quality' };

/** One row per rule: a profile that fires it and one where it must not decide its field. */
const ruleRows: { rule: string; field: string; fires: P; not: P; value?: unknown }[] = [
  { rule: 'quality/test-levels-e2e', field: 'quality_strategy.test_levels', fires: { ...withIntegrations, goal: 'Add e2e tests' }, not: withIntegrations, value: ['unit', 'integration', 'contract', 'e2e'] },
  { rule: 'quality/test-levels-integrations', field: 'quality_strategy.test_levels', fires: withIntegrations, not: plain, value: ['unit', 'integration', 'contract', 'smoke'] },
  { rule: 'quality/test-levels-default', field: 'quality_strategy.test_levels', fires: plain, not: withIntegrations, value: ['unit', 'integration', 'smoke'] },
  { rule: 'quality/contract-testing-integrations', field: 'quality_strategy.contract_testing', fires: withIntegrations, not: plain, value: true },
  { rule: 'quality/contract-testing-none', field: 'quality_strategy.contract_testing', fires: plain, not: withIntegrations, value: false },
  { rule: 'quality/flaky-quarantine-detected', field: 'quality_strategy.flaky_policy', fires: flaky, not: plain, value: 'quarantine' },
  { rule: 'quality/flaky-quarantine-default', field: 'quality_strategy.flaky_policy', fires: plain, not: flaky, value: 'quarantine' },
  { rule: 'quality/blocking-flaky-budget', field: 'quality_strategy.blocking_flaky_budget', fires: plain, not: plain, value: '0%' },
  { rule: 'quality/result-format-junit', field: 'quality_strategy.result_format', fires: plain, not: plain, value: 'junit_xml' },
  { rule: 'quality/static-analysis-sonarqube', field: 'quality_strategy.static_analysis', fires: plain, not: plain, value: 'sonarqube' },
  { rule: 'quality/service-virtualization-wiremock', field: 'quality_strategy.service_virtualization', fires: withIntegrations, not: plain, value: 'wiremock' },
  { rule: 'quality/service-virtualization-none', field: 'quality_strategy.service_virtualization', fires: plain, not: withIntegrations, value: 'none' },
];

describe('quality rules', () => {
  it('has a row for every rule', () => {
    expect(new Set(ruleRows.map((r) => r.rule))).toEqual(new Set(qualityRules.map((r) => r.id)));
  });
  it.each(ruleRows)('$rule', ({ rule, field, fires, not, value }) => {
    const hit = runMode(qualityMode, fires).decisions.get(field);
    expect(hit?.rule).toBe(rule);
    if (value !== undefined) expect(hit?.value).toEqual(value);
    const unconditional = qualityRules.find((r) => r.id === rule)?.when === undefined && qualityRules.filter((r) => r.field === field).length === 1;
    if (!unconditional) expect(runMode(qualityMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
});

describe('quality applicability', () => {
  it.each(['Reduce Flakiness', 'Stabilize API', 'Contract testing for partners', 'Quarantine flaky tests', 'Improve test coverage', 'Integration resilience'])('applies to "%s"', (goal) => {
    expect(runMode(qualityMode, { goal }).applies).toBe(true);
  });
  it.each(['Setup OIDC', 'DR Plan', 'Reduce CI Cost', 'GitOps', 'Emergency Fix Process', 'Release Policy'])('skips "%s"', (goal) => {
    expect(runMode(qualityMode, { goal }).applies).toBe(false);
  });
  it('applies on flaky_tests pain alone', () => {
    expect(runMode(qualityMode, { goal: 'Help', current_pain: ['flaky_tests'] }).applies).toBe(true);
  });
  it('integrations alone are weak evidence', () => {
    expect(runMode(qualityMode, { goal: 'Help', crm_profile: { multi_tenant: false, integrations: ['stripe'] } }).applies).toBe(false);
  });
});

describe('quality artifacts', () => {
  const names = (p: P): string[] => runMode(qualityMode, p).artifacts.map((a) => a.name);
  const artifact = (p: P, name: string) => runMode(qualityMode, p).artifacts.find((a) => a.name === name);

  it.each([
    { name: 'integrations', profile: withIntegrations, files: ['circuit_breaker_config.yaml', 'wiremock_stubs.json', 'pact_verification_job.yaml'] },
    { name: 'flaky', profile: flaky, files: ['flaky_quarantine.yaml'] },
    { name: 'plain', profile: plain, files: [] },
  ])('$name -> $files', ({ profile, files }) => {
    expect(names(profile)).toEqual(files);
  });

  it('one circuit breaker with failureRateThreshold 50 per sanitized integration', () => {
    const body = artifact({ ...withIntegrations, crm_profile: { multi_tenant: false, integrations: ['Microsoft Graph', 'salesforce'] } }, 'circuit_breaker_config.yaml')?.body;
    expect(body?.format).toBe('yaml');
    const doc = (body as unknown as { documents: { resilience4j: { circuitbreaker: { instances: Record<string, { failureRateThreshold: number }> } } }[] }).documents[0];
    expect(doc?.resilience4j.circuitbreaker.instances).toEqual({
      microsoft_graph: { baseConfig: 'default', failureRateThreshold: 50 },
      salesforce: { baseConfig: 'default', failureRateThreshold: 50 },
    });
  });

  it.each([
    { given: ['Microsoft Graph'], ids: ['microsoft_graph'] },
    { given: ['3scale', 'a-b', 'a_b'], ids: ['api_3scale', 'a_b', 'a_b_2'] },
    { given: ['!!!'], ids: ['integration'] },
  ])('integration ids $given -> $ids', ({ given, ids }) => {
    expect(integrationIds(given)).toEqual(ids);
  });

  it('WireMock stubs: a 200 GET and a 429 with Retry-After per integration', () => {
    const value = (artifact(withIntegrations, 'wiremock_stubs.json')?.body as { value: { mappings: { request: { method: string }; response: { status: number; headers?: Record<string, string> } }[] } }).value;
    expect(value.mappings).toHaveLength(4);
    expect(value.mappings.filter((m) => m.request.method === 'GET' && m.response.status === 200)).toHaveLength(2);
    expect(value.mappings.filter((m) => m.response.status === 429 && m.response.headers?.['Retry-After'] === '30')).toHaveLength(2);
  });

  it.each([
    { ci: undefined, schema: 'github-workflow', path: '.github/workflows/pact-verification.yml' },
    { ci: 'GitHub Actions', schema: 'github-workflow', path: '.github/workflows/pact-verification.yml' },
    { ci: 'gitlab', schema: 'gitlab-ci', path: 'ci/pact-verification.gitlab-ci.yml' },
    { ci: 'Azure DevOps', schema: 'azure-pipelines', path: 'pipelines/pact-verification.yml' },
  ])('pact job follows ci_platform $ci', ({ ci, schema, path }) => {
    const spec = artifact({ ...withIntegrations, ...(ci ? { ci_platform: ci } : {}) }, 'pact_verification_job.yaml');
    expect(spec?.path).toBe(path);
    expect((spec?.body as { schema: string }).schema).toBe(schema);
    const text = JSON.stringify(spec?.body);
    expect(text).toContain('pact');
    expect(text).toContain('can-i-deploy');
    expect(text).not.toMatch(/PACT_BROKER_TOKEN["']?:\s*["'][A-Za-z0-9]{8,}/);
  });

  it('GitHub pact job takes the broker token from secrets and pins checkout by SHA', () => {
    const text = JSON.stringify(artifact(withIntegrations, 'pact_verification_job.yaml')?.body);
    expect(text).toContain('${{ secrets.PACT_BROKER_TOKEN }}');
    expect(text).toMatch(/actions\/checkout@[0-9a-f]{40}/);
  });
});

describe('quality contribution', () => {
  it.each([
    { profile: withIntegrations, risks: ['integration-rate-limit'] },
    { profile: flaky, risks: [] },
  ])('risks $risks', ({ profile, risks }) => {
    expect(qualityMode.contribute(contextFor(profile)).risks).toEqual(risks);
  });
  it('golden-10 decisions', () => {
    const run = runMode(qualityMode, withIntegrations);
    expect(run.applies).toBe(true);
    expect(run.decisions.get('quality_strategy.contract_testing')?.value).toBe(true);
    expect(run.decisions.get('quality_strategy.test_levels')?.value).toEqual(expect.arrayContaining(['unit', 'integration', 'contract']));
  });
  it('smoke-02 decisions', () => {
    const run = runMode(qualityMode, flaky);
    expect(run.applies).toBe(true);
    expect(run.decisions.get('quality_strategy.flaky_policy')?.value).toBe('quarantine');
  });
});

describe('pact job per CI vendor', () => {
  const contract: P = { ...withIntegrations, goal: 'Contract testing for the API' };
  it.each([
    { ci: 'github', path: '.github/workflows/pact-verification.yml' },
    { ci: 'gitlab', path: 'ci/pact-verification.gitlab-ci.yml' },
    { ci: 'azure devops', path: 'pipelines/pact-verification.yml' },
  ])('$ci -> $path', ({ ci, path }) => {
    const run = runMode(qualityMode, { ...contract, ci_platform: ci });
    expect(run.artifacts.find((a) => a.name === 'pact_verification_job.yaml')?.path).toBe(path);
  });
  it.each(['github', 'gitlab', 'azure devops'])('%s: verifies the delivery model\'s service, built from the checkout, without a compose file', (ci) => {
    const service = { name: 'billing-api', port: 9090, health_path: '/ready' };
    const spec = runMode(qualityMode, { ...contract, ci_platform: ci, delivery: { services: [service] } }).artifacts.find((a) => a.name === 'pact_verification_job.yaml');
    const text = JSON.stringify(spec?.body);
    expect(text).toContain('docker build --tag billing-api:pact .');
    expect(text).toContain('http://billing-api:9090/ready');
    expect(text).toContain('--provider-name billing-api');
    expect(text).toContain('--pacticipant billing-api');
    expect(text).not.toMatch(/docker compose|crm-api/);
  });
  it.each([
    { ci: 'github', jobs: (doc: Record<string, unknown>) => Object.keys(doc['jobs'] as object), ids: ['pact-verify-crm-api', 'pact-verify-crm-web'], one: ['pact-verify'] },
    { ci: 'gitlab', jobs: (doc: Record<string, unknown>) => Object.keys(doc).filter((k) => k !== 'variables'), ids: ['pact_verification_crm_api', 'pact_verification_crm_web'], one: ['pact_verification'] },
    { ci: 'azure devops', jobs: (doc: Record<string, unknown>) => (doc['jobs'] as { job: string }[]).map((j) => j.job), ids: ['pact_verification_crm_api', 'pact_verification_crm_web'], one: ['pact_verification'] },
  ])('$ci: every service of the plan is verified in its own job, built from its own context', async ({ ci, jobs, ids, one }) => {
    const services = [
      { name: 'crm-api', port: 8080, health_path: '/healthz', build_context: 'services/api' },
      { name: 'crm-web', port: 3000, health_path: '/health', build_context: 'services/web' },
    ];
    const docOf = (delivery: P): Record<string, unknown> => {
      const spec = runMode(qualityMode, { ...contract, ci_platform: ci, delivery }).artifacts.find((a) => a.name === 'pact_verification_job.yaml');
      if (spec?.body.format !== 'yaml') throw new Error('no pact job');
      return spec.body.documents[0] as Record<string, unknown>;
    };
    const doc = docOf({ services });
    expect(jobs(doc)).toEqual(ids);
    const text = JSON.stringify(doc);
    for (const [i, id] of ids.entries()) {
      const job = JSON.stringify(ci === 'azure devops' ? (doc['jobs'] as unknown[])[i] : ci === 'github' ? (doc['jobs'] as Record<string, unknown>)[id] : doc[id]);
      const other = services[1 - i]?.name as string;
      const own = services[i] as (typeof services)[number];
      expect(job).toContain(`docker build --tag ${own.name}:pact ${own.build_context}`);
      expect(job).toContain(`http://${own.name}:${own.port}${own.health_path}`);
      expect(job).toContain(`--pacticipant ${own.name}`);
      expect(job).not.toContain(other);
    }
    expect(text).not.toContain('docker build --tag crm-api:pact .');
    expect(jobs(docOf({ services: [services[0]] }))).toEqual(one);
    const spec = runMode(qualityMode, { ...contract, ci_platform: ci, delivery: { services } }).artifacts.find((a) => a.name === 'pact_verification_job.yaml') as ArtifactSpec;
    expect((await validateArtifact(spec, new FileRenderer().render(spec))).filter((issue) => issue.severity === 'error')).toEqual([]);
  });
  it('the GitLab fragment says how the root pipeline includes it', () => {
    const spec = runMode(qualityMode, { ...contract, ci_platform: 'gitlab' }).artifacts.find((a) => a.name === 'pact_verification_job.yaml');
    expect(spec?.body.format === 'yaml' && spec.body.header).toContain('local: ci/pact-verification.gitlab-ci.yml');
  });
  it('a CI system without a format gets no job, and is told so', () => {
    const run = runMode(qualityMode, { ...contract, ci_platform: 'Jenkins' });
    expect(run.artifacts.map((a) => a.name)).not.toContain('pact_verification_job.yaml');
    expect(run.notGenerated.map((n) => n.artifact)).toEqual(['pact_verification_job.yaml']);
  });
});
