import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_SECTIONS,
  createContainer,
  defineMode,
  engineFrom,
  KnowledgeBase,
  MissingServiceError,
  modeModule,
  ModeRegistrationError,
  OutputSchemaError,
  rendererModule,
  type ArtifactRenderer,
  type ModeDefinition,
  type ModePlugin,
} from '../src/index.js';

function kbDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rm-kb-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const baseKb = new KnowledgeBase(kbDir({ 'KB_01_architecture.md': '# KB_01 — Architecture\n\n## Architecture\n\nText.\n' }));
const jsonRenderer: ArtifactRenderer = { render: (spec) => ({ content: `${JSON.stringify(spec.body)}\n` }) };

const quotaSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['max_tenants_per_wave'],
  properties: { max_tenants_per_wave: { type: 'integer', minimum: 1 }, note: { type: 'string' } },
};

function mode(id: string, extra: Partial<ModeDefinition> = {}): ModePlugin {
  return defineMode({
    id,
    title: id,
    specMode: null,
    kb: [],
    dependsOn: { inputs: [], asks: [] },
    keywords: [id],
    signals: [],
    rules: [],
    ...extra,
  });
}

const quota = mode('tenant-quota', {
  keywords: ['quota'],
  sections: [{ id: 'tenant_quota', schema: quotaSchema, after: 'pipeline_blueprint' }],
  kbDir: kbDir({ 'KB_90_tenant_quota.md': '# KB_90 — Tenant quota\n\n## Wave_Size\n\nSmall waves.\n' }),
  rules: [
    { id: 'tenant-quota/wave', field: 'tenant_quota.max_tenants_per_wave', value: 5, why: 'Small waves limit blast radius.', kb: ['KB_90#Wave_Size'] },
    { id: 'tenant-quota/stages', field: 'pipeline_blueprint.stages', value: ['quota-check'], why: 'Check quotas first.', kb: ['KB_01#Architecture'] },
  ],
});

function engine(modes: ModePlugin[]) {
  return engineFrom(createContainer([...modes.map(modeModule), rendererModule(jsonRenderer)], baseKb));
}

describe('open plugin contract', () => {
  it('places a third-party section where its mode says, validated by its own schema, traced to its own KB', () => {
    const out = engine([quota]).plan({ goal: 'tenant quota' }).output;
    const keys = Object.keys(out);
    expect(keys.slice(0, 2)).toEqual(['pipeline_blueprint', 'tenant_quota']);
    expect(out['tenant_quota']).toEqual({ max_tenants_per_wave: 5 });
    expect(out.kb_references).toContain('KB_90#Wave_Size');
  });

  it('rejects a third-party section that breaks its own schema, naming the pointer', () => {
    const broken = mode('tenant-quota', {
      keywords: ['quota'],
      sections: [{ id: 'tenant_quota', schema: quotaSchema }],
      rules: [{ id: 'tenant-quota/wave', field: 'tenant_quota.max_tenants_per_wave', value: 0, why: 'Zero.', kb: ['KB_01#Architecture'] }],
    });
    expect(() => engine([broken]).plan({ goal: 'tenant quota' })).toThrow(OutputSchemaError);
    expect(() => engine([broken]).plan({ goal: 'tenant quota' })).toThrow(/\/tenant_quota\/max_tenants_per_wave: expected a number >= 1, found integer 0/);
  });

  it('rejects at registration: a mode twice, two owners, an engine key, a missing schema, an unknown section or anchor', () => {
    const owner = mode('owner', { sections: [{ id: 'security_controls' }] });
    const thief = mode('thief', { sections: [{ id: 'security_controls' }] });
    const cases: [ModePlugin[], RegExp][] = [
      [[quota, quota], /mode tenant-quota is registered twice/],
      [[owner, thief], /mode thief, section security_controls: already owned by mode owner/],
      [[mode('bad', { sections: [{ id: 'decision_log' }] })], /"decision_log" is written by the engine/],
      [[mode('bad', { sections: [{ id: 'brand_new' }] })], /section brand_new: not in output.schema.json, so the mode must give its JSON Schema/],
      [[mode('bad', { sections: [{ id: 'dr_plan', schema: quotaSchema }] })], /a built-in section; its schema is output.schema.json/],
      [[mode('bad', { sections: [{ id: 'brand_new', schema: quotaSchema, after: 'nowhere' }] })], /"after" names nowhere/],
      [[mode('bad', { rules: [{ id: 'bad/x', field: 'nobody_owns.x', value: 1, why: 'x', kb: [] }] })], /field nobody_owns.x is in section nobody_owns, which neither output.schema.json nor a registered mode declares/],
      [[mode('bad', { kbDir: kbDir({ 'KB_01_other.md': '# KB_01 — Other\n\n## Architecture\n\nAgain.\n' }) })], /KB anchor KB_01#Architecture .* is already defined/],
    ];
    for (const [modes, message] of cases) {
      expect(() => engine(modes)).toThrow(ModeRegistrationError);
      expect(() => engine(modes)).toThrow(message);
    }
  });

  it('never drops a decided section silently: a hand-written plugin writing an undeclared section fails the plan', () => {
    const sneaky: ModePlugin = {
      id: 'sneaky',
      title: 'Sneaky',
      specMode: null,
      kb: [],
      dependsOn: { inputs: [], asks: [] },
      applies: () => ({ score: 1, signals: ['always'] }),
      contribute: () => ({ decisions: [{ field: 'hidden_section.x', value: 1, rule: 'sneaky/x', reason: 'r', kb: [] }], artifacts: [], risks: [], kb: [], warnings: [], fallbacks: [] }),
    };
    expect(() => engine([sneaky]).plan({ goal: 'anything' })).toThrow(/mode sneaky: decided field hidden_section.x in section hidden_section/);
  });

  it('settles a conflict between non-owners with equal scores by declared precedence', () => {
    const low = mode('low', { rules: [{ id: 'low/cache', field: 'pipeline_blueprint.caching_strategy', value: 'none', why: 'r', kb: [] }] });
    const high = mode('high', { precedence: 10, rules: [{ id: 'high/cache', field: 'pipeline_blueprint.caching_strategy', value: 'scoped_keys', why: 'r', kb: [] }] });
    const out = engine([low, high]).plan({ goal: 'low high' }).output;
    expect(out.decision_log.conflicts[0]).toMatchObject({ winner: 'high', resolution: 'equal scores: the mode with the higher precedence wins' });
  });

  it('derives owners from the modes: the built-in sections are listed in output.schema.json order', () => {
    expect(BUILT_IN_SECTIONS[0]).toBe('pipeline_blueprint');
    expect(BUILT_IN_SECTIONS).not.toContain('decision_log');
    const registry = engine([quota, mode('owner', { sections: [{ id: 'dr_plan' }] })]).registry;
    expect(registry.owners.get('dr_plan')).toBe('owner');
    expect(registry.order.indexOf('tenant_quota')).toBe(registry.order.indexOf('pipeline_blueprint') + 1);
  });

  it('says which module to load when no renderer is bound, instead of an inversify error', () => {
    expect(() => engineFrom(createContainer([modeModule(quota)], baseKb))).toThrow(MissingServiceError);
    expect(() => engineFrom(createContainer([modeModule(quota)], baseKb))).toThrow(/no ringmaster.artifact-renderer bound: load rendererModule\(new FileRenderer\(\)\)/);
  });
});
