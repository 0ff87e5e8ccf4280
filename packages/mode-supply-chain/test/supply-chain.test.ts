import { checkGuardrails, contextFor, runMode, type ArtifactSpec } from '@ringmaster/core';
import { FileRenderer, validateArtifact } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { supplyChainMode, supplyChainRules } from '../src/index.js';

type P = Record<string, unknown>;

/** One row per rule: a profile that fires it and one whose decision comes from another rule. */
const ruleRows: { rule: string; field: string; fires: P; value: unknown; not?: P }[] = [
  { rule: 'supply-chain/slsa-l1-checksum-fallback', field: 'security_controls.slsa_level', fires: { goal: 'Supply chain without cosign' }, value: 'L1', not: { goal: 'Supply chain signing' } },
  { rule: 'supply-chain/slsa-l2-no-l3-builder', field: 'security_controls.slsa_level', fires: { goal: 'Audit Security', risk_tier: 'high', ci_platform: 'gitlab' }, value: 'L2', not: { goal: 'Audit Security', risk_tier: 'high', ci_platform: 'github actions' } },
  { rule: 'supply-chain/slsa-l3-high-risk', field: 'security_controls.slsa_level', fires: { goal: 'Audit Security', risk_tier: 'high' }, value: 'L3', not: { goal: 'Audit Security', risk_tier: 'medium' } },
  { rule: 'supply-chain/slsa-l2-baseline', field: 'security_controls.slsa_level', fires: { goal: 'SLSA', risk_tier: 'medium' }, value: 'L2', not: { goal: 'SLSA', risk_tier: 'high' } },
  { rule: 'supply-chain/slsa-roadmap', field: 'security_controls.slsa_roadmap', fires: { goal: 'SLSA' }, value: undefined },
  { rule: 'supply-chain/provenance-unsigned-fallback', field: 'security_controls.provenance_tool', fires: { goal: 'checksum verification' }, value: 'unsigned_provenance_json', not: { goal: 'provenance' } },
  { rule: 'supply-chain/provenance-gitlab', field: 'security_controls.provenance_tool', fires: { goal: 'provenance', ci_platform: 'gitlab' }, value: 'buildkit-provenance-cosign-attest', not: { goal: 'provenance', ci_platform: 'github actions' } },
  { rule: 'supply-chain/provenance-azure-devops', field: 'security_controls.provenance_tool', fires: { goal: 'provenance', ci_platform: 'azure devops' }, value: 'cosign-attest', not: { goal: 'provenance' } },
  { rule: 'supply-chain/provenance-github-attest-l2', field: 'security_controls.provenance_tool', fires: { goal: 'provenance', risk_tier: 'low' }, value: 'attest-build-provenance', not: { goal: 'provenance', risk_tier: 'high' } },
  { rule: 'supply-chain/provenance-slsa-generator', field: 'security_controls.provenance_tool', fires: { goal: 'Setup OIDC', infra: { cloud_provider: 'aws' } }, value: 'slsa-generator', not: { goal: 'provenance', ci_platform: 'gitlab' } },
  { rule: 'supply-chain/signing-none-fallback', field: 'security_controls.signing_tool', fires: { goal: 'release without signing' }, value: 'none', not: { goal: 'signing' } },
  { rule: 'supply-chain/signing-cosign', field: 'security_controls.signing_tool', fires: { goal: 'Secure Cache' }, value: 'cosign', not: { goal: 'no cosign available' } },
  { rule: 'supply-chain/verification-checksum-fallback', field: 'security_controls.verification', fires: { goal: 'no cosign available' }, value: 'checksum', not: { goal: 'signing' } },
  { rule: 'supply-chain/verification-cosign-verify', field: 'security_controls.verification', fires: { goal: 'signing' }, value: 'cosign_verify', not: { goal: 'checksums only' } },
  { rule: 'supply-chain/sbom-trivy-fallback', field: 'security_controls.sbom_tool', fires: { goal: 'sbom without syft' }, value: 'trivy', not: { goal: 'sbom' } },
  { rule: 'supply-chain/sbom-syft', field: 'security_controls.sbom_tool', fires: { goal: 'sbom' }, value: 'syft', not: { goal: 'sbom without syft' } },
  { rule: 'supply-chain/sbom-format-spdx', field: 'security_controls.sbom_format', fires: { goal: 'sbom' }, value: 'spdx-json' },
  { rule: 'supply-chain/admission-block-root-runners', field: 'security_controls.admission_policy', fires: { goal: 'Secure Runners', current_pain: ['runner_risk'] }, value: 'block_root_runners', not: { goal: 'signing' } },
  { rule: 'supply-chain/admission-pinned-digests-fallback', field: 'security_controls.admission_policy', fires: { goal: 'no cosign' }, value: 'require_pinned_digests', not: { goal: 'runners without cosign' } },
  { rule: 'supply-chain/admission-verify-signatures', field: 'security_controls.admission_policy', fires: { goal: 'signing', infra: { orchestrator: 'kubernetes' } }, value: 'verify_signatures', not: { goal: 'signing', infra: { orchestrator: 'ecs' } } },
  { rule: 'supply-chain/admission-verify-at-deploy', field: 'security_controls.admission_policy', fires: { goal: 'signing', infra: { orchestrator: 'vm' } }, value: 'verify_before_deploy', not: { goal: 'signing', infra: { orchestrator: 'kubernetes' } } },
  { rule: 'supply-chain/identity-oidc', field: 'security_controls.identity', fires: { goal: 'Secret Management' }, value: 'oidc' },
  { rule: 'supply-chain/secrets-aws', field: 'security_controls.secrets_store', fires: { goal: 'Secret Management', infra: { cloud_provider: 'aws' } }, value: 'aws_secrets_manager', not: { goal: 'Secret Management', infra: { cloud_provider: 'gcp' } } },
  { rule: 'supply-chain/secrets-gcp', field: 'security_controls.secrets_store', fires: { goal: 'Secret Management', infra: { cloud_provider: 'gcp' } }, value: 'gcp_secret_manager', not: { goal: 'Secret Management', infra: { cloud_provider: 'azure' } } },
  { rule: 'supply-chain/secrets-azure', field: 'security_controls.secrets_store', fires: { goal: 'Secret Management', infra: { cloud_provider: 'azure' } }, value: 'azure_key_vault', not: { goal: 'Secret Management', infra: { cloud_provider: 'aws' } } },
  { rule: 'supply-chain/secrets-vault-portable', field: 'security_controls.secrets_store', fires: { goal: 'Secret Management', infra: { cloud_provider: 'on_prem' } }, value: 'hashicorp_vault', not: { goal: 'Secret Management', infra: { cloud_provider: 'aws' } } },
  { rule: 'supply-chain/runner-ephemeral', field: 'security_controls.runner_type', fires: { goal: 'Runner Security', current_pain: ['runner_risk'] }, value: 'ephemeral' },
  { rule: 'supply-chain/egress-allowlist', field: 'security_controls.egress_policy', fires: { goal: 'Runner Security' }, value: 'allowlist' },
  { rule: 'supply-chain/cache-scoped-keys', field: 'pipeline_blueprint.caching_strategy', fires: { goal: 'Secure Cache' }, value: 'scoped_keys', not: { goal: 'Setup OIDC' } },
  { rule: 'supply-chain/evidence-artifacts-fallback', field: 'evidence_bundle_plan.artifacts', fires: { goal: 'audit evidence without cosign' }, value: ['sbom', 'sha256_checksums', 'unsigned_provenance', 'junit_results', 'policy_audit_log'], not: { goal: 'audit evidence' } },
  { rule: 'supply-chain/evidence-artifacts', field: 'evidence_bundle_plan.artifacts', fires: { goal: 'Compliance', compliance: { targets: ['SOC2'] } }, value: ['sbom', 'cosign_signature', 'slsa_provenance', 'junit_results', 'policy_audit_log'], not: { goal: 'audit without signing' } },
  { rule: 'supply-chain/retention-hipaa', field: 'evidence_bundle_plan.retention', fires: { goal: 'audit', compliance: { targets: ['SOC2', 'HIPAA'] } }, value: '6_years', not: { goal: 'audit', compliance: { targets: ['SOC2'] } } },
  { rule: 'supply-chain/retention-one-year', field: 'evidence_bundle_plan.retention', fires: { goal: 'Prepare Audit', compliance: { targets: ['SOC2'], audit_evidence_required: true } }, value: '1_year', not: { goal: 'audit', compliance: { targets: ['HIPAA'] } } },
  { rule: 'supply-chain/retention-days', field: 'evidence_bundle_plan.retention_days', fires: { goal: 'audit', compliance: { targets: ['HIPAA'] } }, value: 2190 },
  { rule: 'supply-chain/auditor-queries', field: 'evidence_bundle_plan.auditor_queries', fires: { goal: 'audit' }, value: undefined },
  { rule: 'supply-chain/evidence-targets', field: 'evidence_bundle_plan.targets', fires: { goal: 'audit', compliance: { targets: ['soc 2', 'ISO'] } }, value: ['ISO27001', 'SOC2'] },
];

describe('supply-chain rules', () => {
  it('every rule has a row', () => {
    expect(new Set(ruleRows.map((r) => r.rule))).toEqual(new Set(supplyChainRules.map((r) => r.id)));
  });
  it.each(ruleRows)('$rule', ({ rule, field, fires, value, not }) => {
    const hit = runMode(supplyChainMode, fires).decisions.get(field);
    expect(hit?.rule).toBe(rule);
    if (value !== undefined) expect(hit?.value).toEqual(value);
    if (not) expect(runMode(supplyChainMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
  it('keeps change_log before access_reviews (golden-05)', () => {
    const q = runMode(supplyChainMode, { goal: 'Prepare Audit', compliance: { targets: ['SOC2'], audit_evidence_required: true } }).decisions.get('evidence_bundle_plan.auditor_queries')?.value as string[];
    expect(q.indexOf('change_log')).toBeGreaterThanOrEqual(0);
    expect(q.indexOf('change_log')).toBeLessThan(q.indexOf('access_reviews'));
  });
  it('does not decide the evidence bundle without an evidence signal', () => {
    expect(runMode(supplyChainMode, { goal: 'Setup OIDC' }).decisions.has('evidence_bundle_plan.retention')).toBe(false);
  });
});

describe('supply-chain applicability', () => {
  it.each([
    { goal: 'Setup CI pipeline', infra: { cloud_provider: 'aws' } },
    { goal: 'Audit Security', risk_tier: 'high' },
    { goal: 'Compliance', compliance: { targets: ['SOC2'] } },
    { goal: 'Secret Management' },
    { goal: 'Runner Security' },
    { goal: 'Secure Cache' },
    { goal: 'Sign container images' },
    { goal: 'Generate SBOMs' },
    { goal: 'harden the build' },
    { goal: 'Improve delivery', current_pain: ['runner_risk'] },
    { goal: 'Improve delivery', compliance: { audit_evidence_required: true } },
  ])('applies to $goal', (p) => expect(runMode(supplyChainMode, p).applies).toBe(true));
  it.each([
    { goal: 'Canary' },
    { goal: 'Reduce CI Cost', current_pain: ['costs'] },
    { goal: 'Emergency Fix Process', risk_tier: 'high' },
    { goal: 'Release Policy' },
    { goal: 'Vuln Policy', compliance: { targets: ['ISO27001'] } },
    { goal: 'Golden signals dashboard' },
  ])('skips $goal', (p) => expect(runMode(supplyChainMode, p).applies).toBe(false));
});

function files(artifacts: ArtifactSpec[]): Map<string, ArtifactSpec> {
  return new Map(artifacts.map((a) => [a.name, a]));
}
const text = (a: ArtifactSpec | undefined): string => JSON.stringify(a?.body ?? null);

describe('supply-chain artifacts', () => {
  it('golden-13: AWS trust policy, GitHub OIDC workflow, cosign by digest', () => {
    const out = files(runMode(supplyChainMode, { goal: 'Setup OIDC', infra: { cloud_provider: 'aws' } }).artifacts);
    const trust = out.get('oidc_trust_policy.json');
    expect(trust?.body).toMatchObject({ format: 'json', schema: 'iam-policy' });
    const policy = (trust?.body as { value: { Statement: { Action: string; Condition: { StringLike: Record<string, string> } }[] } }).value;
    expect(Array.isArray(policy.Statement)).toBe(true);
    expect(policy.Statement[0]?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(Object.keys(policy.Statement[0]?.Condition.StringLike ?? {})).toContain('token.actions.githubusercontent.com:sub');
    const wf = out.get('github_actions_oidc.yaml');
    expect(text(wf)).toContain('"id-token":"write"');
    expect(text(wf)).toMatch(/aws-actions\/configure-aws-credentials@[0-9a-f]{40}/);
    const sign = text(out.get('cosign_sign.sh'));
    expect(sign).toContain('cosign sign --yes \\"${IMAGE}@${DIGEST}\\"');
    expect(sign).not.toContain('--keyless');
    expect(sign).toContain('cosign attest --yes --type spdxjson');
  });
  it.each([
    ['gitlab', 'gitlab_ci_oidc.yml', 'id_tokens', 'gitlab.com'],
    ['azure devops', 'azure_pipelines_oidc.yml', 'AWSShellScript@1', 'login.microsoftonline.com'],
  ])('CI %s gets its own OIDC job', (ci, name, marker, issuer) => {
    const out = files(runMode(supplyChainMode, { goal: 'Setup OIDC', ci_platform: ci, infra: { cloud_provider: 'aws' } }).artifacts);
    expect(out.has('github_actions_oidc.yaml')).toBe(false);
    expect(text(out.get(name))).toContain(marker);
    expect(text(out.get('oidc_trust_policy.json'))).toContain(issuer);
  });
  it.each([
    ['gcp', 'workloadIdentityPools'],
    ['azure', 'api://AzureADTokenExchange'],
    ['on_prem', 'bound_claims'],
  ])('cloud %s gets its own OIDC trust', (cloud, marker) => {
    expect(text(files(runMode(supplyChainMode, { goal: 'Setup OIDC', infra: { cloud_provider: cloud } }).artifacts).get('oidc_trust_policy.json'))).toContain(marker);
  });
  it('GitHub trust accepts both subject forms (name-only and immutable ids), each exact', () => {
    const trust = (cloud: string): string => text(files(runMode(supplyChainMode, { goal: 'Setup OIDC', infra: { cloud_provider: cloud } }).artifacts).get('oidc_trust_policy.json'));
    for (const cloud of ['aws', 'on_prem']) {
      expect(trust(cloud)).toMatch(/"repo:[a-z-]+\/[a-z-]+:ref:refs\/heads\/main"/);
      expect(trust(cloud)).toMatch(/"repo:[a-z-]+@\d+\/[a-z-]+@\d+:ref:refs\/heads\/main"/);
      expect(trust(cloud)).not.toContain('@*');
    }
    // An Entra federated credential holds one exact subject: it says which form and what the other needs.
    expect(trust('azure')).toMatch(/immutable subject claims.*repo:[a-z-]+@\d+\//);
  });
  it('Azure DevOps trust uses the Entra issuer and its /sc/<org id>/<connection id> subject, not the retiring sc:// form', () => {
    for (const cloud of ['aws', 'azure', 'gcp', 'on_prem']) {
      const trust = text(files(runMode(supplyChainMode, { goal: 'Setup OIDC', ci_platform: 'azure devops', infra: { cloud_provider: cloud } }).artifacts).get('oidc_trust_policy.json'));
      expect(trust, cloud).toMatch(/\/sc\/[0-9a-f-]{36}\/[0-9a-f-]{36}/);
      expect(trust, cloud).not.toContain('sc://');
      expect(trust, cloud).not.toContain('vstoken.dev.azure.com');
    }
  });
  it('golden-03: hardened runner pod, FQDN egress allowlist, PDB, admission policy', () => {
    const out = files(runMode(supplyChainMode, { goal: 'Secure Runners', current_pain: ['runner_risk'], infra: { cloud_provider: 'unknown' } }).artifacts);
    expect(text(out.get('runner_policy.yaml'))).toContain('"runAsNonRoot":true');
    expect(text(out.get('runner_policy.yaml'))).toContain('@sha256:');
    expect(text(out.get('egress_rules.yaml'))).toContain('github.com');
    expect(text(out.get('egress_rules.yaml'))).toContain('toFQDNs');
    expect(text(out.get('pod_disruption_budget.yaml'))).toContain('"minAvailable":1');
    const rego = out.get('admission_policy.rego')?.body;
    expect(rego).toMatchObject({ format: 'rego', package: 'admission' });
    expect(text(out.get('admission_policy.rego'))).toContain('deny contains msg if');
    expect(text(out.get('admission_policy.rego'))).toContain('test_root_pod_denied');
  });
  it('golden-08: cache policy, hash verification, clean cache job', () => {
    const out = files(runMode(supplyChainMode, { goal: 'Secure Cache', infra: { cloud_provider: 'unknown' } }).artifacts);
    expect(text(out.get('cache_policy.yaml'))).toContain('key');
    expect(text(out.get('hash_verification.sh'))).toContain('sha256sum -c');
    expect(text(out.get('clean_cache_job.yaml'))).toContain('cache');
  });
  it('golden-05: evidence collector, audit report, retention policy, checklist', () => {
    const out = files(runMode(supplyChainMode, { goal: 'Prepare Audit', compliance: { targets: ['SOC2'], audit_evidence_required: true } }).artifacts);
    expect(text(out.get('evidence_collector.sh'))).toContain('cosign verify-attestation --type slsaprovenance');
    expect(text(out.get('audit_report_template.md'))).toContain('SOC2');
    expect(text(out.get('retention_policy.json'))).toContain('365');
    expect(out.get('evidence_bundle_checklist.md')?.body.format).toBe('checklist');
  });
  it('AWS retention is an S3 lifecycle rule; HIPAA keeps six years', () => {
    const out = files(runMode(supplyChainMode, { goal: 'audit', infra: { cloud_provider: 'aws' }, compliance: { targets: ['HIPAA'] } }).artifacts);
    expect(text(out.get('retention_policy.json'))).toContain('"Expiration":{"Days":2190}');
  });
  it('section 10 fallback: checksum script instead of cosign, with a fallback note', () => {
    const profile = { goal: 'Supply chain without cosign' };
    const out = files(runMode(supplyChainMode, profile).artifacts);
    expect(out.has('cosign_sign.sh')).toBe(false);
    expect(text(out.get('checksum_manifest.sh'))).toContain('sha256sum -c');
    const ctxNotes = supplyChainMode.contribute(contextFor(profile));
    expect(ctxNotes.fallbacks.join(' ')).toContain('L1');
  });
  it('warns when the CI vendor is assumed to be GitHub Actions', () => {
    expect(supplyChainMode.contribute(contextFor({ goal: 'Setup OIDC' })).warnings.join(' ')).toContain('GitHub Actions');
    expect(supplyChainMode.contribute(contextFor({ goal: 'Setup OIDC', ci_platform: 'github' })).warnings.join(' ')).not.toContain('GitHub Actions');
  });
  it.each([
    { goal: 'Setup OIDC', infra: { cloud_provider: 'aws' } },
    { goal: 'Supply chain signing, runners, cache and audit', ci_platform: 'gitlab', infra: { cloud_provider: 'gcp' }, compliance: { targets: ['HIPAA'] }, current_pain: ['runner_risk'] },
    { goal: 'Supply chain signing, runners, cache and audit', ci_platform: 'azure devops', infra: { cloud_provider: 'azure' } },
    { goal: 'Supply chain without cosign, audit evidence', infra: { cloud_provider: 'on_prem' } },
  ])('no secrets or unpinned workloads in data ($goal)', (p) => {
    const run = runMode(supplyChainMode, p);
    const probe = run.artifacts.map((a) => ({ path: a.path, content: JSON.stringify(a.body, null, 1).replace(/\\n/g, '\n') }));
    expect(checkGuardrails(probe, new Map())).toEqual([]);
  });
});


describe('release signing with the blueprint pipeline', () => {
  it('is a reusable workflow that signs the digest it is given, and is always generated then', () => {
    const run = runMode(supplyChainMode, { goal: 'Prepare Audit', compliance: { targets: ['SOC2'] } }, ['blueprint']);
    const spec = run.artifacts.find((a) => a.name === 'github_actions_oidc.yaml');
    expect(spec?.path).toBe('.github/workflows/release-signing.yml');
    const doc = spec?.body.format === 'yaml' ? (spec.body.documents[0] as { on: Record<string, unknown>; jobs: { publish: { steps: { uses?: string }[] } } }) : undefined;
    expect(Object.keys(doc?.on ?? {})).toEqual(['workflow_call']);
    expect(doc?.jobs.publish.steps.some((s) => s.uses?.startsWith('docker/build-push-action'))).toBe(false);
  });
  it('builds for itself when no release pipeline calls it', () => {
    const spec = runMode(supplyChainMode, { goal: 'Setup OIDC', infra: { cloud_provider: 'aws' } }).artifacts.find((a) => a.name === 'github_actions_oidc.yaml');
    const doc = spec?.body.format === 'yaml' ? (spec.body.documents[0] as { on: Record<string, unknown> }) : undefined;
    expect(Object.keys(doc?.on ?? {})).toEqual(['push']);
  });
});

describe('GitHub release signing for several services', () => {
  const services = [
    { name: 'crm-api', build_context: 'services/api' },
    { name: 'crm-web', image: 'web' },
  ];
  const profile = (list: unknown[]): P => ({ goal: 'Setup OIDC', infra: { cloud_provider: 'aws' }, delivery: { registry: 'ghcr.io/acme', app_repository: 'acme/crm', services: list } });
  interface Job {
    needs?: string;
    env?: Record<string, string>;
    with?: Record<string, string>;
    steps?: { id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }[];
  }
  const signing = (p: P, companions: string[] = []) => {
    const spec = runMode(supplyChainMode, p, companions).artifacts.find((a) => a.path === '.github/workflows/release-signing.yml') as ArtifactSpec;
    return { spec, doc: (spec.body.format === 'yaml' ? spec.body.documents[0] : {}) as { on: { workflow_call?: { inputs: Record<string, unknown> } }; jobs: Record<string, Job> } };
  };

  it('alone, builds each service from its context and signs it in its own publish and provenance jobs', () => {
    const { jobs } = signing(profile(services)).doc;
    expect(Object.keys(jobs)).toEqual(['publish-crm-api', 'provenance-crm-api', 'publish-crm-web', 'provenance-crm-web']);
    for (const [service, image, context] of [['crm-api', 'ghcr.io/acme/crm-api', 'services/api'], ['crm-web', 'ghcr.io/acme/web', 'services/crm-web']] as const) {
      const publish = jobs[`publish-${service}`];
      expect(publish?.env).toEqual({ IMAGE: image });
      expect(publish?.steps?.find((s) => s.id === 'build')?.with).toMatchObject({ context });
      expect(publish?.steps?.find((s) => s.run?.startsWith('aws s3 cp'))?.env).toEqual({ SERVICE: service });
      expect(jobs[`provenance-${service}`]).toMatchObject({ needs: `publish-${service}`, with: { image: `\${{ needs['publish-${service}'].outputs.image }}`, digest: `\${{ needs['publish-${service}'].outputs.digest }}` } });
    }
  });

  it('keeps the one-service jobs, and called by the release pipeline takes the service with the image and digest', () => {
    expect(Object.keys(signing(profile([{ name: 'crm-api' }])).doc.jobs)).toEqual(['publish', 'provenance']);
    const called = signing(profile(services), ['blueprint']).doc;
    expect(Object.keys(called.jobs)).toEqual(['publish', 'provenance']);
    expect(Object.keys(called.on.workflow_call?.inputs ?? {})).toEqual(['service', 'image', 'digest']);
    // Each call stores its service's SBOM under its own name, so two services of one release do not overwrite each other.
    const store = called.jobs['publish']?.steps?.find((s) => s.run?.startsWith('aws s3 cp'));
    expect(store).toMatchObject({ env: { SERVICE: '${{ inputs.service }}' }, run: expect.stringContaining('/${SERVICE}/sbom.spdx.json') });
  });

  it.each([
    ['alone, two services', profile(services), []],
    ['called, two services', profile(services), ['blueprint']],
  ])('parses with the workflow parser: %s', async (_name, p, companions) => {
    const { spec } = signing(p, companions);
    const issues = (await validateArtifact(spec, new FileRenderer().render(spec))).filter((i) => i.severity === 'error');
    expect(issues).toEqual([]);
  });
});
