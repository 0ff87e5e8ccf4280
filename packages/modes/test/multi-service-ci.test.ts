import { blueprintMode } from '@ringmaster/mode-blueprint';
import { supplyChainMode } from '@ringmaster/mode-supply-chain';
import type { ArtifactSpec } from '@ringmaster/core';
import { FileRenderer } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';

/**
 * The GitLab CI and Azure DevOps files of a two-service plan, linked together by the engine: the
 * signing fragment is included, and every per-service variable or parameter one file reads is one
 * another file defines (the blueprint's pipeline and the supply-chain mode's signing job agree).
 */

type Obj = Record<string, unknown>;

/** The YAML documents of a plan's CI files by path, as the engine linked and rendered them (each validated against its schema). */
const plan = (ci: string): Map<string, Obj> => {
  const files = new FileRenderer();
  const specs: ArtifactSpec[] = [];
  const renderer = { render: (spec: ArtifactSpec) => (specs.push(spec), files.render(spec)) };
  createEngine({ modes: [blueprintMode, supplyChainMode], renderer }).plan({
    goal: 'Release pipeline with signed images',
    ci_platform: ci,
    infra: { cloud_provider: 'gcp', orchestrator: 'kubernetes', regions: ['europe-west3', 'us-east1'] },
    crm_profile: { multi_tenant: true, data_residency_regions: ['europe-west3'] },
    delivery: { app_repository: 'acme/crm', services: [{ name: 'crm-api', build_context: 'api' }, { name: 'crm-web' }] },
  });
  return new Map(specs.flatMap((s) => (s.body.format === 'yaml' ? [[s.path, s.body.documents[0] as Obj] as const] : [])));
};

describe('a two-service GitLab plan', () => {
  const files = plan('gitlab');
  const main = files.get('.gitlab-ci.yml') ?? {};
  const fragment = files.get('ci/release-signing.gitlab-ci.yml') ?? {};

  it('includes the signing fragment, whose job the promotions wait for', () => {
    expect(main['include']).toContainEqual({ local: 'ci/release-signing.gitlab-ci.yml' });
    expect(main['stages']).toContain((fragment['sign-and-attest'] as Obj)['stage']);
    expect((main['deploy-eu'] as Obj)['needs']).toContain('sign-and-attest');
  });

  it('every IMAGE/DIGEST variable a job reads is a pipeline variable or in the build job\'s dotenv report', () => {
    const build = ((main['build'] as Obj)['script'] as string[]).join('\n');
    const defined = new Set([...Object.keys(main['variables'] as Obj), ...[...build.matchAll(/echo "([A-Z_]+)=/g)].map((m) => m[1] as string)]);
    expect([...defined].sort()).toEqual(['DIGEST_CRM_API', 'DIGEST_CRM_WEB', 'IMAGE_CRM_API', 'IMAGE_CRM_WEB']);
    const read = new Set([...JSON.stringify([main, fragment]).matchAll(/\$\{?((?:IMAGE|DIGEST)(?:_[A-Z0-9_]+)?)\b/g)].map((m) => m[1] as string));
    expect([...read].sort()).toEqual([...defined].sort());
  });
});

describe('a two-service Azure DevOps plan', () => {
  const files = plan('azure devops');
  const main = files.get('azure-pipelines.yml') as { stages: Obj[] };
  const template = files.get('.azure-pipelines/release-signing.yml') ?? {};

  it('passes the signing template exactly the parameters it declares, one digest per service', () => {
    const use = main.stages.find((s) => s['template'] === '.azure-pipelines/release-signing.yml');
    expect(Object.keys((use?.['parameters'] as Obj) ?? {}).sort()).toEqual((template['parameters'] as { name: string }[]).map((p) => p.name).sort());
    expect(Object.keys((use?.['parameters'] as Obj) ?? {})).toEqual(['digest_crm_api', 'digest_crm_web']);
  });

  it('every digest a stage reads is an output the build sets', () => {
    const build = JSON.stringify(main.stages[0]);
    const set = new Set([...build.matchAll(/task\.setvariable variable=([A-Za-z0-9_]+);isOutput=true/g)].map((m) => m[1] as string));
    const read = new Set([...JSON.stringify(main).matchAll(/outputs\['push\.([A-Za-z0-9_]+)'\]/g)].map((m) => m[1] as string));
    expect([...set].sort()).toEqual(['DIGEST_CRM_API', 'DIGEST_CRM_WEB']);
    expect([...read].sort()).toEqual([...set].sort());
  });
});
