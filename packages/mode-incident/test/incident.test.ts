import { contextFor, runMode } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { incidentChecklist, incidentMode, incidentRules, rollbackChecklist } from '../src/index.js';

type Profile = Record<string, unknown>;
const goal = (g: string, extra: Profile = {}): Profile => ({ goal: g, ...extra });

/** One row per rule: a profile that fires it, and one where another rule of the same field wins. */
const RULE_ROWS: { rule: string; fires: Profile; not?: Profile; value?: unknown }[] = [
  { rule: 'incident/mode8-steps', fires: goal('Incident Response'), value: ['acknowledge', 'evaluate', 'rollback_code', 'toggle_flag', 'escalate_infra', 'stabilize', 'communicate', 'post_mortem'] },
  { rule: 'incident/rollback-gitops', fires: goal('Incident Response', { gitops_tool: 'flux' }), not: goal('Incident Response', { cd_strategy: 'push' }), value: ['restore_previous_digest_in_config_repo', 'flag_toggle'] },
  { rule: 'incident/rollback-pipeline', fires: goal('Incident Response', { infra: { orchestrator: 'vm' }, cd_strategy: 'gitops' }), not: goal('Incident Response', { gitops_tool: 'argocd' }), value: ['redeploy_previous_signed_digest', 'flag_toggle'] },
  { rule: 'incident/status-page', fires: goal('Outage handling'), value: 'status_page' },
  { rule: 'incident/blameless-post-mortem', fires: goal('Post-mortem culture'), value: 'blameless_within_5_business_days' },
  { rule: 'incident/break-glass-cab', fires: goal('Hotfix', { release_policy: { change_approval_level: 'cab' } }), not: goal('Hotfix'), value: 'jit_role_two_person_approval_retro_cab_review' },
  { rule: 'incident/break-glass-high-risk', fires: goal('Hotfix', { risk_tier: 'high' }), not: goal('Hotfix', { risk_tier: 'low' }), value: 'jit_role_two_person_approval_max_1h' },
  { rule: 'incident/break-glass-default', fires: goal('Hotfix', { risk_tier: 'medium' }), not: goal('Hotfix', { risk_tier: 'high' }), value: 'jit_role_two_person_approval_max_4h' },
  { rule: 'incident/severity-levels', fires: goal('On-call'), value: ['sev1', 'sev2', 'sev3'] },
];

describe('incident rules', () => {
  it('has a test row for every rule', () => {
    expect(RULE_ROWS.map((r) => r.rule).sort()).toEqual(incidentRules.map((r) => r.id).sort());
  });
  it.each(RULE_ROWS)('$rule', ({ rule, fires, not, value }) => {
    const field = incidentRules.find((r) => r.id === rule)?.field ?? '';
    const run = runMode(incidentMode, fires);
    expect(run.decisions.get(field)?.rule).toBe(rule);
    if (value !== undefined) expect(run.decisions.get(field)?.value).toEqual(value);
    if (not) expect(runMode(incidentMode, not).decisions.get(field)?.rule).not.toBe(rule);
  });
});

describe('incident applicability', () => {
  it.each(['Emergency Fix Process', 'Incident Response', 'Reduce outages', 'Hotfix flow', 'Break glass access', 'Break-glass', 'On-call runbook', 'Post-mortem process', 'Rollback plan', 'Sev1 handling', 'Lower MTTR'])('"%s" selects the mode', (g) => {
    expect(runMode(incidentMode, goal(g)).applies).toBe(true);
  });
  it.each(['DR Plan', 'Cost Control', 'DB Migration', 'Secure Runners', 'Canary', 'Release Policy', 'Stabilize API', 'Setup OIDC'])('"%s" does not', (g) => {
    expect(runMode(incidentMode, goal(g)).applies).toBe(false);
  });
  it('the incidents pain alone is weak evidence', () => {
    expect(runMode(incidentMode, goal('DR Plan', { current_pain: ['incidents'] })).applies).toBe(false);
  });
  it('asks nothing (golden-12 expects no clarification)', () => {
    expect(incidentMode.dependsOn.asks).toEqual([]);
  });
});

describe('incident artifacts', () => {
  const names = (p: Profile) => runMode(incidentMode, p).artifacts.map((a) => a.name);
  const artifact = (p: Profile, name: string) => runMode(incidentMode, p).artifacts.find((a) => a.name === name);

  it('golden-12 files', () => {
    expect(names(goal('Emergency Fix Process', { risk_tier: 'high' }))).toEqual(['incident_checklist.md', 'break_glass_procedure.md', 'audit_break_glass.sh', 'post_mortem_template.md']);
  });
  it('break-glass procedure corrects ClickOps and requires two-person approval', () => {
    const body = artifact(goal('Hotfix', { risk_tier: 'high' }), 'break_glass_procedure.md')?.body;
    expect(body?.format).toBe('markdown');
    if (body?.format !== 'markdown') return;
    expect(body.doc.intro).toMatch(/ClickOps/);
    expect(body.doc.sections.map((s) => s.heading)).toContain('Approval');
    expect(JSON.stringify(body.doc)).toMatch(/at most 1 hour/);
  });
  it.each([
    ['aws', /aws cloudtrail lookup-events/, /gcloud/],
    ['gcp', /gcloud logging read/, /cloudtrail/],
    ['azure', /az monitor activity-log list/, /cloudtrail/],
  ] as const)('audit script follows the cloud: %s', (cloud, has, hasNot) => {
    const body = artifact(goal('Hotfix', { infra: { cloud_provider: cloud } }), 'audit_break_glass.sh')?.body;
    if (body?.format !== 'shell') throw new Error('not shell');
    expect(body.script).toMatch(has);
    expect(body.script).not.toMatch(hasNot);
    expect(body.script).not.toMatch(/case "/);
  });
  it('audit script with an unknown cloud is a case over the providers, aws (cloudtrail) included', () => {
    const body = artifact(goal('Emergency Fix Process'), 'audit_break_glass.sh')?.body;
    if (body?.format !== 'shell') throw new Error('not shell');
    expect(body.script).toMatch(/case "\$\{cloud\}" in/);
    for (const needle of ['cloudtrail', 'gcloud logging read', 'az monitor activity-log list', 'K8S_AUDIT_LOG']) expect(body.script).toContain(needle);
  });
  it('post-mortem template has root cause, timeline, MTTA/MTTR and action items', () => {
    const body = artifact(goal('Post-mortem'), 'post_mortem_template.md')?.body;
    if (body?.format !== 'markdown') throw new Error('not markdown');
    const headings = body.doc.sections.map((s) => s.heading);
    expect(headings).toEqual(expect.arrayContaining(['Root Cause', 'Timeline', 'Action Items']));
    expect(JSON.stringify(body.doc)).toMatch(/MTTA.*MTTR/);
  });
});

describe('checklists for the Slack app', () => {
  it('incident checklist: choice enables the conditional paths, ids stable and unique', () => {
    const list = incidentChecklist({ service: 'api', severity: 'sev1' });
    const ids = list.steps.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['acknowledge', 'evaluate', 'rollback-code', 'toggle-flag', 'escalate-infra', 'stabilize', 'communicate', 'post-mortem']);
    const evaluate = list.steps.find((s) => s.id === 'evaluate');
    expect(evaluate?.kind).toBe('choice');
    expect(evaluate?.options?.map((o) => o.id)).toEqual(['code', 'config-flag', 'infra']);
    for (const option of evaluate?.options ?? []) for (const target of option.enables) expect(list.steps.find((s) => s.id === target)?.conditional).toBe(true);
    expect(list.steps[0]?.role).toBe('incident_commander');
    expect(incidentChecklist({ service: 'api', severity: 'sev1' })).toEqual(list);
  });
  it('incident checklist: severity sets the status page cadence, summary is kept', () => {
    expect(incidentChecklist({ service: 'api', severity: 'sev2' }).steps.find((s) => s.id === 'communicate')?.detail).toMatch(/60 minutes/);
    expect(incidentChecklist({ service: 'api', severity: 'sev1', summary: 'login errors' }).summary).toBe('login errors');
  });
  it('incident checklist: metric markers name the acknowledge, mitigation and stabilize steps', () => {
    const list = incidentChecklist({ service: 'api', severity: 'sev1' });
    expect(Object.fromEntries(list.steps.filter((s) => s.marks?.length).map((s) => [s.id, s.marks]))).toEqual({ acknowledge: ['acknowledged'], 'rollback-code': ['mitigated'], 'toggle-flag': ['mitigated'], stabilize: ['resolved'] });
  });
  it('rollback checklist: signed digest, approval by an approver, no rebuild', () => {
    const list = rollbackChecklist({ service: 'api', version: 'v1.4.2' });
    expect(list.steps.map((s) => s.id)).toEqual(['identify-digest', 'verify-signature', 'approve', 'revert', 'verify-health', 'communicate']);
    expect(list.steps.find((s) => s.id === 'verify-signature')?.detail).toMatch(/cosign verify/);
    expect(list.steps.find((s) => s.id === 'approve')).toMatchObject({ kind: 'approval', role: 'approver' });
    expect(list.steps[0]?.detail).toMatch(/v1\.4\.2/);
    expect(JSON.stringify(list)).not.toMatch(/docker build/);
  });
});

describe('context', () => {
  it('reads only the normalized profile', () => {
    expect(incidentMode.applies(contextFor(goal('Incident')) ).signals).toEqual(['goal:"Incident"']);
  });
});

describe('break-glass audit per cloud and orchestrator', () => {
  const audit = (infra: Profile) => {
    const run = runMode(incidentMode, goal('Emergency Fix Process', { infra }));
    const body = run.artifacts.find((a) => a.name === 'audit_break_glass.sh')?.body;
    return { script: body?.format === 'shell' ? body.script : undefined, skipped: run.notGenerated };
  };
  it.each([
    { infra: { cloud_provider: 'aws' }, has: 'aws cloudtrail lookup-events', hasNot: /gcloud|\baz |kubectl|journalctl/ },
    { infra: { cloud_provider: 'gcp' }, has: 'gcloud logging read', hasNot: /\baws |\baz |journalctl/ },
    { infra: { cloud_provider: 'azure' }, has: 'az monitor activity-log list', hasNot: /\baws |gcloud|journalctl/ },
    { infra: { cloud_provider: 'on_prem', orchestrator: 'kubernetes' }, has: 'K8S_AUDIT_LOG', hasNot: /\baws |gcloud|\baz |journalctl/ },
    { infra: { cloud_provider: 'on_prem', orchestrator: 'vm' }, has: 'journalctl _COMM=sudo', hasNot: /\baws |gcloud|\baz |K8S_AUDIT_LOG/ },
  ])('$infra.cloud_provider $infra.orchestrator', ({ infra, has, hasNot }) => {
    const { script } = audit(infra);
    expect(script).toContain(has);
    expect(script).not.toMatch(hasNot);
  });
  it('a contradictory cloud gets no audit script, and says why', () => {
    const { script, skipped } = audit({ cloud_provider: 'azure', orchestrator: 'ecs' });
    expect(script).toBeUndefined();
    expect(skipped.map((n) => n.artifact)).toEqual(['audit_break_glass.sh']);
  });
  it('the incident checklist names kubectl only on Kubernetes', () => {
    const text = (orchestrator: string) => JSON.stringify(runMode(incidentMode, goal('Incident response', { infra: { orchestrator } }), ['progressive-delivery']).artifacts.find((a) => a.name === 'incident_checklist.md')?.body);
    expect(text('kubernetes')).toContain('kubectl argo rollouts abort');
    expect(text('nomad')).not.toContain('kubectl');
  });
});

describe('rollback through the config repository', () => {
  const rollbackStep = (profile: Profile, companions: string[] = []): string => {
    const body = runMode(incidentMode, goal('Incident response', profile), companions).artifacts.find((a) => a.name === 'incident_checklist.md')?.body;
    return (body?.format === 'checklist' ? body.checklist.steps.find((s) => s.id === 'rollback-code')?.detail : undefined) ?? '';
  };
  const argo = { infra: { orchestrator: 'kubernetes' }, cd_strategy: 'gitops', gitops_tool: 'argocd', crm_profile: { multi_tenant: true }, delivery: { config_repository: 'acme/deploy' } };
  it('with Argo CD: the promotion script restores the overlay digest, Argo CD syncs, undo is named only as what not to do', () => {
    const detail = rollbackStep(argo, ['blueprint', 'progressive-delivery']);
    expect(detail).toContain('`scripts/promote.sh --rollback crm-api RING`');
    expect(detail).toContain('`apps/crm-api/overlays/RING/kustomization.yaml`');
    expect(detail).toContain('https://github.com/acme/deploy.git');
    expect(detail).toContain('Argo CD syncs it');
    expect(detail).toContain('`kubectl argo rollouts abort crm-api -n crm-api`');
    expect(detail).not.toMatch(/(?<!Never |such as )`kubectl argo rollouts undo/);
    // With the GitOps mode the Rollout references its Deployment and is named <service>-rollout.
    expect(rollbackStep(argo, ['blueprint', 'progressive-delivery', 'gitops'])).toContain('`kubectl argo rollouts abort crm-api-rollout -n crm-api`');
  });
  it('with several services: the rollback names the word SERVICE and the services it stands for', () => {
    const services = [
      { name: 'crm-api', image: 'crm-api' },
      { name: 'crm-web', image: 'crm-web' },
    ];
    const detail = rollbackStep({ ...argo, delivery: { ...argo.delivery, services } }, ['blueprint', 'progressive-delivery']);
    expect(detail).toContain('`scripts/promote.sh --rollback SERVICE RING`');
    expect(detail).toContain('SERVICE: one of crm-api, crm-web');
    expect(detail).toContain('`apps/SERVICE/overlays/RING/kustomization.yaml`');
    expect(detail).not.toContain('abort crm-api');
  });
  it('without the promotion script in the plan, ringmaster rollback is the way', () => {
    const detail = rollbackStep({ ...argo, gitops_tool: 'flux' });
    expect(detail).not.toContain('promote.sh');
    expect(detail).toContain('`ringmaster rollback --config-repo https://github.com/acme/deploy.git --target RING --to DIGEST`');
    expect(detail).toContain('Flux syncs it');
    expect(detail).not.toContain('rollouts abort');
  });
  it('without a GitOps operator, the pipeline redeploys the restored digest', () => {
    const detail = rollbackStep({ infra: { orchestrator: 'vm' }, cd_strategy: 'push' }, ['blueprint']);
    expect(detail).toContain('`scripts/promote.sh --rollback crm-api ENVIRONMENT`');
    expect(detail).toContain('releases/ENVIRONMENT/crm-api.image');
    expect(detail).toContain("pipeline's deploy step");
    expect(detail).not.toContain('kubectl');
  });
  it('the Slack checklists, without a plan, roll back through the config repository too', () => {
    for (const list of [incidentChecklist({ service: 'api', severity: 'sev1' }), rollbackChecklist({ service: 'api' })]) {
      const text = JSON.stringify(list);
      expect(text).toContain('ringmaster rollback');
      expect(text).not.toMatch(/(?<!Never )`kubectl argo rollouts undo/);
    }
  });
});
