import { GENESIS_HASH, sealEvent, type EvidenceEvent } from '@ringmaster/evidence';
import { incidentChecklist } from '@ringmaster/mode-incident';
import { promotionChecklist } from '@ringmaster/mode-progressive-delivery';
import type { Checklist } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { checkBlockKitLimits, runMessage, paginate } from '../src/blocks.js';
import { actionId, buttonValue, readButton } from '../src/button.js';
import { FLOWS, flowOf, planRun } from '../src/flows/index.js';
import { parseReleaseCommand } from '../src/commands.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { scrubText } from '../src/log.js';
import { parseRoles } from '../src/roles.js';
import { eventTime } from '../src/db/runs.js';
import { decide, deriveState, type Actor } from '../src/state.js';

function opened(checklist: Checklist, requester = 'UREQ'): EvidenceEvent[] {
  return [sealEvent(GENESIS_HASH, { seq: 0, run_id: 'rm-00000001', type: 'run.opened', actor: requester, at: '2026-11-24T10:00:00.000Z', data: { kind: 'promotion', title: checklist.title, checklist, params: {}, channel: 'C1' } })];
}

const at = '2026-11-24T10:05:00.000Z';
const actor = (id: string, ...roles: Actor['roles'] extends ReadonlySet<infer R> ? R[] : never): Actor => ({ id, roles: new Set(roles) });

describe('state machine', () => {
  it('shows only the path a choice took', () => {
    const log = opened(incidentChecklist({ service: 's', severity: 'sev1' }));
    const s0 = deriveState(log);
    expect(s0.visible.map((s) => s.step.id)).not.toContain('toggle-flag');
    const d = decide(s0, { op: 'choose', step: 'evaluate', option: 'config-flag' }, actor('U1', 'incident_commander'), at);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const s1 = deriveState([...log, sealEvent(log[0]!.hash, { ...d.events[0]!, seq: 1, run_id: 'rm-00000001' })]);
    expect(s1.visible.map((s) => s.step.id)).toContain('toggle-flag');
    expect(s1.visible.map((s) => s.step.id)).not.toContain('rollback-code');
  });

  it('gates: approvals need their role, the requester cannot approve, later steps wait', () => {
    const s = deriveState(opened(promotionChecklist({ service: 's', version: '1', rings: ['a'] })));
    expect(decide(s, { op: 'approve', step: 'ring-a-approve' }, actor('U2', 'approver'), at)).toMatchObject({ ok: false, code: 'locked' });
    expect(decide(s, { op: 'complete', step: 'ack-page' }, actor('U2'), at)).toMatchObject({ ok: false, code: 'role' });
    expect(decide(s, { op: 'approve', step: 'ack-page' }, actor('U2', 'release_captain'), at)).toMatchObject({ ok: false, code: 'wrong_op' });
    expect(decide(s, { op: 'complete', step: 'nope' }, actor('U2'), at)).toMatchObject({ ok: false, code: 'unknown_step' });
    expect(decide(s, { op: 'complete', step: 'ack-page' }, actor('U2', 'release_captain'), at)).toMatchObject({ ok: true });
  });
});

describe('event time', () => {
  it('is now, or the last event time when this clock is behind it (another replica, a skewed clock)', () => {
    expect(eventTime(new Date('2026-11-24T10:00:05.000Z'), '2026-11-24T10:00:00.000Z')).toBe('2026-11-24T10:00:05.000Z');
    expect(eventTime(new Date('2026-11-24T09:59:58.000Z'), '2026-11-24T10:00:00.000Z')).toBe('2026-11-24T10:00:00.000Z');
  });
});

describe('buttons and flows', () => {
  it('reads back exactly the buttons it writes, and refuses forged ones', () => {
    const value = buttonValue('rm-0a1b2c3d', 'evaluate', 'choose', 'code');
    expect(readButton(value, actionId('choose', 1, 0))).toEqual({ runId: 'rm-0a1b2c3d', step: 'evaluate', op: 'choose', option: 'code' });
    expect(readButton(buttonValue('rm-0a1b2c3d', '', 'snooze'), actionId('snooze'))).toMatchObject({ op: 'snooze', step: '' });
    for (const [v, id] of [
      [value, actionId('complete', 1)], // op differs from the action_id's
      ['rm-0a1b2c3d|evaluate|choose', actionId('choose', 1)], // three fields
      ['rm-0a1b2c3d|evaluate|choose|code|UX', actionId('choose', 1)], // a fifth smuggled in
      ['rm-nothex0|evaluate|complete|', actionId('complete', 1)],
      ['rm-0a1b2c3d|evaluate|delete|', 'rm.delete.1'],
      ['rm-0a1b2c3d|ev\u0000al|complete|', actionId('complete', 1)],
      [`rm-0a1b2c3d|${'x'.repeat(201)}|complete|`, actionId('complete', 1)],
      [42, actionId('complete', 1)],
    ] as const) {
      expect(readButton(v, id), String(v)).toBeUndefined();
    }
  });

  it('one definition per flow: mode and risk tier come from it', () => {
    expect(Object.keys(FLOWS).sort()).toEqual(['drill', 'incident', 'promote', 'rollback']);
    const plan = planRun({ sub: 'incident', service: 'api', severity: 'sev1' }, []);
    expect(plan).toMatchObject({ kind: 'incident', mode: 'incident', riskTier: 'high' });
    expect(flowOf('incident').riskTier(plan.params)).toBe('high');
    expect(planRun({ sub: 'drill', scenario: 'region', tier: 'low' }, [])).toMatchObject({ kind: 'drill', mode: 'dr', riskTier: 'low' });
    expect(planRun({ sub: 'promote', service: 'api', version: '1.0.0' }, ['a', 'b']).params['rings']).toEqual(['a', 'b']);
    expect(flowOf('promotion').mode).toBe('progressive-delivery');
  });
});

describe('Block Kit', () => {
  it('flags every limit it knows', () => {
    const button = (i: number) => ({ type: 'button', action_id: `a${i}`, text: { type: 'plain_text', text: 'x' }, value: 'v' });
    expect(checkBlockKitLimits(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toHaveLength(1);
    expect(checkBlockKitLimits([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(i)) }])[0]).toMatch(/26 elements/);
    expect(checkBlockKitLimits([{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }])[0]).toMatch(/3001/);
    expect(checkBlockKitLimits([{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }])).toHaveLength(1);
    expect(checkBlockKitLimits([{ type: 'actions', elements: [button(1), button(1)] }])[0]).toMatch(/duplicate action_id/);
    expect(checkBlockKitLimits([{ type: 'unknown' }])).toHaveLength(1);
  });

  it('paginates a huge checklist, splits wide choices, clips long text', () => {
    const options = Array.from({ length: 60 }, (_, i) => ({ id: `o${i}`, label: `Option ${i} ${'y'.repeat(90)}`, enables: [] }));
    const checklist: Checklist = {
      id: 'big',
      title: 'T'.repeat(400),
      summary: 's',
      kb: [],
      steps: [
        { id: 'pick', title: 'Pick', kind: 'choice', options },
        ...Array.from({ length: 120 }, (_, i) => ({ id: `s${i}`, title: `Step ${i}`, detail: 'd'.repeat(5000), kind: 'task' as const })),
      ],
    };
    const state = deriveState(opened(checklist));
    const pages = paginate(state);
    expect(pages.length).toBeGreaterThan(2);
    for (let p = 0; p < pages.length; p++) expect(checkBlockKitLimits(runMessage(state, p).blocks)).toEqual([]);
    expect(runMessage(state, 0).blocks.filter((b) => b['type'] === 'actions' && String(b['block_id']).startsWith('a.0.')).length).toBe(3);
  });
});

describe('commands, config, roles, redaction', () => {
  it('parses /release subcommands and refuses the malformed', () => {
    expect(parseReleaseCommand('incident payments sev1 checkout down')).toEqual({ sub: 'incident', service: 'payments', severity: 'sev1', summary: 'checkout down' });
    expect(parseReleaseCommand('incident payments it is down')).toMatchObject({ severity: 'sev2', summary: 'it is down' });
    expect(parseReleaseCommand('drill region failure medium')).toEqual({ sub: 'drill', scenario: 'region failure', tier: 'medium' });
    expect(parseReleaseCommand('promote api 1.2.3 internal,ga')).toEqual({ sub: 'promote', service: 'api', version: '1.2.3', rings: ['internal', 'ga'] });
    expect(parseReleaseCommand('rollback api sha256:abc')).toEqual({ sub: 'rollback', service: 'api', version: 'sha256:abc' });
    for (const bad of ['nope', 'incident', 'incident <script>', 'promote api', 'export 12', 'rollback', `incident x ${'a'.repeat(2000)}`]) {
      expect(parseReleaseCommand(bad).sub, bad).toBe('invalid');
    }
  });

  it('names the variable in one line when configuration is missing or wrong', () => {
    const base = { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', PORT: '3000', RINGMASTER_ROLES: 'roles.yml' };
    expect(parseConfig(base).port).toBe(3000);
    const cases: [Record<string, string>, string][] = [
      [{ ...base, SLACK_SIGNING_SECRET: '' }, 'SLACK_SIGNING_SECRET'],
      [{ ...base, SLACK_BOT_TOKEN: 'nope' }, 'SLACK_BOT_TOKEN'],
      [{ ...base, PORT: '' }, 'PORT'],
      [{ ...base, PORT: 'x' }, 'PORT'],
      [{ ...base, RINGMASTER_ROLES: '' }, 'RINGMASTER_ROLES'],
      [{ ...base, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ ...base, SLACK_APP_TOKEN: 'xoxb-1' }, 'SLACK_APP_TOKEN'],
    ];
    for (const [env, variable] of cases) {
      try {
        parseConfig(env);
        expect.unreachable(variable);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).variable).toBe(variable);
        expect((err as Error).message).not.toContain('\n');
      }
    }
    expect(parseConfig({ ...base, PORT: '', SLACK_APP_TOKEN: 'xapp-1' }).appToken).toBe('xapp-1');
  });

  it('reads roles files in YAML or JSON and refuses unknown roles and ids', () => {
    expect(parseRoles('{"approver": ["U0001", "S2AB"]}').approver).toEqual({ users: ['U0001'], groups: ['S2AB'] });
    expect(() => parseRoles('boss: [U0001]')).toThrow(/unknown role/);
    expect(() => parseRoles('approver: [alice]')).toThrow(/not a Slack user/);
  });

  it('scrubs tokens, keys, e-mails, internal hosts and tenant names', () => {
    const out = scrubText('xoxb-1-2 xapp-1-x Bearer abc.def ghp_abcdefghijklmnop AKIAABCDEFGHIJKLMNOP a.b@corp.example.com db1.prod.internal 10.1.2.3 postgres://u:p@h/db Acme', ['acme']);
    for (const leaked of ['xoxb-1', 'xapp-1', 'abc.def', 'ghp_', 'AKIA', 'a.b@', 'db1.prod', '10.1.2.3', 'u:p@', 'Acme']) expect(out).not.toContain(leaked);
  });
});
