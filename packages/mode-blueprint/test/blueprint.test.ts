import { describe, expect, it } from 'vitest';
import { runMode } from '@ringmaster/core';
import { blueprintMode, blueprintRules, deployRegions, jurisdictionOf } from '../src/index.js';

/** One row per rule: a profile that fires it, and one where another row of the same field wins. */
const rows: { rule: string; fires: Record<string, unknown>; not: Record<string, unknown>; value?: unknown }[] = [
  { rule: 'blueprint/trunk-based', fires: { goal: 'pipeline' }, not: { goal: 'pipeline' } },
  { rule: 'blueprint/ci-triggers', fires: { goal: 'pipeline' }, not: { goal: 'pipeline' } },
  {
    rule: 'blueprint/stages-residency',
    fires: { goal: 'GDPR', crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] } },
    not: { goal: 'deploy', crm_profile: { multi_tenant: true } },
    value: ['build', 'test', 'security', 'publish', 'deploy_eu', 'deploy_us'],
  },
  { rule: 'blueprint/stages-rings', fires: { goal: 'deploy', crm_profile: { multi_tenant: true } }, not: { goal: 'deploy', crm_profile: { multi_tenant: false } } },
  { rule: 'blueprint/stages-standard', fires: { goal: 'deploy' }, not: { goal: 'deploy', release_policy: { ring_model: { enabled: true } } } },
  { rule: 'blueprint/gates', fires: { goal: 'pipeline' }, not: { goal: 'pipeline' } },
  { rule: 'blueprint/caching-long-term', fires: { goal: 'release', release_policy: { change_approval_level: 'cab' } }, not: { goal: 'release', release_policy: { cadence: 'daily' } }, value: 'long_term' },
  { rule: 'blueprint/caching-scoped', fires: { goal: 'release' }, not: { goal: 'release', release_policy: { cadence: 'quarterly' } }, value: 'scoped_keys' },
  { rule: 'blueprint/build-once', fires: { goal: 'pipeline' }, not: { goal: 'pipeline' }, value: 'build_once_promote_by_digest' },
  { rule: 'blueprint/deploy-scripted', fires: { goal: 'deploy', infra: { orchestrator: 'kubernetes' }, cd_strategy: 'push' }, not: { goal: 'deploy', infra: { orchestrator: 'kubernetes' } }, value: 'scripted_git_driven' },
  { rule: 'blueprint/deploy-gitops', fires: { goal: 'deploy', infra: { orchestrator: 'kubernetes' } }, not: { goal: 'deploy', infra: { orchestrator: 'ecs' } }, value: 'gitops_pull' },
  { rule: 'blueprint/ci-vendor', fires: { goal: 'pipeline', ci_platform: 'GitLab CI' }, not: { goal: 'pipeline', ci_platform: 'GitLab CI' }, value: 'gitlab_ci' },
  { rule: 'blueprint/registry', fires: { goal: 'pipeline', ci_platform: 'gitlab' }, not: { goal: 'pipeline', ci_platform: 'gitlab' }, value: 'gitlab_container_registry' },
  { rule: 'blueprint/regions', fires: { goal: 'deploy', infra: { regions: ['us-east-1'] } }, not: { goal: 'deploy' } },
];

describe('blueprint rules', () => {
  it('has a test row for every rule', () => {
    expect(rows.map((r) => r.rule).sort()).toEqual(blueprintRules.map((r) => r.id).sort());
  });

  it.each(rows)('$rule', ({ rule, fires, not, value }) => {
    const field = blueprintRules.find((r) => r.id === rule)?.field ?? '';
    const fired = runMode(blueprintMode, fires).decisions.get(field);
    expect(fired?.rule).toBe(rule);
    if (value !== undefined) expect(fired?.value).toEqual(value);
    const other = runMode(blueprintMode, not).decisions.get(field);
    if (JSON.stringify(not) !== JSON.stringify(fires)) expect(other?.rule).not.toBe(rule);
  });
});

describe('blueprint applicability', () => {
  it.each(['Setup CI pipeline', 'Deploy Strategy', 'GDPR residency', 'Release Policy', 'Design the CI/CD blueprint'])('applies to "%s"', (goal) => {
    expect(runMode(blueprintMode, { goal }).applies).toBe(true);
  });
  it.each(['Emergency Fix Process', 'Reduce Flakiness', 'Cost Control'])('does not apply to "%s" alone', (goal) => {
    expect(runMode(blueprintMode, { goal }).applies).toBe(false);
  });
  it('applies on a residency profile whatever the goal says', () => {
    expect(runMode(blueprintMode, { goal: 'keep regulators happy', crm_profile: { multi_tenant: true, data_residency_regions: ['eu-west-1'] } }).applies).toBe(true);
  });
});

describe('residency helpers', () => {
  it.each([
    ['eu-central-1', 'eu'],
    ['europe-west3', 'eu'],
    ['westeurope', 'eu'],
    ['us-east-1', 'us'],
    ['eastus2', 'us'],
    ['ap-southeast-2', 'apac'],
  ])('%s is in %s', (region, jurisdiction) => expect(jurisdictionOf(region)).toBe(jurisdiction));

  it('adds a region outside the residency set', () => {
    const ctxProfile = runMode(blueprintMode, { goal: 'x', crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] } });
    expect(ctxProfile.decisions.get('pipeline_blueprint.regions')?.value).toEqual(['eu-central-1', 'us-east-1']);
    expect(deployRegions).toBeTypeOf('function');
  });
});

describe('blueprint artifacts', () => {
  it('writes the pipeline for the CI vendor', () => {
    const paths = (ci: string) => runMode(blueprintMode, { goal: 'pipeline', ci_platform: ci }).artifacts.map((a) => a.path);
    expect(paths('github')).toContain('.github/workflows/release.yml');
    expect(paths('gitlab')).toContain('.gitlab-ci.yml');
    expect(paths('azure devops')).toContain('azure-pipelines.yml');
  });

  it('adds residency and change-approval artifacts only when the profile calls for them', () => {
    const names = (p: Record<string, unknown>) => runMode(blueprintMode, p).artifacts.map((a) => a.name);
    expect(names({ goal: 'pipeline' })).not.toContain('opa_residency_policy.rego');
    expect(names({ goal: 'x', crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] } })).toEqual(expect.arrayContaining(['opa_residency_policy.rego', 'pipeline_regions.yaml', 'audit_region_log.json']));
    expect(names({ goal: 'x', release_policy: { change_approval_level: 'cab' } })).toEqual(expect.arrayContaining(['freeze_policy.rego', 'approval_gate_job.yaml', 'exception_request_form.md']));
  });

  it('passes the delivery names to promote.sh quoted: the built image in its service table, the signer that signs it as variables', () => {
    const profile = { goal: 'pipeline', infra: { cloud_provider: 'aws' }, delivery: { app_repository: 'acme/crm', registry: 'ghcr.io/acme' } };
    const vars = (companions: string[]) => {
      const promote = runMode(blueprintMode, profile, companions).artifacts.find((a) => a.name === 'promote.sh');
      return promote?.body.format === 'shell' ? promote.body.vars : {};
    };
    const promote = runMode(blueprintMode, profile).artifacts.find((a) => a.name === 'promote.sh');
    expect(promote?.body.format === 'shell' ? promote.body.script : '').toContain("  'crm-api')\n    IMAGE='ghcr.io/acme/crm-api'\n");
    expect(vars([])).toMatchObject({ SERVICES: 'crm-api', CERT_IDENTITY: 'https://github.com/acme/crm/.github/workflows/release.yml@refs/heads/main', OIDC_ISSUER: 'https://token.actions.githubusercontent.com' });
    expect(vars(['supply-chain'])['CERT_IDENTITY']).toBe('https://github.com/acme/crm/.github/workflows/release-signing.yml@refs/heads/main');
    const gitlab = runMode(blueprintMode, { ...profile, ci_platform: 'gitlab' }).artifacts.find((a) => a.name === 'promote.sh');
    expect(gitlab?.body.format === 'shell' ? gitlab.body.vars : {}).toMatchObject({ CERT_IDENTITY: 'https://gitlab.com/acme/crm//.gitlab-ci.yml@refs/heads/main', OIDC_ISSUER: 'https://gitlab.com' });
    const azure = runMode(blueprintMode, { ...profile, ci_platform: 'azure devops', delivery: { ...profile.delivery, cloud: { aws_account_id: '123456789012' } } }).artifacts.find((a) => a.name === 'promote.sh');
    expect(azure?.body.format === 'shell' ? azure.body.vars['SIGNING_KEY'] : '').toBe('awskms:///arn:aws:kms:us-east-1:123456789012:alias/release-signing');
  });
});

describe('free text from the profile', () => {
  it('shows a plain cadence and withholds one that looks like markup', () => {
    const intro = (cadence: string) => {
      const form = runMode(blueprintMode, { goal: 'release', release_policy: { change_approval_level: 'cab', cadence } }).artifacts.find((a) => a.name === 'exception_request_form.md');
      return form?.body.format === 'markdown' ? form.body.doc.intro : undefined;
    };
    expect(intro('quarterly')).toContain('Cadence: quarterly;');
    expect(intro('{{ .Values.cadence }}')).toContain('Cadence: as stated in the profile;');
  });
});

describe('the release pipeline with and without the supply-chain mode', () => {
  const jobsOf = (companions: string[]) => {
    const spec = runMode(blueprintMode, { goal: 'pipeline' }, companions).artifacts.find((a) => a.name === 'pipeline_template.yaml');
    return spec?.body.format === 'yaml' ? ((spec.body.documents[0] as { jobs: Record<string, { uses?: string }> }).jobs) : {};
  };
  it('signs and adds provenance itself when it is alone', () => {
    const jobs = jobsOf([]);
    expect(Object.keys(jobs)).toEqual(expect.arrayContaining(['build', 'publish', 'provenance']));
    expect(jobs['provenance']?.uses).toMatch(/^slsa-framework\/slsa-github-generator\//);
  });
  it("hands the digest to the supply-chain mode's signing workflow when that mode is in the plan", () => {
    const jobs = jobsOf(['supply-chain']);
    expect(jobs['sign']?.uses).toBe('./.github/workflows/release-signing.yml');
    expect(Object.keys(jobs)).not.toContain('provenance');
  });

  it('Azure DevOps signs the digest it pushed with the KMS key promote.sh verifies, before any deploy stage, also without the supply-chain mode', () => {
    const profile = { goal: 'pipeline', infra: { cloud_provider: 'azure' }, ci_platform: 'azure devops', delivery: { registry: 'acmecr.azurecr.io' } };
    const pipeline = (companions: string[]) => {
      const spec = runMode(blueprintMode, profile, companions).artifacts.find((a) => a.path === 'azure-pipelines.yml');
      return (spec?.body.format === 'yaml' ? spec.body.documents[0] : {}) as { stages: Record<string, unknown>[] };
    };
    const own = pipeline([]);
    const sign = own.stages.find((s) => s['stage'] === 'sign');
    const text = JSON.stringify(sign);
    expect(text).toContain('cosign sign --yes --key \\"azurekms://release-signing.vault.azure.net/release-signing\\" \\"acmecr.azurecr.io/crm-api@$(DIGEST)');
    expect(text).toContain('az acr login --name acmecr');
    expect(text).toContain('AzureCLI@2');
    for (const deploy of own.stages.filter((s) => String(s['stage']).startsWith('deploy_'))) expect(deploy['dependsOn']).toContain('sign');
    // With the supply-chain mode, its signing stage template takes the place of the pipeline's own.
    const withTemplate = pipeline(['supply-chain']);
    expect(withTemplate.stages.some((s) => s['stage'] === 'sign')).toBe(false);
    expect(withTemplate.stages).toContainEqual(expect.objectContaining({ template: '.azure-pipelines/release-signing.yml' }));
  });

  it('GitLab jobs log in to the registry of the delivery model: the project\'s own with the job token, another with its own credentials', () => {
    const gitlabPipeline = (registry?: string) => {
      const profile = { goal: 'pipeline', ci_platform: 'gitlab', crm_profile: { multi_tenant: true }, delivery: { app_repository: 'acme/crm', ...(registry ? { registry } : {}) } };
      const spec = runMode(blueprintMode, profile).artifacts.find((a) => a.path === '.gitlab-ci.yml');
      return JSON.stringify(spec?.body);
    };
    const own = gitlabPipeline();
    expect(own).toContain('docker login --username \\"${CI_REGISTRY_USER}\\" --password-stdin \\"${CI_REGISTRY}\\"');
    expect(own).not.toContain('${REGISTRY_PASSWORD}');
    const other = gitlabPipeline('ghcr.io/acme');
    expect(other).toContain('docker login --username \\"${REGISTRY_USER}\\" --password-stdin \\"ghcr.io\\"');
    expect(other).toContain('cosign login \\"ghcr.io\\" -u \\"${REGISTRY_USER}\\" -p \\"${REGISTRY_PASSWORD}\\"');
    expect(other).toContain('"TRIVY_USERNAME":"${REGISTRY_USER}"');
    expect(other).not.toContain('CI_REGISTRY');
  });
});

describe('push CD on Kubernetes', () => {
  const push = (extra: Record<string, unknown> = {}) => runMode(blueprintMode, { goal: 'deploy', infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-west-1'] }, cd_strategy: 'push', ...extra }, ['gitops']);
  const jobs = (run: ReturnType<typeof push>) => {
    const body = run.artifacts.find((a) => a.path === '.github/workflows/release.yml')?.body;
    return ((body?.format === 'yaml' ? body.documents[0] : {}) as { jobs: Record<string, { permissions?: Record<string, string>; steps?: { uses?: string; run?: string; with?: Record<string, string> }[] }> }).jobs;
  };
  it('each deploy job promotes, logs in to the cluster through OIDC and applies the overlay with the scripted deploy', () => {
    const deploys = Object.entries(jobs(push())).filter(([id]) => id.startsWith('deploy-'));
    expect(deploys.length).toBeGreaterThan(0);
    for (const [, job] of deploys) {
      const steps = job.steps ?? [];
      expect(job.permissions).toMatchObject({ 'id-token': 'write' });
      const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(`${s.uses ?? ''} ${s.run ?? ''}`));
      expect(at(/promote\.sh/)).toBeGreaterThanOrEqual(0);
      expect(at(/configure-aws-credentials/)).toBeGreaterThan(at(/promote\.sh/));
      expect(at(/aws eks update-kubeconfig/)).toBeGreaterThan(at(/configure-aws-credentials/));
      expect(at(/scripts\/scripted_deploy\.sh "\$\{TARGET\}"/)).toBeGreaterThan(at(/aws eks update-kubeconfig/));
      expect(steps.find((s) => s.uses?.startsWith('aws-actions/'))?.with?.['aws-region']).toBe('eu-west-1');
    }
    expect(push().notGenerated).toEqual([]);
  });
  it('with an operator there is no cluster step, and the pipeline never holds cluster credentials', () => {
    const steps = Object.values(jobs(push({ cd_strategy: 'gitops' }))).flatMap((j) => j.steps ?? []);
    expect(steps.some((s) => /kubeconfig|scripted_deploy/.test(s.run ?? ''))).toBe(false);
  });
  it.each([
    ['gitlab', { ci_platform: 'gitlab' }, /GitHub Actions only/],
    ['on-prem', { infra: { cloud_provider: 'on_prem', orchestrator: 'kubernetes' } }, /no OIDC login/],
  ])('%s: the deploy job is listed as not generated, with why', (_name, extra, reason) => {
    const run = push(extra);
    expect(run.notGenerated.map((n) => n.artifact)).toEqual(['cluster deploy job']);
    expect(run.notGenerated[0]?.reason).toMatch(reason);
  });
});
