import { shellcheckAvailable, validateArtifact } from '@ringmaster/renderer';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRecordingEngine } from '../src/index.js';

/** The modes whose files differ by cloud, store and orchestrator; each variant must pass its validator (shellcheck, bash -n, schemas). */
const VENDOR_MODES = new Set(['dr', 'finops', 'observability', 'quality', 'incident', 'migration', 'vuln-mgmt']);
const CLOUDS = ['aws', 'gcp', 'azure', 'on_prem', 'unknown'];
const STORES = ['postgres', 'aurora-postgresql', 'dynamodb', 'mysql'];
const ORCHESTRATORS = ['kubernetes', 'ecs', 'vm'];
const CI = ['github', 'gitlab', 'azure devops'];

describe('every vendor variant of these modes validates', () => {
  beforeAll(() => {
    expect(shellcheckAvailable(), 'shellcheck is missing: apt-get install -y shellcheck').toBe(true);
  });

  it('cloud x store x orchestrator (CI vendors in rotation)', async () => {
    const { engine, captured } = createRecordingEngine();
    const failures: string[] = [];
    let checked = 0;
    let n = 0;
    for (const cloud of CLOUDS) {
      for (const primary_store of STORES) {
        for (const orchestrator of ORCHESTRATORS) {
          const ci = CI[n++ % CI.length] as string;
          captured.length = 0;
          const { output } = engine.plan({
            goal: 'DR plan, cost control, incident response, contract tests, release observability and DB migrations',
            crm_profile: { multi_tenant: true, integrations: ['salesforce'] },
            infra: { cloud_provider: cloud, orchestrator, regions: ['eu-central-1', 'us-east-1'] },
            data: { primary_store, sharding_model: 'shared_schema' },
            ci_platform: ci,
            risk_tier: 'high',
            current_pain: ['costs', 'incidents', 'flaky_tests'],
          });
          const modeOf = new Map(output.artifacts_to_generate.map((a) => [a.name, a.mode]));
          for (const { spec, rendered } of captured) {
            if (!VENDOR_MODES.has(modeOf.get(spec.name) ?? '')) continue;
            checked++;
            for (const issue of await validateArtifact(spec, rendered)) {
              if (issue.severity === 'error') failures.push(`${cloud}/${primary_store}/${orchestrator}/${ci} ${spec.path} [${issue.validator}] ${issue.message}`);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
  }, 600_000);
});
