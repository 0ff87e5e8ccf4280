import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_VALUES, occursIn } from '@ringmaster/core';
import { createRecordingEngine } from '@ringmaster/modes';
import { describe, expect, it } from 'vitest';
import { matrix, type Case } from './matrix.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const seedCases = (JSON.parse(readFileSync(join(root, 'conformance', 'seed-cases.json'), 'utf8')) as { cases: Case[] }).cases;

/** What a team names in its profile so that no file needs an example value. */
const NAMED = {
  organization: 'acme',
  app_repository: 'acme/crm/crm-platform',
  config_repository: 'acme/crm/crm-deploy',
  registry: 'registry.acme.io/crm',
  services: [{ name: 'crm-api', port: 8080, health_path: '/healthz' }],
  cloud: { aws_account_id: '210987654321', gcp_project_id: 'acme-crm-prod', gcp_project_number: '480019283746', azure_subscription_id: '5b0c3c8e-8a52-4d2e-9c0e-3f1d2a7b6c51', azure_tenant_id: '8d7e6f5a-4b3c-4d2e-8f1a-0b9c8d7e6f5a' },
  github_ids: { owner_id: '70123456', repository_id: '81234567' },
  azure_devops_ids: { subject_prefix: '/eid1/c/pub/t/Qz8xTenant/a/Wv7yApp', organization_id: '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f', service_connection_id: '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d' },
  api_host: 'api.acme.io',
  risk_acceptance_log: 'https://defectdojo.acme.io/risk_acceptance',
};

describe('placeholders: every example value in a file is listed with that file', () => {
  const engine = createRecordingEngine().engine;
  const unlisted = (input: Record<string, unknown>): string[] => {
    const { files, output } = engine.plan(input);
    const listed = output.placeholders ?? [];
    const missing: string[] = [];
    for (const file of files) {
      for (const value of EXAMPLE_VALUES) {
        if (occursIn(file.content, value) && !listed.some((p) => p.value === value && p.files.includes(file.path))) missing.push(`${file.path}: ${value}`);
      }
    }
    return missing;
  };

  it('over the seed cases and every cloud x CI platform x orchestrator x GitOps tool', () => {
    const missing = [...seedCases, ...matrix()].flatMap((c) => unlisted(c.input).map((m) => `${c.id} ${m}`));
    expect(missing.slice(0, 20)).toEqual([]);
  }, 300_000);

  it.each(['aws', 'gcp', 'azure'].flatMap((cloud) => ['github', 'gitlab', 'azure devops'].map((ci) => [cloud, ci] as const)))('a profile that names everything (%s, %s) has no placeholder and no example value', (cloud, ci) => {
    const input = { ...(matrix()[0] as Case).input, infra: { cloud_provider: cloud, orchestrator: 'kubernetes' }, ci_platform: ci, cd_strategy: 'gitops', gitops_tool: 'argocd', delivery: NAMED };
    const { files, output } = engine.plan(input);
    expect(output.placeholders).toEqual([]);
    expect(files.flatMap((f) => EXAMPLE_VALUES.filter((v) => occursIn(f.content, v)).map((v) => `${f.path}: ${v}`))).toEqual([]);
  });

  it.each(['multi-tenant-canary.json', 'multi-service.json'])('examples/%s names everything: no placeholders', (example) => {
    const profile = JSON.parse(readFileSync(join(root, 'examples', example), 'utf8')) as Record<string, unknown>;
    expect(engine.plan(profile).output.placeholders).toEqual([]);
  });

  it('the check finds an example value a profile named nothing for', () => {
    expect(unlisted({ goal: 'Secure the supply chain with OIDC and signing', ci_platform: 'azure devops', infra: { cloud_provider: 'azure' } })).toEqual([]);
    const { files, output } = engine.plan({ goal: 'Secure the supply chain with OIDC and signing', ci_platform: 'azure devops', infra: { cloud_provider: 'azure' } });
    const subject = output.placeholders?.find((p) => p.value === '/eid1/c/pub/t/example-tenant-key/a/example-app-key');
    expect(subject?.field).toBe('/delivery/azure_devops_ids/subject_prefix');
    expect(subject?.files.length).toBeGreaterThan(0);
    for (const path of subject?.files ?? []) expect(files.find((f) => f.path === path)?.content).toContain('example-tenant-key');
  });
});
