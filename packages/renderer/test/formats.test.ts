import { describe, expect, it } from 'vitest';
import { shellcheckAvailable } from '../src/validate/shell.js';
import { errorsOf, issuesOf, messages, spec } from './helpers.js';

describe('shell (bash -n + shellcheck)', () => {
  it('has shellcheck installed (Debian: apt-get install -y shellcheck)', () => {
    expect(shellcheckAvailable(), 'shellcheck is missing: run `apt-get install -y shellcheck`; the shell validator cannot lint without it').toBe(true);
  });

  const sh = (script: string, vars: Record<string, string> = {}) => spec('trivy_gate.sh', 'scripts/trivy_gate.sh', { format: 'shell', summary: 'Fails the build on critical vulnerabilities.', vars, script });

  it('accepts a strict, quoted script', async () => {
    const s = sh('trivy image --severity CRITICAL --exit-code 1 "${IMAGE}"\ncurl -fsS "http://localhost:8080/health" || exit 1', { IMAGE: "registry.example.com/app's@sha256:abc" });
    expect(messages(await issuesOf(s))).toBe('');
  });

  it('rejects an unquoted variable (SC2086)', async () => {
    expect(messages(await errorsOf(sh('IMAGE="$(cat image.txt)"\ntrivy image --exit-code 1 $IMAGE')))).toMatch(/SC2086 \(info\): Double quote to prevent globbing/);
  });

  it('rejects a syntax error (bash -n)', async () => {
    expect(messages(await errorsOf(sh('if [ -n "${IMAGE}" ]; then\n  echo "${IMAGE}"\n', { IMAGE: 'x' })))).toMatch(/\[bash -n\].*(unexpected end of file|syntax error)/);
  });
});

describe('Rego (OPA v1 syntax; structural, no OPA binary)', () => {
  const rego = (rules: string, tests: string) => spec('admission_policy.rego', 'policy/admission_policy.rego', { format: 'rego', package: 'admission', rules, tests }, 'policy');
  const rules = `deny contains msg if {
  input.request.kind.kind == "Pod"
  not input.request.object.spec.securityContext.runAsNonRoot
  msg := "Containers must not run as root"
}

default allow := false

allow if count(deny) == 0

roles := {"admin": ["read", "write"]}`;
  const tests = `test_root_pod_denied if {
  count(data.admission.deny) == 1 with input as {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {}}}}
}`;

  it('accepts v1 rules with a _test.rego companion', async () => {
    const rendered = await issuesOf(rego(rules, tests));
    expect(messages(rendered)).toBe('');
  });

  it('rejects the pre-1.0 `deny[msg] {`', async () => {
    const old = `deny[msg] {\n  input.request.kind.kind == "Pod"\n  msg := "no"\n}`;
    expect(messages(await errorsOf(rego(old, tests)))).toMatch(/pre-1.0 partial rule `deny\[msg\]`: OPA v1 writes `deny contains <value> if \{ ... \}`/);
  });

  it('rejects rule bodies without `if`, unbalanced braces and unterminated strings', async () => {
    expect(messages(await errorsOf(rego('allow {\n  true\n}', tests)))).toMatch(/rule body without `if`/);
    expect(messages(await errorsOf(rego('deny contains msg if {\n  msg := "x"\n', tests)))).toMatch(/`\{` is never closed/);
    expect(messages(await errorsOf(rego('deny contains msg if {\n  msg := "x\n}', tests)))).toMatch(/unterminated string/);
  });

  it('rejects a test file without test_ rules', async () => {
    const errors = await errorsOf(rego(rules, 'helper if { true }'));
    expect(errors.map((e) => e.path)).toEqual(['policy/admission_policy_test.rego']);
    expect(messages(errors)).toMatch(/needs at least one rule named `test_/);
  });
});

describe('JSON (OpenVEX, CycloneDX schemas; IAM shape)', () => {
  const vex = (value: unknown) => spec('vex_template.json', 'security/vex_template.json', { format: 'json', schema: 'openvex', value });
  const doc = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/2026-0001',
    author: 'Security Team',
    timestamp: '2026-01-01T00:00:00Z',
    version: 1,
    statements: [{ vulnerability: { name: 'CVE-2024-0001' }, products: [{ '@id': 'pkg:oci/app@sha256%3Aabc' }], status: 'not_affected', justification: 'component_not_present' }],
  };

  it('accepts an OpenVEX v0.2.0 document', async () => {
    expect(messages(await issuesOf(vex(doc)))).toBe('');
  });

  it('rejects a VEX without statements, and a not_affected without justification', async () => {
    const { statements: _, ...none } = doc;
    expect(messages(await errorsOf(vex(none)))).toMatch(/must have required property 'statements'/);
    expect(messages(await errorsOf(vex({ ...doc, statements: [] })))).toMatch(/\/statements must NOT have fewer than 1 items/);
    const bad = { ...doc, statements: [{ vulnerability: { name: 'CVE-1' }, status: 'not_affected', affected: false }] };
    const text = messages(await errorsOf(vex(bad)));
    expect(text).toMatch(/unknown property "affected"/);
    expect(text).toMatch(/justification/);
  });

  const cdx = (value: unknown) => spec('sbom.json', 'sbom/sbom.json', { format: 'json', schema: 'cyclonedx', value });
  it('validates CycloneDX with the schema @cyclonedx/cyclonedx-library ships', async () => {
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' }] };
    expect(messages(await issuesOf(cdx(bom)))).toBe('');
    expect(messages(await errorsOf(cdx({ ...bom, components: [{ type: 'gadget', name: 'x' }] })))).toMatch(/\/components\/0\/type must be one of/);
  });

  const iam = (value: unknown) => spec('oidc_trust_policy.json', 'iam/oidc_trust_policy.json', { format: 'json', schema: 'iam-policy', value });
  it('checks IAM policy shape', async () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:org/repo:ref:refs/heads/main' } },
        },
      ],
    };
    expect(messages(await issuesOf(iam(trust)))).toBe('');
    expect(messages(await errorsOf(iam({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject' } })))).toMatch(/`Statement` must be a non-empty array/);
    expect(messages(await errorsOf(iam({ Version: '2012-10-17', Statement: [{ Effect: 'allow', Resource: '*' }] })))).toMatch(/`Effect` must be "Allow" or "Deny"[\s\S]*`Action` or `NotAction`/);
  });
});

describe('Markdown checklists and runbooks', () => {
  const checklist = (steps: string[]) =>
    spec('release_captain_checklist.md', 'checklists/release_captain_checklist.md', {
      format: 'checklist',
      checklist: { id: 'promotion', title: 'Release captain checklist', summary: 'Promote a release ring by ring.', kb: ['KB_18#Ring_Deployment'], steps: steps.map((title, i) => ({ id: `s${i}`, title, kind: 'task' as const })) },
    }, 'checklist');

  it('accepts a checklist with - [ ] items', async () => {
    expect(messages(await issuesOf(checklist(['Ack PagerDuty', 'Verify canary health (5%)', 'Approve promotion'])))).toBe('');
  });

  it('rejects unresolved placeholders', async () => {
    const doc = spec('restore_runbook.md', 'runbooks/restore_runbook.md', { format: 'markdown', doc: { title: 'Restore', sections: [{ heading: 'Steps', steps: ['Restore snapshot <snapshot-id>', 'TODO: verify', 'Notify {{ team }}'] }] } }, 'runbook');
    const text = messages(await errorsOf(doc));
    expect(text).toMatch(/unresolved placeholder <snapshot-id>/);
    expect(text).toMatch(/unresolved placeholder TODO/);
    expect(text).toMatch(/unresolved placeholder \{\{ team \}\}/);
  });

  it('rejects a checklist with a <placeholder> item', async () => {
    expect(messages(await errorsOf(spec('c.md', 'c.md', { format: 'markdown', doc: { title: 'C', sections: [{ heading: 'Do', checklist: ['Page <oncall>'] }] } }, 'checklist')))).toMatch(/<oncall>/);
  });
});

describe('Rego values are not rule bodies', () => {
  it('accepts multi-line array and object values', async () => {
    const { validateRego } = await import('../src/validate/rego.js');
    const src = 'package freeze_test\n\nimport rego.v1\n\nwindows := [{\n  "start": "2026-12-20",\n  "end": "2027-01-05",\n}]\n\nroles := {\n  "a": 1,\n}\n\ntest_x if {\n  count(windows) == 1\n}\n';
    expect(validateRego(src, { test: true })).toEqual([]);
  });
});
