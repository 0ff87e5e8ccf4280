import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { costDataAvailable, finopsMode, finopsRules } from '../src/index.js';

type Profile = Record<string, unknown>;
const goal = (g: string, extra: Profile = {}): Profile => ({ goal: g, ...extra });
const costs = (extra: Profile = {}) => goal('Reduce CI Cost', { current_pain: ['costs'], ...extra });

const RULE_ROWS: { rule: string; fires: Profile; not?: Profile; value?: unknown }[] = [
  { rule: 'finops/budgets-hard-limit', fires: costs(), not: goal('Cost Control'), value: 'enforce_hard_limit' },
  { rule: 'finops/budgets-alert-only', fires: goal('Cost Control'), not: costs(), value: 'alert_only' },
  { rule: 'finops/first-step-tagging', fires: costs(), not: costs({ infra: { cloud_provider: 'aws' } }), value: 'resource_tagging' },
  { rule: 'finops/first-step-budget', fires: costs({ infra: { cloud_provider: 'gcp' } }), not: costs({ infra: { cloud_provider: 'on_prem' } }), value: 'budget_alerts' },
  { rule: 'finops/tagging-cost-center', fires: costs(), value: 'CostCenter=CRM' },
  { rule: 'finops/ttl-preview', fires: costs(), value: '4h_preview' },
  { rule: 'finops/spot-stateless-ci', fires: costs(), value: 'spot_for_stateless_ci_jobs' },
  { rule: 'finops/alert-80', fires: goal('Budget alerts'), value: '80%' },
  { rule: 'finops/over-budget-block', fires: costs(), not: goal('Cost Control'), value: 'block_non_critical_pipelines' },
  { rule: 'finops/over-budget-escalate', fires: goal('Cost Control'), not: costs(), value: 'escalate_to_budget_owner' },
];

describe('finops rules', () => {
  it('has a test row for every rule', () => {
    expect(RULE_ROWS.map((r) => r.rule).sort()).toEqual(finopsRules.map((r) => r.id).sort());
  });
  it.each(RULE_ROWS)('$rule', ({ rule, fires, not, value }) => {
    const field = finopsRules.find((r) => r.id === rule)?.field ?? '';
    const run = runMode(finopsMode, fires);
    expect(run.decisions.get(field)?.rule).toBe(rule);
    if (value !== undefined) expect(run.decisions.get(field)?.value).toEqual(value);
    if (not) expect(runMode(finopsMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
  it.each([
    [{}, false],
    [{ infra: { cloud_provider: 'aws' } }, true],
    [{ infra: { cloud_provider: 'on_prem' } }, false],
    [{ infra: { cloud_provider: 'on_prem' }, observability_stack: { metrics_backend: 'OpenCost + Prometheus' } }, true],
  ])('cost data available for %j: %s', (extra, expected) => {
    expect(costDataAvailable(contextFor(goal('x', extra)).profile)).toBe(expected);
  });
  it('reports the section 10 fallback when tagging comes first', () => {
    expect(finopsMode.contribute(contextFor(costs())).fallbacks[0]).toMatch(/resource tagging/);
    expect(finopsMode.contribute(contextFor(costs({ infra: { cloud_provider: 'aws' } }))).fallbacks).toEqual([]);
  });
  it('ignores an unknown top-level finops_controls key in the input (golden-07)', () => {
    const run = runMode(finopsMode, costs({ finops_controls: { budgets: 'strict' } }));
    expect(run.decisions.get('finops_controls.budgets')?.value).toBe('enforce_hard_limit');
  });
});

describe('finops applicability', () => {
  it.each(['Cost Control', 'Reduce CI Cost', 'Cut CI spend', 'Budget guardrails', 'FinOps', 'Lower the cloud bill', 'Cheaper pipelines'])('"%s" selects the mode', (g) => {
    expect(runMode(finopsMode, goal(g)).applies).toBe(true);
  });
  it('the costs pain alone selects it', () => {
    expect(runMode(finopsMode, goal('Improve pipelines', { current_pain: ['costs'] })).applies).toBe(true);
  });
  it.each(['Emergency Fix Process', 'DR Plan', 'DB Migration', 'Canary', 'Secure Cache'])('"%s" does not', (g) => {
    expect(runMode(finopsMode, goal(g)).applies).toBe(false);
  });
});

describe('finops artifacts', () => {
  const artifact = (p: Profile, name: string) => runMode(finopsMode, p).artifacts.find((a) => a.name === name);
  const text = (p: Profile, name: string) => JSON.stringify(artifact(p, name)?.body);

  it('golden-07 files', () => {
    expect(runMode(finopsMode, costs()).artifacts.map((a) => a.name)).toEqual(['budget_alert.yaml', 'spot_config.yaml', 'ttl_enforcer.sh', 'tagging_policy.json']);
  });
  it.each([
    ['aws', 'AWS::Budgets::Budget'],
    ['gcp', 'BillingBudgetsBudget'],
    ['azure', 'PrometheusRule'],
    ['unknown', 'PrometheusRule'],
  ])('budget alert for %s uses %s with an 80%% threshold', (cloud, kind) => {
    const body = text(costs({ infra: { cloud_provider: cloud } }), 'budget_alert.yaml');
    expect(body).toContain(kind);
    expect(body).toMatch(/80/);
  });
  it.each([
    ['aws', 'karpenter.sh/capacity-type'],
    ['gcp', 'cloud.google.com/gke-spot'],
    ['azure', 'kubernetes.azure.com/scalesetpriority'],
    ['unknown', 'lifecycle'],
  ])('spot config for %s selects %s', (cloud, label) => {
    expect(text(costs({ infra: { cloud_provider: cloud } }), 'spot_config.yaml')).toContain(label);
  });
  it('spot policy uses Kyverno\'s current MutatingPolicy kind, not the deprecated ClusterPolicy', () => {
    const body = artifact(costs({ infra: { cloud_provider: 'aws' } }), 'spot_config.yaml')?.body;
    if (body?.format !== 'yaml') throw new Error('not yaml');
    const policy = body.documents.find((d) => (d as { kind?: string }).kind === 'MutatingPolicy') as { apiVersion: string; spec: { mutations: { applyConfiguration: { expression: string } }[] } } | undefined;
    expect(policy?.apiVersion).toBe('policies.kyverno.io/v1');
    expect(policy?.spec.mutations[0]?.applyConfiguration.expression).toContain('"karpenter.sh/capacity-type": "spot"');
    expect(text(costs(), 'spot_config.yaml')).not.toContain('ClusterPolicy');
  });
  it('TTL enforcer computes ages with jq instead of a field selector', () => {
    const body = artifact(costs(), 'ttl_enforcer.sh')?.body;
    if (body?.format !== 'shell') throw new Error('not shell');
    expect(body.vars).toEqual({ PREVIEW_SELECTOR: 'type=preview', TTL_HOURS: '4', TTL_SECONDS: '14400' });
    expect(body.script).toContain('kubectl get namespaces -l "${PREVIEW_SELECTOR}" -o json');
    expect(body.script).toContain('fromdateiso8601');
    expect(body.script).not.toContain('--field-selector metadata.creationTimestamp');
  });
  it.each([
    ['aws', '@@assign'],
    ['azure', 'policyRule'],
    ['gcp', '"costcenter":"crm"'],
    ['unknown', '"CostCenter":"CRM"'],
  ])('tagging policy for %s', (cloud, needle) => {
    expect(text(costs({ infra: { cloud_provider: cloud } }), 'tagging_policy.json')).toContain(needle);
  });
});

describe('finops files per orchestrator and cloud', () => {
  const ROWS: { cloud: string; orchestrator: string; files: string[]; skipped: string[] }[] = [
    { cloud: 'aws', orchestrator: 'kubernetes', files: ['budget_alert.yaml', 'spot_config.yaml', 'ttl_enforcer.sh', 'tagging_policy.json'], skipped: [] },
    { cloud: 'aws', orchestrator: 'ecs', files: ['budget_alert.yaml', 'tagging_policy.json'], skipped: ['spot_config.yaml', 'ttl_enforcer.sh'] },
    { cloud: 'gcp', orchestrator: 'serverless', files: ['tagging_policy.json'], skipped: ['budget_alert.yaml', 'spot_config.yaml', 'ttl_enforcer.sh'] },
    { cloud: 'azure', orchestrator: 'vm', files: ['tagging_policy.json'], skipped: ['budget_alert.yaml', 'spot_config.yaml', 'ttl_enforcer.sh'] },
    { cloud: 'on_prem', orchestrator: 'nomad', files: ['tagging_policy.json'], skipped: ['budget_alert.yaml', 'spot_config.yaml', 'ttl_enforcer.sh'] },
    { cloud: 'unknown', orchestrator: 'unknown', files: ['budget_alert.yaml', 'spot_config.yaml', 'ttl_enforcer.sh', 'tagging_policy.json'], skipped: [] },
  ];
  it.each(ROWS)('$cloud / $orchestrator', ({ cloud, orchestrator, files, skipped }) => {
    const run = runMode(finopsMode, costs({ infra: { cloud_provider: cloud, orchestrator } }));
    expect(run.artifacts.map((a) => a.name)).toEqual(files);
    expect(run.notGenerated.map((n) => n.artifact)).toEqual(skipped);
    for (const n of run.notGenerated) expect(n.reason).toMatch(new RegExp(`orchestrator is ${orchestrator}`));
    const text = JSON.stringify(run.artifacts);
    if (orchestrator !== 'kubernetes' && orchestrator !== 'unknown') expect(text).not.toMatch(/kubectl|kyverno|karpenter|apiVersion/);
  });
  it('Karpenter only on AWS', () => {
    for (const cloud of ['gcp', 'azure', 'on_prem', 'unknown']) {
      expect(JSON.stringify(runMode(finopsMode, costs({ infra: { cloud_provider: cloud, orchestrator: 'kubernetes' } })).artifacts)).not.toContain('karpenter');
    }
  });
  it('ECS on GCP: the cloud is in doubt, so no cloud-specific budget or tags', () => {
    const run = runMode(finopsMode, costs({ infra: { cloud_provider: 'gcp', orchestrator: 'ecs' } }));
    const text = JSON.stringify(run.artifacts);
    expect(text).not.toMatch(/cnrm\.cloud\.google\.com|AWS::|gke-spot/);
    expect(run.notGenerated.find((n) => n.artifact === 'spot_config.yaml')?.reason).toMatch(/contradicts/);
  });
});
