import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { mechanismOf, minutesOf, progressiveDeliveryMode, progressiveDeliveryRules, promotionChecklist, ringSlugs } from '../src/index.js';

type P = Record<string, unknown>;
const golden01: P = {
  goal: 'Canary',
  crm_profile: { multi_tenant: true },
  release_policy: { ring_model: { enabled: true, rings: ['internal', 'early_access', 'ga'], cohort_strategy: 'tenant_cohort' } },
};
const tenants: P = { goal: 'Deploy Strategy', crm_profile: { multi_tenant: true } };
const single: P = { goal: 'Deploy Strategy', crm_profile: { multi_tenant: false } };
const flags: P = { goal: 'Feature flags', release_policy: { ring_model: { enabled: false } } };
const vm: P = { goal: 'Deploy Strategy', infra: { orchestrator: 'vm' } };
const ecs: P = { goal: 'Deploy Strategy', infra: { orchestrator: 'ecs' } };
const lowRisk: P = { ...single, risk_tier: 'low' };

const ruleRows: { rule: string; field: string; fires: P; not: P; value?: unknown }[] = [
  { rule: 'progressive-delivery/canary-for-rings', field: 'rollout_strategy.mechanism', fires: golden01, not: tenants, value: 'canary' },
  { rule: 'progressive-delivery/flags-without-rings', field: 'rollout_strategy.mechanism', fires: flags, not: { ...flags, goal: 'Deploy Strategy' }, value: 'feature-flags' },
  { rule: 'progressive-delivery/blue-green-asked', field: 'rollout_strategy.mechanism', fires: { goal: 'Blue green deploys' }, not: single, value: 'blue-green' },
  { rule: 'progressive-delivery/canary-asked', field: 'rollout_strategy.mechanism', fires: { ...vm, goal: 'Canary on VMs' }, not: vm, value: 'canary' },
  { rule: 'progressive-delivery/canary-for-tenants', field: 'rollout_strategy.mechanism', fires: tenants, not: single, value: 'canary' },
  { rule: 'progressive-delivery/blue-green-on-vms', field: 'rollout_strategy.mechanism', fires: vm, not: single, value: 'blue-green' },
  { rule: 'progressive-delivery/canary-default', field: 'rollout_strategy.mechanism', fires: single, not: tenants, value: 'canary' },
  { rule: 'progressive-delivery/rollback-on-error-rate', field: 'rollout_strategy.rollback_trigger', fires: golden01, not: golden01, value: 'error_rate > 1%' },
  { rule: 'progressive-delivery/cohort-from-profile', field: 'rollout_strategy.cohort_strategy', fires: golden01, not: tenants, value: 'tenant_cohort' },
  { rule: 'progressive-delivery/cohort-tenants', field: 'rollout_strategy.cohort_strategy', fires: tenants, not: single, value: 'tenant_cohort' },
  { rule: 'progressive-delivery/cohort-traffic', field: 'rollout_strategy.cohort_strategy', fires: single, not: tenants, value: 'traffic_percent' },
  { rule: 'progressive-delivery/rings-from-profile', field: 'rollout_strategy.rings', fires: golden01, not: tenants, value: ['internal', 'early_access', 'ga'] },
  { rule: 'progressive-delivery/rings-default', field: 'rollout_strategy.rings', fires: tenants, not: golden01, value: ['ring0_internal', 'ring1_early_adopters', 'ring2_ga'] },
  { rule: 'progressive-delivery/canary-steps', field: 'rollout_strategy.canary_steps', fires: golden01, not: vm, value: [5, 25, 50, 100] },
  { rule: 'progressive-delivery/bake-high-risk', field: 'rollout_strategy.bake_time', fires: single, not: lowRisk, value: '30m' },
  { rule: 'progressive-delivery/bake-default', field: 'rollout_strategy.bake_time', fires: lowRisk, not: single, value: '15m' },
  { rule: 'progressive-delivery/controller-ecs', field: 'rollout_strategy.controller', fires: ecs, not: vm, value: 'aws_codedeploy' },
  { rule: 'progressive-delivery/controller-load-balancer', field: 'rollout_strategy.controller', fires: vm, not: single, value: 'load_balancer' },
  { rule: 'progressive-delivery/controller-argo-rollouts', field: 'rollout_strategy.controller', fires: single, not: vm, value: 'argo_rollouts' },
  { rule: 'progressive-delivery/router-istio', field: 'rollout_strategy.traffic_router', fires: single, not: vm, value: 'istio' },
  { rule: 'progressive-delivery/router-load-balancer', field: 'rollout_strategy.traffic_router', fires: vm, not: single, value: 'load_balancer' },
  { rule: 'progressive-delivery/feature-flags', field: 'rollout_strategy.feature_flags', fires: single, not: single, value: true },
  { rule: 'progressive-delivery/auto-rollback', field: 'rollout_strategy.auto_rollback', fires: single, not: single, value: true },
  { rule: 'progressive-delivery/gate-canary-analysis', field: 'pipeline_blueprint.gates', fires: golden01, not: vm, value: ['canary_analysis'] },
  { rule: 'progressive-delivery/gate-health-check', field: 'pipeline_blueprint.gates', fires: vm, not: golden01, value: ['health_check'] },
];

const unconditional = (rule: string): boolean => progressiveDeliveryRules.filter((r) => r.field === progressiveDeliveryRules.find((x) => x.id === rule)?.field).length === 1;

describe('progressive delivery rules', () => {
  it('has a row for every rule', () => {
    expect(new Set(ruleRows.map((r) => r.rule))).toEqual(new Set(progressiveDeliveryRules.map((r) => r.id)));
  });
  it.each(ruleRows)('$rule', ({ rule, field, fires, not, value }) => {
    const hit = runMode(progressiveDeliveryMode, fires).decisions.get(field);
    expect(hit?.rule).toBe(rule);
    if (value !== undefined) expect(hit?.value).toEqual(value);
    if (!unconditional(rule)) expect(runMode(progressiveDeliveryMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
  it('mechanismOf agrees with the decided mechanism', () => {
    for (const p of [golden01, tenants, single, flags, vm]) {
      expect(mechanismOf(contextFor(p))).toBe(runMode(progressiveDeliveryMode, p).decisions.get('rollout_strategy.mechanism')?.value);
    }
  });
});

describe('progressive delivery applicability', () => {
  it.each(['Canary', 'Deploy Strategy', 'Deployment strategy for tenants', 'Progressive delivery', 'Ring deployment', 'Roll out safely', 'Feature flags', 'Blue green', 'Argo Rollouts setup'])(
    'applies to "%s"',
    (goal) => expect(runMode(progressiveDeliveryMode, { goal }).applies).toBe(true),
  );
  it.each(['Release Policy', 'GDPR Compliance', 'Setup CI pipeline', 'Emergency Fix Process', 'GitOps'])('skips "%s"', (goal) => {
    expect(runMode(progressiveDeliveryMode, { goal }).applies).toBe(false);
  });
  it('multi-tenancy alone is weak evidence; an enabled ring model is strong', () => {
    expect(runMode(progressiveDeliveryMode, { goal: 'Help', crm_profile: { multi_tenant: true } }).applies).toBe(false);
    expect(runMode(progressiveDeliveryMode, { goal: 'Help', release_policy: { ring_model: { enabled: true } } }).applies).toBe(true);
  });
});

describe('progressive delivery artifacts', () => {
  const names = (p: P): string[] => runMode(progressiveDeliveryMode, p).artifacts.map((a) => a.name);
  const text = (p: P, name: string): string => JSON.stringify(runMode(progressiveDeliveryMode, p).artifacts.find((a) => a.name === name)?.body);

  it.each([
    { name: 'rings on Kubernetes', profile: golden01, files: ['rollout_strategy.yaml', 'traffic_split.yaml', 'canary_analysis.yaml', 'health_check.sh', 'feature_flags.json', 'release_captain_checklist.md'] },
    { name: 'tenants', profile: tenants, files: ['rollout_strategy.yaml', 'traffic_split.yaml', 'canary_analysis.yaml', 'health_check.sh', 'release_captain_checklist.md'] },
    { name: 'flags', profile: flags, files: ['health_check.sh', 'feature_flags.json', 'release_captain_checklist.md'] },
    { name: 'vm blue-green', profile: vm, files: ['health_check.sh', 'release_captain_checklist.md'] },
  ])('$name -> $files', ({ profile, files }) => {
    expect(names(profile)).toEqual(files);
  });

  it('Rollout: Argo Rollouts canary via Istio, digest-pinned, 5% first', () => {
    const t = text(golden01, 'rollout_strategy.yaml');
    expect(t).toContain('"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout"');
    expect(t).toContain('"canary":{');
    expect(t).toContain('"istio":{"virtualService":{"name":"crm-api"');
    expect(t).toMatch(/"image":"[^"]+@sha256:[0-9a-f]{64}"/);
    expect(t).toContain('{"setWeight":5}');
  });
  it('tenant cohorts: header routes ring by ring before traffic weights', () => {
    const t = text(golden01, 'rollout_strategy.yaml');
    expect(t).toContain('"regex":"^(internal)$"');
    expect(t).toContain('"regex":"^(internal|early_access)$"');
    expect(t.indexOf('early_access')).toBeLessThan(t.indexOf('"setWeight":5'));
    expect(text({ ...tenants, release_policy: { ring_model: { cohort_strategy: 'traffic_percent' } } }, 'rollout_strategy.yaml')).not.toContain('setHeaderRoute');
  });
  it('traffic split: Istio v1 VirtualService 95/5', () => {
    const t = text(golden01, 'traffic_split.yaml');
    expect(t).toContain('"apiVersion":"networking.istio.io/v1","kind":"VirtualService"');
    expect(t).toContain('"weight":95');
    expect(t).toContain('"weight":5');
  });
  it('analysis fails the canary above 1% errors', () => {
    expect(text(golden01, 'canary_analysis.yaml')).toContain('"successCondition":"result[0] < 0.01"');
  });
  it('health check curls -f the health endpoint and exits 1', () => {
    const body = runMode(progressiveDeliveryMode, golden01).artifacts.find((a) => a.name === 'health_check.sh')?.body as { script: string; vars: Record<string, string> };
    expect(body.script).toContain('curl -f');
    expect(body.vars['DEFAULT_HEALTH_URL_CRM_API']).toBe('http://localhost:8080/health');
    const named = runMode(progressiveDeliveryMode, { ...golden01, delivery: { services: [{ name: 'billing', port: 9000, health_path: '/livez' }] } });
    expect((named.artifacts.find((a) => a.name === 'health_check.sh')?.body as { vars: Record<string, string> }).vars).toEqual({ DEFAULT_HEALTH_URL_BILLING: 'http://localhost:9000/livez' });
    expect(body.script).toMatch(/exit 1\s*$/);
  });
  it('the checklist artifact is the promotion checklist for the decided rings', () => {
    const body = runMode(progressiveDeliveryMode, golden01).artifacts.find((a) => a.name === 'release_captain_checklist.md')?.body as unknown as { format: string; checklist: { steps: { id: string }[] } };
    expect(body.format).toBe('checklist');
    expect(body.checklist.steps.map((s) => s.id)).toContain('ring-early-access-approve');
  });
  it.each([
    ['30m', 30],
    ['1h', 60],
    ['bogus', 30],
  ] as const)('minutesOf(%s) = %d', (d, m) => expect(minutesOf(d)).toBe(m));
});

describe('promotionChecklist', () => {
  const list = promotionChecklist({ service: 'crm-api', version: '1.4.2', rings: ['internal', 'early_access', 'ga'] });
  it('acks once, then markers, canary health, bake and approval per ring', () => {
    expect(list.steps.map((s) => s.id)).toEqual([
      'ack-page',
      ...['internal', 'early-access', 'ga'].flatMap((r) => [`ring-${r}-markers`, `ring-${r}-canary-health`, `ring-${r}-bake`, `ring-${r}-approve`]),
    ]);
  });
  it('step ids are unique and stable', () => {
    const ids = list.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(promotionChecklist({ service: 'x', version: 'y', rings: ['internal', 'early_access', 'ga'] }).steps.map((s) => s.id)).toEqual(ids);
  });
  it('marks the page acknowledgement for MTTA', () => {
    expect(Object.fromEntries(list.steps.filter((s) => s.marks?.length).map((s) => [s.id, s.marks]))).toEqual({ 'ack-page': ['acknowledged'] });
  });
  it('bake is a wait and promotion an approver approval', () => {
    expect(list.steps.filter((s) => s.kind === 'wait').every((s) => s.waitMinutes === 30)).toBe(true);
    expect(list.steps.filter((s) => s.kind === 'approval').every((s) => s.role === 'approver')).toBe(true);
    expect(list.steps.filter((s) => s.kind === 'approval')).toHaveLength(3);
  });
  it('canary health is checked at 5%', () => {
    expect(list.steps.find((s) => s.id === 'ring-internal-canary-health')?.title).toContain('5%');
  });
  it.each([
    { rings: ['GA', 'ga', 'g a'], slugs: ['ga', 'ga-2', 'g-a'] },
    { rings: ['***'], slugs: ['ring'] },
  ])('ring slugs $rings', ({ rings, slugs }) => expect(ringSlugs(rings)).toEqual(slugs));
  it('no rings -> one production ring', () => {
    expect(promotionChecklist({ service: 's', version: 'v', rings: [] }).steps).toHaveLength(5);
  });
});

describe('progressive delivery notes', () => {
  it('falls back without Argo Rollouts outside Kubernetes', () => {
    expect(progressiveDeliveryMode.contribute(contextFor(vm)).fallbacks).toHaveLength(1);
    expect(progressiveDeliveryMode.contribute(contextFor(golden01)).fallbacks).toHaveLength(0);
  });
  it('warns when rings are assumed', () => {
    expect(progressiveDeliveryMode.contribute(contextFor(tenants)).warnings.join(' ')).toContain('no rings given');
  });
  it('risks and asks', () => {
    expect(progressiveDeliveryMode.contribute(contextFor(golden01)).risks).toEqual(['deployment-failed']);
    expect(progressiveDeliveryMode.dependsOn.asks).toEqual(['multi_tenancy', 'orchestrator']);
  });
});

describe('the Rollout in the plan', () => {
  type RolloutDoc = { metadata: { name: string }; spec: { workloadRef?: { kind: string; name: string }; template?: unknown; strategy: { canary: { steps: Record<string, unknown>[] } } } };
  const rolloutOf = (companions: string[]) => {
    const run = runMode(progressiveDeliveryMode, { ...golden01, cd_strategy: 'gitops' }, companions);
    const spec = run.artifacts.find((a) => a.name === 'rollout_strategy.yaml');
    return { path: spec?.path, rollout: (spec?.body as unknown as { documents: RolloutDoc[] }).documents[0] as RolloutDoc };
  };

  it('refers to the GitOps base Deployment instead of repeating its pods, under another name', () => {
    const { path, rollout } = rolloutOf(['gitops']);
    expect(path).toBe('gitops-config/apps/crm-api/base/rollout.yaml');
    expect(rollout.spec.workloadRef).toMatchObject({ kind: 'Deployment', name: 'crm-api' });
    expect(rollout.spec.template).toBeUndefined();
    expect(rollout.metadata.name).not.toBe('crm-api');
    const alone = rolloutOf([]);
    expect(alone.rollout.spec.workloadRef).toBeUndefined();
    expect(alone.rollout.spec.template).toBeDefined();
  });

  it('sizes the cohort canary like the first traffic step and waits for an approval after each ring', () => {
    const steps = rolloutOf(['gitops']).rollout.spec.strategy.canary.steps;
    expect(steps[0]).toEqual({ setCanaryScale: { weight: 5 } });
    expect(steps.filter((s) => JSON.stringify(s) === '{"pause":{}}')).toHaveLength(2); // three rings: two boundaries before the last
    expect(steps).toContainEqual({ setCanaryScale: { matchTrafficWeight: true } });
    expect(steps).not.toContainEqual({ setCanaryScale: { replicas: 1 } });
  });
});
