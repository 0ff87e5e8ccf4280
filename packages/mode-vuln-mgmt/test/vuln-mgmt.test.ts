import { contextFor, runMode, type ArtifactSpec } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { vulnMgmtMode, vulnMgmtRules } from '../src/index.js';

type P = Record<string, unknown>;

/** One row per rule: a profile that fires it, the value, and (for conditional rules) one that must not. */
const ruleRows: { rule: string; field: string; fires: P; value: unknown; not?: P }[] = [
  { rule: 'vuln-mgmt/scanners-trivy-grype', field: 'vuln_mgmt_policy.scanners', fires: { goal: 'Vulnerability Policy', compliance: { targets: ['ISO'] } }, value: ['trivy', 'grype'] },
  { rule: 'vuln-mgmt/kev-epss-threshold', field: 'vuln_mgmt_policy.kev_epss_threshold', fires: { goal: 'Vuln Policy' }, value: 0.1 },
  { rule: 'vuln-mgmt/fail-on-critical-exploitable', field: 'vuln_mgmt_policy.fail_on', fires: { goal: 'Vuln Policy' }, value: 'critical AND (KEV-listed OR EPSS >= 0.1)' },
  { rule: 'vuln-mgmt/warn-on-high', field: 'vuln_mgmt_policy.warn_on', fires: { goal: 'Vuln Policy' }, value: 'high: warn, 7-day SLA' },
  { rule: 'vuln-mgmt/slas-low-risk', field: 'vuln_mgmt_policy.slas', fires: { goal: 'Vuln Policy', risk_tier: 'low' }, value: { critical_days: 3, high_days: 7, medium_days: 60, low_days: 180 }, not: { goal: 'Vuln Policy', risk_tier: 'high' } },
  { rule: 'vuln-mgmt/slas-default', field: 'vuln_mgmt_policy.slas', fires: { goal: 'Vuln Policy', risk_tier: 'high' }, value: { critical_days: 3, high_days: 7, medium_days: 30, low_days: 90 }, not: { goal: 'Vuln Policy', risk_tier: 'low' } },
  { rule: 'vuln-mgmt/exception-approver-ciso', field: 'vuln_mgmt_policy.exception_process.approver_role', fires: { goal: 'Vuln Policy', risk_tier: 'high', compliance: { targets: ['ISO27001'] } }, value: 'CISO' },
  { rule: 'vuln-mgmt/exception-ttl', field: 'vuln_mgmt_policy.exception_process.ttl_days', fires: { goal: 'Vuln Policy' }, value: 30 },
  { rule: 'vuln-mgmt/exception-required-fields', field: 'vuln_mgmt_policy.exception_process.required_fields', fires: { goal: 'Vuln Policy' }, value: ['cve_id', 'justification', 'compensating_controls', 'expiry', 'approver', 'audit_log_link'] },
  { rule: 'vuln-mgmt/exception-audit-log', field: 'vuln_mgmt_policy.exception_process.audit_log_link', fires: { goal: 'Vuln Policy' }, value: 'https://defectdojo.example.com/risk_acceptance' },
  { rule: 'vuln-mgmt/vex-openvex', field: 'vuln_mgmt_policy.vex_format', fires: { goal: 'Vuln Policy' }, value: 'openvex' },
  { rule: 'vuln-mgmt/dashboard-defectdojo', field: 'vuln_mgmt_policy.dashboard', fires: { goal: 'Vuln Policy' }, value: 'defectdojo' },
];

describe('vuln-mgmt rules', () => {
  it('every rule has a row', () => {
    expect(new Set(ruleRows.map((r) => r.rule))).toEqual(new Set(vulnMgmtRules.map((r) => r.id)));
  });
  it.each(ruleRows)('$rule', ({ rule, field, fires, value, not }) => {
    const hit = runMode(vulnMgmtMode, fires).decisions.get(field);
    expect(hit).toEqual({ rule, value });
    if (not) expect(runMode(vulnMgmtMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
});

describe('vuln-mgmt applicability', () => {
  it.each([
    { goal: 'Vulnerability Policy', compliance: { targets: ['ISO'] } },
    { goal: 'Vuln Policy', risk_tier: 'high' },
    { goal: 'Patch CVEs faster' },
    { goal: 'KEV prioritization' },
    { goal: 'Container scanning' },
    { goal: 'Security policy for releases' },
    { goal: 'Improve delivery', current_pain: ['vuln_debt'] },
  ])('applies to $goal', (p) => expect(runMode(vulnMgmtMode, p).applies).toBe(true));
  it.each([
    { goal: 'Release Policy' },
    { goal: 'Emergency Fix Process' },
    { goal: 'Compliance', compliance: { targets: ['SOC2'] } },
    { goal: 'Canary' },
  ])('skips $goal', (p) => expect(runMode(vulnMgmtMode, p).applies).toBe(false));
  it('asks only for compliance targets', () => {
    expect(vulnMgmtMode.dependsOn.asks).toEqual(['compliance_targets']);
  });
});

const byName = (artifacts: ArtifactSpec[]): Map<string, ArtifactSpec> => new Map(artifacts.map((a) => [a.name, a]));
const text = (a: ArtifactSpec | undefined): string => JSON.stringify(a?.body ?? null);

describe('vuln-mgmt artifacts (golden-04)', () => {
  const out = byName(runMode(vulnMgmtMode, { goal: 'Vuln Policy', risk_tier: 'high', compliance: { targets: ['ISO27001'] } }).artifacts);
  it('trivy_gate.sh fails on critical KEV/EPSS findings only', () => {
    const gate = out.get('trivy_gate.sh');
    expect(gate?.body.format).toBe('shell');
    const body = text(gate);
    for (const s of ['trivy image', '--severity CRITICAL --exit-code 1', 'known_exploited_vulnerabilities.json', 'api.first.org/data/v1/epss', 'reimport-scan']) expect(body).toContain(s);
    expect(gate?.body).toMatchObject({ vars: { EPSS_THRESHOLD: '0.1', HIGH_SLA_DAYS: '7' } });
  });
  it('exception_policy.md names the CISO and the 30-day TTL', () => {
    const body = text(out.get('exception_policy.md'));
    expect(body).toContain('Approver: CISO');
    expect(body).toContain('Max TTL: 30 days');
    expect(body).toContain('compensating_controls');
  });
  it('vex_template.json is OpenVEX v0.2.0 with a not_affected statement', () => {
    const vex = out.get('vex_template.json')?.body;
    expect(vex).toMatchObject({
      format: 'json',
      schema: 'openvex',
      value: { '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ status: 'not_affected', justification: 'component_not_present' }] },
    });
  });
  it('vuln_policy.rego is Rego v1 with tests', () => {
    const rego = out.get('vuln_policy.rego')?.body;
    expect(rego).toMatchObject({ format: 'rego', package: 'vuln.gate' });
    expect(text(out.get('vuln_policy.rego'))).toContain('deny contains msg if');
    expect(text(out.get('vuln_policy.rego'))).toContain('test_critical_kev_denied');
  });
  it('low risk SLAs flow into the exception policy', () => {
    const low = byName(runMode(vulnMgmtMode, { goal: 'Vuln Policy', risk_tier: 'low' }).artifacts);
    expect(text(low.get('exception_policy.md'))).toContain('180 days');
  });
  it('warns when no compliance target is given', () => {
    expect(vulnMgmtMode.contribute(contextFor({ goal: 'Vuln Policy' })).warnings).toHaveLength(1);
    expect(vulnMgmtMode.contribute(contextFor({ goal: 'Vuln Policy', compliance: { targets: ['SOC2'] } })).warnings).toHaveLength(0);
  });
});

describe("OpenVEX names the plan's one workload image, never another CI vendor's registry", () => {
  const CIS = ['github', 'gitlab', 'azure devops'];
  const imageFor = (ci: string) => contextFor({ goal: 'Vulnerability policy', ci_platform: ci }).delivery.services[0].image;
  it.each(CIS)('%s', (ci) => {
    const spec = runMode(vulnMgmtMode, { goal: 'Vulnerability policy', ci_platform: ci }).artifacts.find((a) => a.name === 'vex_template.json');
    if (spec?.body.format !== 'json') throw new Error('no VEX');
    const text = JSON.stringify(spec.body.value);
    expect(text).toContain(`repository_url=${imageFor(ci)}`);
    for (const other of CIS.filter((c) => imageFor(c) !== imageFor(ci))) expect(text).not.toContain(imageFor(other));
  });
});

describe('OpenVEX of a plan with several services', () => {
  const products = (services: { name: string; image?: string }[]): string[] => {
    const spec = runMode(vulnMgmtMode, { goal: 'Vulnerability policy', delivery: { registry: 'registry.acme.test/crm', services } }).artifacts.find((a) => a.name === 'vex_template.json');
    if (spec?.body.format !== 'json') throw new Error('no VEX');
    const value = spec.body.value as { statements: { products: { '@id': string }[] }[] };
    return value.statements.flatMap((s) => s.products.map((p) => p['@id']));
  };
  it("lists every service's image as a product of the statement, in the plan's order", () => {
    expect(
      products([
        { name: 'crm-api', image: 'crm-api' },
        { name: 'crm-web', image: 'web/front' },
      ]),
    ).toEqual(['pkg:oci/crm-api?repository_url=registry.acme.test/crm/crm-api', 'pkg:oci/front?repository_url=registry.acme.test/crm/web/front']);
  });
  it('a one-service plan keeps its one product', () => {
    expect(products([{ name: 'billing' }])).toEqual(['pkg:oci/billing?repository_url=registry.acme.test/crm/billing']);
  });
});
