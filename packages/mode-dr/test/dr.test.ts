import { runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { drDrillChecklist, drMode, drRules, drTargets, durationSeconds } from '../src/index.js';

type Profile = Record<string, unknown>;
const goal = (g: string, extra: Profile = {}): Profile => ({ goal: g, ...extra });
const risk = (t: string, extra: Profile = {}) => goal('DR Plan', { risk_tier: t, ...extra });

const RULE_ROWS: { rule: string; fires: Profile; not?: Profile; value?: unknown }[] = [
  { rule: 'dr/rpo-high', fires: risk('high'), not: risk('low'), value: '15m' },
  { rule: 'dr/rto-high', fires: risk('high'), not: risk('medium'), value: '1h' },
  { rule: 'dr/drill-high', fires: goal('Disaster Recovery'), not: risk('low'), value: 'weekly' },
  { rule: 'dr/rpo-medium', fires: risk('medium'), not: risk('high'), value: '1h' },
  { rule: 'dr/rto-medium', fires: risk('medium'), not: risk('low'), value: '4h' },
  { rule: 'dr/drill-medium', fires: risk('medium'), not: risk('high'), value: 'monthly' },
  { rule: 'dr/rpo-low', fires: risk('low'), not: risk('medium'), value: '24h' },
  { rule: 'dr/rto-low', fires: risk('low'), not: risk('high'), value: '24h' },
  { rule: 'dr/drill-low', fires: risk('low'), not: risk('medium'), value: 'quarterly' },
  { rule: 'dr/evidence', fires: risk('high'), value: ['drill_log', 'restore_timings', 'rto_rpo_measured_vs_target', 'screenshots_or_log_exports'] },
  { rule: 'dr/restore-pitr', fires: risk('high'), value: 'point_in_time_recovery' },
  { rule: 'dr/reprovision-iac', fires: risk('high'), value: 'infrastructure_as_code' },
  { rule: 'dr/scenarios', fires: risk('low'), value: ['region_failure', 'database_corruption', 'accidental_data_deletion'] },
];

describe('dr rules', () => {
  it('has a test row for every rule', () => {
    expect(RULE_ROWS.map((r) => r.rule).sort()).toEqual(drRules.map((r) => r.id).sort());
  });
  it.each(RULE_ROWS)('$rule', ({ rule, fires, not, value }) => {
    const field = drRules.find((r) => r.id === rule)?.field ?? '';
    const run = runMode(drMode, fires);
    expect(run.decisions.get(field)?.rule).toBe(rule);
    if (value !== undefined) expect(run.decisions.get(field)?.value).toEqual(value);
    if (not) expect(runMode(drMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
  it('scenarios grow with residency and high risk', () => {
    const value = runMode(drMode, risk('high', { crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1'] } })).decisions.get('dr_plan.scenarios')?.value;
    expect(value).toEqual(['region_failure', 'database_corruption', 'accidental_data_deletion', 'in_region_restore_for_residency', 'credential_compromise']);
  });
  it('drTargets matches the rules', () => {
    expect(drTargets('high')).toEqual({ rpo: '15m', rto: '1h', drill_schedule: 'weekly' });
    expect(drTargets('medium')).toEqual({ rpo: '1h', rto: '4h', drill_schedule: 'monthly' });
    expect(drTargets('low')).toEqual({ rpo: '24h', rto: '24h', drill_schedule: 'quarterly' });
  });
});

describe('dr applicability', () => {
  it.each(['DR Plan', 'Disaster Recovery', 'Restore drills', 'Regional failover', 'Backup strategy', 'Business continuity', 'BCP', 'Improve resilience', 'RPO and RTO'])('"%s" selects the mode', (g) => {
    expect(runMode(drMode, goal(g)).applies).toBe(true);
  });
  it.each(['Emergency Fix Process', 'Cost Control', 'DB Migration', 'Canary', 'Stabilize API', 'Address drift'])('"%s" does not', (g) => {
    expect(runMode(drMode, goal(g)).applies).toBe(false);
  });
  it('the incidents pain alone is weak evidence', () => {
    expect(runMode(drMode, goal('Something', { current_pain: ['incidents'] })).applies).toBe(false);
  });
  it('asks for the cloud', () => {
    expect(drMode.dependsOn.asks).toEqual(['cloud_provider']);
  });
});

describe('dr artifacts', () => {
  const artifact = (p: Profile, name: string) => runMode(drMode, p).artifacts.find((a) => a.name === name);
  const text = (p: Profile, name: string) => JSON.stringify(artifact(p, name)?.body);

  it('golden-06 files', () => {
    expect(runMode(drMode, risk('high', { infra: { cloud_provider: 'aws' } })).artifacts.map((a) => a.name)).toEqual(['restore_runbook.md', 'drill_schedule.json', 'dr_drill.sh', 'incident_log_template.md']);
  });
  it.each([
    ['aws', 'aws rds restore-db-instance-to-point-in-time', 'gcloud'],
    ['gcp', 'gcloud sql instances clone', 'aws rds'],
    ['azure', 'az postgres flexible-server restore', 'aws rds'],
    ['on_prem', 'pgbackrest', 'aws rds'],
  ])('restore runbook follows the cloud: %s', (cloud, has, hasNot) => {
    const body = text(risk('high', { infra: { cloud_provider: cloud } }), 'restore_runbook.md');
    expect(body).toContain(has);
    expect(body).not.toContain(hasNot);
    expect(body).toContain('snapshot');
    expect(body).toContain('Restore');
  });
  it('restore runbook with an unknown cloud covers every provider', () => {
    const body = text(risk('high'), 'restore_runbook.md');
    for (const needle of ['aws rds', 'gcloud sql', 'az postgres', 'pgbackrest']) expect(body).toContain(needle);
  });
  it('DynamoDB on AWS restores the table', () => {
    expect(text(risk('high', { infra: { cloud_provider: 'aws' }, data: { primary_store: 'dynamodb' } }), 'restore_runbook.md')).toContain('restore-table-to-point-in-time');
  });
  it.each([
    ['high', 'weekly', 'FREQ=WEEKLY'],
    ['medium', 'monthly', 'FREQ=MONTHLY;BYDAY=1TU'],
    ['low', 'quarterly', 'INTERVAL=3'],
  ])('drill schedule at %s risk is %s', (tier, recurrence, rrule) => {
    const body = artifact(risk(tier), 'drill_schedule.json')?.body;
    if (body?.format !== 'json') throw new Error('not json');
    expect(body.value).toMatchObject({ recurrence, day: 'Tuesday', time_utc: '14:00' });
    expect((body.value as { rrule: string }).rrule).toContain(rrule);
  });
  it('drill script measures RTO against the target, by cloud', () => {
    const body = artifact(risk('medium', { infra: { cloud_provider: 'aws' } }), 'dr_drill.sh')?.body;
    if (body?.format !== 'shell') throw new Error('not shell');
    expect(body.vars).toMatchObject({ RTO_TARGET_SECONDS: '14400', RPO_TARGET_SECONDS: '3600', CLOUD: 'aws' });
    expect(body.script).toContain('rto_seconds="$((restored - started))"');
    expect(body.script).not.toContain('gcloud');
  });
  it('drill script with an unknown cloud is a case over the providers', () => {
    const body = artifact(risk('high'), 'dr_drill.sh')?.body;
    if (body?.format !== 'shell') throw new Error('not shell');
    expect(body.script).toMatch(/case "\$\{cloud\}" in/);
    for (const fn of ['restore_aws', 'restore_gcp', 'restore_azure', 'restore_on_prem']) expect(body.script).toContain(`${fn}()`);
  });
  it('incident log template records the detection time', () => {
    expect(text(risk('high'), 'incident_log_template.md')).toContain('Detection Time');
  });
  it('durationSeconds', () => {
    expect(['15m', '1h', '4h', '24h'].map(durationSeconds)).toEqual([900, 3600, 14400, 86400]);
    expect(() => durationSeconds('soon')).toThrow();
  });
});

describe('DR drill checklist for the Slack app', () => {
  it('walks the Mode 9 steps with stable unique ids', () => {
    const list = drDrillChecklist({ scenario: 'region_failure', rto: '1h', rpo: '15m' });
    expect(list.steps.map((s) => s.id)).toEqual(['trigger-disaster', 'run-runbook', 'pitr-restore', 'reprovision-iac', 'capture-evidence', 'verify-targets']);
    expect(list.steps.at(-1)?.title).toContain('RTO 1h and RPO 15m');
    expect(list.steps.at(-1)).toMatchObject({ kind: 'approval', role: 'approver' });
    expect(drDrillChecklist({ scenario: 'region_failure', rto: '1h', rpo: '15m' })).toEqual(list);
    // The measured RTO runs between these markers, whatever the steps are called.
    expect(Object.fromEntries(list.steps.filter((s) => s.marks?.length).map((s) => [s.id, s.marks]))).toEqual({ 'trigger-disaster': ['drill_start'], 'verify-targets': ['drill_end'] });
  });
});

describe('dr files per vendor', () => {
  const run = (extra: Profile) => runMode(drMode, risk('high', extra));
  const runbookCode = (extra: Profile): string => {
    const body = run(extra).artifacts.find((a) => a.name === 'restore_runbook.md')?.body;
    if (body?.format !== 'markdown') throw new Error('no runbook');
    return body.doc.sections.flatMap((s) => (s.code ? [s.code.text] : [])).join('\n');
  };
  const drill = (extra: Profile) => {
    const body = run(extra).artifacts.find((a) => a.name === 'dr_drill.sh')?.body;
    if (body?.format !== 'shell') throw new Error('no drill');
    return body;
  };

  it.each([
    { store: 'aurora-postgresql', has: ['restore-db-cluster-to-point-in-time', 'create-db-instance', '--db-cluster-identifier', 'aurora-postgresql'], hasNot: ['restore-db-instance-to-point-in-time', 'restore-db-instance-from-db-snapshot'] },
    { store: 'aurora-mysql', has: ['restore-db-cluster-to-point-in-time', 'aurora-mysql'], hasNot: ['restore-db-instance-to-point-in-time'] },
    { store: 'postgres', has: ['restore-db-instance-to-point-in-time'], hasNot: ['restore-db-cluster-to-point-in-time'] },
    { store: 'dynamodb', has: ['restore-table-to-point-in-time'], hasNot: ['aws rds'] },
  ])('AWS $store: the runbook and the drill restore it with its own commands', ({ store, has, hasNot }) => {
    const profile = { infra: { cloud_provider: 'aws' }, data: { primary_store: store } };
    const code = runbookCode(profile);
    const script = drill(profile).script;
    for (const needle of has) expect(code).toContain(needle);
    for (const needle of hasNot) {
      expect(code).not.toContain(needle);
      expect(script).not.toContain(needle);
    }
    expect(script).toContain(has[0]);
  });

  it.each(['aws', 'gcp', 'azure', 'on_prem', 'unknown'])('%s runbook: no variable inside single quotes, none read before it is set', (cloud) => {
    // Aurora only where it can run: on GCP, Azure or on-prem it is a contradiction, with no runbook.
    for (const store of cloud === 'aws' || cloud === 'unknown' ? ['postgres', 'aurora-postgresql', 'mysql'] : ['postgres', 'mysql']) {
      const code = runbookCode({ infra: { cloud_provider: cloud }, data: { primary_store: store } });
      // A quoted jq/JMESPath expression is fine; a shell variable there would never expand.
      expect(code).not.toMatch(/'[^'\n]*\$\{[A-Z_]+\}[^'\n]*'/);
      const lines = code.split('\n');
      const set = new Set<string>();
      for (const line of lines) {
        const assigned = /^export ([A-Z_]+)=/.exec(line)?.[1];
        for (const [, name] of line.matchAll(/\$\{([A-Z_]+)\}/g)) expect(set.has(name as string), `${cloud}/${store}: ${name} read before it is set`).toBe(true);
        if (assigned) set.add(assigned);
      }
    }
  });

  it('the Azure drill restores into the resource group and from the server the runbook uses', () => {
    const profile = { infra: { cloud_provider: 'azure' } };
    const code = runbookCode(profile);
    const vars = drill(profile).vars;
    expect(code).toContain(`export RESOURCE_GROUP=${vars.RESOURCE_GROUP}`);
    expect(code).toContain(`export SOURCE_SERVER=${vars.SOURCE_DB}`);
  });

  it.each([
    { cloud: 'aws', foreign: /\bgcloud\b|\baz / },
    { cloud: 'gcp', foreign: /\baws |AWS_|\baz / },
    { cloud: 'azure', foreign: /\baws |AWS_|\bgcloud\b/ },
    { cloud: 'on_prem', foreign: /\baws |AWS_|\bgcloud\b|\baz / },
  ])('$cloud: no other cloud in the runbook or the drill', ({ cloud, foreign }) => {
    const profile = { infra: { cloud_provider: cloud } };
    expect(runbookCode(profile)).not.toMatch(foreign);
    expect(drill(profile).script).not.toMatch(foreign);
  });

  it('on-prem off Kubernetes falls back to a storage snapshot, not a VolumeSnapshot', () => {
    expect(runbookCode({ infra: { cloud_provider: 'on_prem', orchestrator: 'vm' } })).not.toContain('VolumeSnapshot');
    expect(runbookCode({ infra: { cloud_provider: 'on_prem', orchestrator: 'kubernetes' } })).toContain('VolumeSnapshot');
  });

  it('a contradictory cloud gets no runbook or drill, and says why', () => {
    const r = run({ infra: { cloud_provider: 'gcp' }, data: { primary_store: 'aurora-postgresql' } });
    expect(r.artifacts.map((a) => a.name)).toEqual(['drill_schedule.json', 'incident_log_template.md']);
    expect(r.notGenerated.map((n) => n.artifact)).toEqual(['restore_runbook.md', 'dr_drill.sh']);
  });

  it('an on-prem store the drill cannot restore is not scripted, and says why', () => {
    const r = run({ infra: { cloud_provider: 'on_prem' }, data: { primary_store: 'oracle' } });
    expect(r.notGenerated).toEqual([{ artifact: 'dr_drill.sh', reason: expect.stringContaining('pgBackRest') }]);
  });

  it('a high-risk profile in several regions selects DR without DR words in the goal', () => {
    const multi = (tier: string, regions: string[]) => runMode(drMode, { goal: 'Design a full CI/CD blueprint', risk_tier: tier, infra: { regions } });
    expect(multi('high', ['eu-central-1', 'us-east-1']).applies).toBe(true);
    expect(multi('high', ['eu-central-1']).applies).toBe(false);
    expect(multi('medium', ['eu-central-1', 'us-east-1']).applies).toBe(false);
  });
});

describe('runbook commands quote every expansion', () => {
  it.each(['aws', 'gcp', 'azure', 'on_prem', 'unknown'])('%s', (cloud) => {
    for (const store of cloud === 'aws' ? ['postgres', 'aurora-postgresql', 'dynamodb'] : ['postgres']) {
      const body = runMode(drMode, risk('high', { infra: { cloud_provider: cloud }, data: { primary_store: store } })).artifacts.find((a) => a.name === 'restore_runbook.md')?.body;
      if (body?.format !== 'markdown') throw new Error('no runbook');
      const commands = body.doc.sections.filter((s) => s.heading.includes('Restore the Database')).flatMap((s) => (s.code ? s.code.text.split('\n') : []));
      expect(commands.length).toBeGreaterThan(0);
      for (const line of commands) {
        // Strip double-quoted strings: what is left must hold no expansion.
        expect(line.replace(/"[^"]*"/g, ''), line).not.toMatch(/\$\{[A-Z_]+\}/);
      }
    }
  });
});
