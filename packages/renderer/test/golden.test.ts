import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactSpec } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report.js';
import { validateArtifact, validateFiles } from '../src/validate/index.js';
import { DIGEST, messages, renderer, spec } from './helpers.js';
import { SAMPLE_OUTPUT } from './sample-plan.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/** Compares with test/golden/<name>; `UPDATE_GOLDEN=1` rewrites the files. */
function golden(name: string, content: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return;
  }
  expect(existsSync(file), `missing golden file ${name}: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(content).toBe(readFileSync(file, 'utf8'));
}

const ARTIFACTS: ArtifactSpec[] = [
  spec('rollout_strategy.yaml', 'k8s/rollout_strategy.yaml', {
    format: 'yaml',
    schema: 'kubernetes',
    header: 'Canary by tenant cohort: 5% -> 25% -> 100%, analysis between steps.\n[KBTRACE: KB_18#Tenant_Canary]',
    documents: [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'crm-api' },
        spec: {
          replicas: 4,
          selector: { matchLabels: { app: 'crm-api' } },
          template: { metadata: { labels: { app: 'crm-api' } }, spec: { containers: [{ name: 'crm-api', image: `registry.example.com/crm-api@${DIGEST}` }] } },
          strategy: { canary: { canaryService: 'crm-api-canary', stableService: 'crm-api-stable', trafficRouting: { istio: { virtualService: { name: 'crm-api', routes: ['primary'] } } }, steps: [{ setWeight: 5 }, { pause: { duration: '15m' } }, { setWeight: 25 }, { pause: { duration: '30m' } }] } },
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'crm-api' },
        spec: { hosts: ['crm-api'], http: [{ name: 'primary', route: [{ destination: { host: 'crm-api-stable' }, weight: 95 }, { destination: { host: 'crm-api-canary' }, weight: 5 }] }] },
      },
    ],
  }),
  spec('github_actions_oidc.yaml', '.github/workflows/github_actions_oidc.yaml', {
    format: 'yaml',
    schema: 'github-workflow',
    documents: [
      {
        name: 'build-sign',
        on: { push: { branches: ['main'] } },
        permissions: { contents: 'read' },
        jobs: {
          build: {
            'runs-on': 'ubuntu-latest',
            permissions: { contents: 'read', 'id-token': 'write', packages: 'write' },
            steps: [{ uses: 'actions/checkout' }, { uses: 'sigstore/cosign-installer@v3' }, { name: 'Sign by digest', run: 'cosign sign --yes "${IMAGE}@${DIGEST}"', env: { IMAGE: '${{ vars.IMAGE }}', DIGEST: '${{ steps.push.outputs.digest }}' } }],
          },
        },
      },
    ],
  }),
  spec('admission_policy.rego', 'policy/admission_policy.rego', { format: 'rego', package: 'admission', rules: 'deny contains msg if {\n  input.request.kind.kind == "Pod"\n  not input.request.object.spec.securityContext.runAsNonRoot\n  msg := "Containers must not run as root"\n}', tests: 'test_root_denied if {\n  count(data.admission.deny) == 1 with input as {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {}}}}\n}\n\ntest_non_root_allowed if {\n  count(data.admission.deny) == 0 with input as {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {"securityContext": {"runAsNonRoot": true}}}}}\n}' }, 'policy'),
  spec('health_check.sh', 'scripts/health_check.sh', { format: 'shell', summary: 'Canary health gate: fails when the health endpoint does not answer 2xx.', vars: { HEALTH_URL: 'http://localhost:8080/health' }, script: 'curl -fsS --max-time 5 "${HEALTH_URL}" || exit 1' }),
  spec('migration_script.sql', 'db/migration_script.sql', { format: 'sql', phase: 'expand', summary: 'Expand step: add new_col; old code keeps working.\n[KBTRACE: KB_08#Expand_Contract]', statements: ['ALTER TABLE users ADD COLUMN new_col VARCHAR(255)', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_new_col_idx ON users (new_col)'] }),
  spec('release_captain_checklist.md', 'checklists/release_captain_checklist.md', {
    format: 'checklist',
    checklist: {
      id: 'promotion',
      title: 'Release captain checklist',
      summary: 'Promote one ring at a time.',
      kb: ['KB_18#Ring_Deployment'],
      steps: [
        { id: 'ack', title: 'Ack PagerDuty', kind: 'task', role: 'release_captain' },
        { id: 'markers', title: 'Check release markers', kind: 'task' },
        { id: 'bake', title: 'Verify canary health (5%)', kind: 'wait', waitMinutes: 30 },
        { id: 'approve', title: 'Approve promotion', kind: 'approval', role: 'approver' },
      ],
    },
  }, 'checklist'),
];

describe('golden files (UPDATE_GOLDEN=1 regenerates)', () => {
  for (const s of ARTIFACTS) {
    it(`${s.name} renders as recorded and validates`, async () => {
      const rendered = renderer.render(s);
      golden(s.name, rendered.content);
      for (const c of rendered.companions ?? []) golden(c.path.split('/').pop() as string, c.content);
      expect(messages(await validateArtifact(s, rendered))).toBe('');
    });
  }

  it('report.md renders as recorded, with a Mermaid flowchart', async () => {
    const report = renderReport(SAMPLE_OUTPUT);
    golden('report.md', report);
    expect(report).toContain('```mermaid\nflowchart LR');
    expect(report).toContain('Security scanning is its own stage \\| gated.');
    expect(messages(await validateFiles([{ path: 'report.md', content: report }]))).toBe('');
  });
});
