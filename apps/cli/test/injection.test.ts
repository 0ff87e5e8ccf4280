import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAlias, parseAllDocuments, visit } from 'yaml';
import { ProfileInputError, type ArtifactSpec, type RenderedArtifact } from '@ringmaster/core';
import { FileRenderer } from '@ringmaster/renderer';
import { createRecordingEngine } from '@ringmaster/modes';

/**
 * Strings that try to break out of generated files (issue 7). Two defences, both tested:
 * - region, residency region and ring names are identifiers: the input schema rejects anything else;
 * - free text that does reach artifacts (integrations, primary_store, cadence, vendors, languages,
 *   the goal...) is escaped: shell only as single-quoted `readonly` variables, YAML and JSON only
 *   through their serializers, and never verbatim into CI definitions, Rego or SQL code.
 */

const work = mkdtempSync(join(tmpdir(), 'rm-inject-'));
const canary = join(work, 'pwned');

/** A payload per field, tagged so that every place it lands can be found. */
function payload(tag: string, options: { controls: boolean; max?: number }): string {
  const parts = [
    tag,
    `'"; touch ${canary}; '`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    '${{ secrets.GITHUB_TOKEN }}',
    '${HOME}',
    '&anchor *anchor <<: *anchor',
    '{{ .Values.x }}',
    '# trailing',
  ];
  if (options.controls) parts.push('\n- injected: true\nkind: Secret', '\rkind: Secret', '\r\n---\n');
  const text = parts.join(' ');
  return options.max ? text.slice(0, options.max) : text;
}

const TAG = 'INJ';
const GOAL_WORDS = 'Setup CI pipeline, canary rollout to tenant cohorts, reduce flaky tests, audit security and supply chain, disaster recovery, cut CI costs, observability SLOs, zero-downtime schema migration, incident response, vulnerability management, GitOps';

/** A full profile whose every free-text field carries a payload (prefixed by `prefix` values so vendors may still be recognized). */
function hostileProfile(ci: string, gitops: string, suffix: boolean): Record<string, unknown> {
  const text = (field: string, base: string, max = 200, controls = true) => {
    const p = payload(`${TAG}_${field}_`, { controls, max: max - (suffix ? base.length + 1 : 0) });
    return suffix ? `${base} ${p}` : p;
  };
  return {
    goal: `${GOAL_WORDS} ${payload(`${TAG}_goal_`, { controls: true })}`,
    crm_profile: { multi_tenant: true, tenant_count: 1200, data_residency_regions: ['eu-central-1'], integrations: [text('integrations', 'salesforce', 200, false)], api_public: true },
    infra: { cloud_provider: 'aws', orchestrator: 'kubernetes', regions: ['eu-central-1', 'us-east-1'] },
    data: { primary_store: text('primary_store', 'postgres'), sharding_model: 'shared_schema' },
    release_policy: { cadence: text('cadence', 'weekly'), ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' }, change_approval_level: 'cab' },
    stack: { languages: [text('languages', 'typescript')], runtime: text('runtime', 'node'), repo_model: 'monorepo', build_system: text('build_system', 'gradle') },
    ci_platform: suffix ? text('ci_platform', ci) : ci,
    cd_strategy: 'gitops',
    gitops_tool: suffix ? text('gitops_tool', gitops) : gitops,
    observability_stack: { vendor: text('vendor', 'datadog'), tracing_backend: text('tracing', 'tempo'), metrics_backend: text('metrics', 'prometheus'), log_backend: text('logs', 'loki') },
    compliance: { targets: ['SOC2', text('targets', 'GDPR', 64)], audit_evidence_required: true },
    risk_tier: 'high',
    current_pain: ['pipeline_slow', 'flaky_tests', 'incidents', 'audit_findings', 'costs', 'vuln_debt', 'runner_risk', 'manual_toil'],
  };
}

/** JSON round trip, dropping GitHub `uses:` values (the renderer pins them to SHAs). */
function comparable(value: unknown, dropUses: boolean): unknown {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (dropUses && key === 'uses' ? undefined : v)) as unknown;
}

/** Every string in a value, with its key path. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}/${i}`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}/${k}`));
  return [];
}

/** Problems found in one rendered artifact; empty when nothing from the profile escaped. */
function injections(spec: ArtifactSpec, rendered: RenderedArtifact): string[] {
  const body = spec.body;
  const where = spec.path;
  const found: string[] = [];
  switch (body.format) {
    case 'shell': {
      if (body.script.includes(TAG)) found.push(`${where}: profile text in the script body (only single-quoted readonly vars may carry it)`);
      // Run the header and variable block (everything before the body) and read the variables back.
      const cut = rendered.content.lastIndexOf(body.script.trim());
      const head = cut >= 0 ? rendered.content.slice(0, cut) : rendered.content;
      const names = Object.keys(body.vars).sort();
      const probe = `${head}\nprintf '%s\\0' ${names.map((n) => `"\${${n}}"`).join(' ')}\n`;
      const run = spawnSync('bash', ['-c', probe], { cwd: work, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work } });
      if (run.status !== 0) found.push(`${where}: the variable block does not run cleanly (${run.stderr.trim().split('\n')[0] ?? ''})`);
      else {
        const values = run.stdout.split('\0').slice(0, names.length);
        names.forEach((n, i) => {
          if (values[i] !== body.vars[n]) found.push(`${where}: ${n} reads back as ${JSON.stringify(values[i])}, not ${JSON.stringify(body.vars[n])}`);
        });
      }
      break;
    }
    case 'yaml': {
      const docs = parseAllDocuments(rendered.content);
      const list = Array.isArray(docs) ? docs : [docs];
      for (const d of list) if (d.errors.length > 0) found.push(`${where}: YAML error ${d.errors[0]?.message ?? ''}`);
      for (const d of list) {
        visit(d, {
          Alias() {
            found.push(`${where}: an alias in the output`);
            return visit.BREAK;
          },
        });
        if (list.some((x) => isAlias(x.contents))) found.push(`${where}: an alias document`);
      }
      const dropUses = body.schema === 'github-workflow';
      let parsed: unknown;
      try {
        parsed = comparable(
          list.map((d) => d.toJS()),
          dropUses,
        );
      } catch (error) {
        found.push(`${where}: the YAML does not load (${error instanceof Error ? error.message : String(error)})`);
      }
      if (parsed !== undefined && JSON.stringify(parsed) !== JSON.stringify(comparable(body.documents, dropUses))) found.push(`${where}: the YAML does not read back as the documents the mode wrote (header or value broke out)`);
      if (body.schema !== 'plain' && body.schema !== 'kubernetes') {
        for (const [path, s] of strings(body.documents)) if (s.includes(TAG)) found.push(`${where}: profile text verbatim in a CI definition at ${path} (expressions and variables are expanded there)`);
      }
      break;
    }
    case 'json':
      if (JSON.stringify(JSON.parse(rendered.content)) !== JSON.stringify(comparable(body.value, false))) found.push(`${where}: the JSON does not read back as the value`);
      break;
    case 'rego':
      for (const [name, code] of [['rules', body.rules], ['tests', body.tests]] as const) {
        code.split('\n').forEach((line, i) => {
          if (line.includes(TAG) && !line.trimStart().startsWith('#')) found.push(`${where} (${name}) line ${i + 1}: profile text in Rego code`);
        });
      }
      break;
    case 'sql':
      for (const s of body.statements) if (s.includes(TAG)) found.push(`${where}: profile text in a SQL statement`);
      if (/[\r\u2028\u2029]/.test(body.summary)) found.push(`${where}: a line break other than \\n in the SQL comment header`);
      break;
    case 'markdown':
    case 'checklist':
      break;
  }
  for (const c of rendered.companions ?? []) if (c.path.endsWith('.rego')) c.content.split('\n').forEach((line, i) => {
    if (line.includes(TAG) && !line.trimStart().startsWith('#')) found.push(`${c.path} line ${i + 1}: profile text in Rego code`);
  });
  return found;
}

describe('free text from the profile never injects into generated files', () => {
  const { engine, captured } = createRecordingEngine();
  const cases: [string, string, string, boolean][] = [];
  for (const [ci, gitops] of [['github_actions', 'argocd'], ['gitlab_ci', 'flux'], ['azure_devops', 'argocd']] as const) {
    cases.push([`${ci}, payloads alone`, ci, gitops, false], [`${ci}, payloads after recognizable values`, ci, gitops, true]);
  }

  it.each(cases)('%s', (_name, ci, gitops, suffix) => {
    captured.length = 0;
    const result = engine.plan(hostileProfile(ci, gitops, suffix));
    expect(captured.length).toBeGreaterThan(3);
    const problems = captured.flatMap(({ spec, rendered }) => injections(spec, rendered));
    expect(problems).toEqual([]);
    expect(existsSync(canary)).toBe(false);
    // The plan still carries the text, as data: the payload reached the engine.
    expect(JSON.stringify(result.output)).toContain(TAG);
  });
});

describe('the renderer escapes whatever text a mode hands it', () => {
  const renderer = new FileRenderer();
  const text = (field: string) => payload(`${TAG}_${field}_`, { controls: true });
  const spec = (body: ArtifactSpec['body'], path: string): ArtifactSpec => ({ name: path, path, type: 'template', kb: [], body });

  it('shell: values only as single-quoted readonly variables that read back unchanged', () => {
    const s = spec({ format: 'shell', summary: 'Deploys the service.', vars: { SERVICE: text('service'), REGION: "eu-west-1'; touch x; '", EMPTY: '', QUOTES: `'''"""\\` }, script: 'echo "${SERVICE}" "${REGION}"' }, 'deploy.sh');
    expect(injections(s, renderer.render(s))).toEqual([]);
    expect(existsSync(canary)).toBe(false);
  });

  it('YAML: hostile keys and values read back as written, with no alias or anchor', () => {
    const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'svc', labels: { app: text('label') } }, data: { [text('key')]: text('value'), list: [text('item'), '*anchor', '&anchor x', '<<', '---', '...', 'null', 'true', '0x10', '1e3', '~'] } };
    const s = spec({ format: 'yaml', schema: 'kubernetes', documents: [doc, { kind: 'List', items: [doc, doc] }], header: 'Generated by Ringmaster.' }, 'k8s/config.yaml');
    expect(injections(s, renderer.render(s))).toEqual([]);
  });

  it('JSON: hostile strings read back as written', () => {
    const s = spec({ format: 'json', schema: 'plain', value: { [text('key')]: [text('value'), '\u2028\u2029', '</script>'] } }, 'policy.json');
    expect(injections(s, renderer.render(s))).toEqual([]);
  });

  it('and the checks above do catch an unescaped value (control)', () => {
    const value = text('service');
    const shell = spec({ format: 'shell', summary: 's', vars: { SERVICE: value }, script: 'echo "${SERVICE}"' }, 'unsafe.sh');
    const unsafeShell = { content: `#!/usr/bin/env bash\nset -euo pipefail\nreadonly SERVICE="${value}"\n\necho "\${SERVICE}"\n` };
    expect(injections(shell, unsafeShell).length).toBeGreaterThan(0);
    rmSync(canary, { force: true }); // the unsafe script above may really have run its `touch`
    const yamlSpec = spec({ format: 'yaml', schema: 'plain', documents: [{ name: value }] }, 'unsafe.yaml');
    expect(injections(yamlSpec, { content: `name: ${value}\n` }).length).toBeGreaterThan(0);
    const workflow = spec({ format: 'yaml', schema: 'github-workflow', documents: [{ jobs: { a: { 'runs-on': 'ubuntu-latest', steps: [{ run: `echo ${value}` }] } } }] }, '.github/workflows/x.yml');
    expect(injections(workflow, renderer.render(workflow)).join('\n')).toMatch(/verbatim in a CI definition/);
  });
});

describe('identifier fields refuse anything that could break out', () => {
  const engine = createRecordingEngine().engine;
  const FIELDS: [string, (v: string) => Record<string, unknown>][] = [
    ['/infra/regions/0', (v) => ({ goal: 'Setup CI pipeline', infra: { regions: [v] } })],
    ['/crm_profile/data_residency_regions/0', (v) => ({ goal: 'Setup CI pipeline', crm_profile: { multi_tenant: true, data_residency_regions: [v] } })],
    ['/release_policy/ring_model/rings/0', (v) => ({ goal: 'Canary rollout', release_policy: { ring_model: { enabled: true, rings: [v] } } })],
  ];
  const HOSTILE = ["eu-west-1'", 'eu-west-1"', 'eu-west-1\nkind: Secret', '$(touch /tmp/x)', '${{ secrets.X }}', '&anchor', '*anchor', 'a b', 'eu;rm -rf /', '`id`', '-rf', '.hidden', 'x'.repeat(64), ''];

  it.each(FIELDS.flatMap(([pointer, make]) => HOSTILE.map((v) => [pointer, JSON.stringify(v), make(v)] as const)))('%s = %s is refused with its pointer', (pointer, _v, profile) => {
    let error: unknown;
    try {
      engine.plan(profile);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileInputError);
    expect((error as ProfileInputError).issues.map((i) => i.pointer)).toContain(pointer);
  });

  it('any string with a character outside [A-Za-z0-9_.-] is refused in every identifier field', () => {
    const hostile = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9]{1,10}$/), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }))
      .map(([a, b]) => a + b)
      .filter((s) => /[^A-Za-z0-9_.-]/.test(s));
    fc.assert(
      fc.property(hostile, fc.constantFrom(...FIELDS), (value, [pointer, make]) => {
        expect(() => engine.plan(make(value))).toThrow(ProfileInputError);
        try {
          engine.plan(make(value));
        } catch (error) {
          expect((error as ProfileInputError).issues.map((i) => i.pointer)).toContain(pointer);
        }
      }),
      { numRuns: 200 },
    );
  });
});
