import type { Checklist } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { actionDataIssue, buildBundle, eventLogText, extendLog, GENESIS_HASH, parseEventLog, sealEvent, verifyBundle, verifyEventLog, type ActionData, type EventBody, type EvidenceBundle, type EvidenceEvent } from '../src/index.js';

const promotion: Checklist = {
  id: 'promotion',
  title: 'Promote crm-api',
  summary: 'Ring by ring',
  kb: ['KB_06#GitOps'],
  steps: [{ id: 'promote-ring0', title: 'Promote ring0', kind: 'task' }],
};

const t = (min: number): string => new Date(Date.UTC(2026, 10, 30, 10, 0, 0) + min * 60_000).toISOString();
const DIGEST = `sha256:${'a'.repeat(64)}`;

const verified: ActionData = {
  action: 'verify-signature',
  outcome: 'done',
  service: 'crm-api',
  ring: 'ring0',
  image: 'ghcr.io/acme/crm-api',
  digest: DIGEST,
};
const promoted: ActionData = {
  action: 'promote',
  outcome: 'done',
  service: 'crm-api',
  ring: 'ring0',
  repository: 'https://github.com/acme/crm-deploy.git',
  path: 'apps/crm-api/overlays/ring0/kustomization.yaml',
  commit: '1'.repeat(40),
  image: 'ghcr.io/acme/crm-api',
  digest: DIGEST,
};
const health: ActionData = { action: 'canary-health', outcome: 'refused', ring: 'ring0', measurements: { 'canary-health/error-rate': 0.42, 'burn_rate:slo:error_ratio:rate5m': 840 }, reason: 'error rate above 1%' };

function chain(bodies: Omit<EventBody, 'seq' | 'run_id'>[]): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  let prev = GENESIS_HASH;
  bodies.forEach((b, seq) => {
    const e = sealEvent(prev, { ...b, seq, run_id: 'rm-act' });
    out.push(e);
    prev = e.hash;
  });
  return out;
}

function actingLog(): EvidenceEvent[] {
  return chain([
    { type: 'run.opened', actor: 'UCAPTAIN', at: t(0), data: { kind: 'promotion', title: promotion.title, checklist: promotion, params: { service: 'crm-api' }, channel: 'C1' } },
    { type: 'action.performed', actor: 'UCAPTAIN', at: t(1), step: 'promote-ring0', data: { ...verified } },
    { type: 'action.performed', actor: 'UCAPTAIN', at: t(1), step: 'promote-ring0', data: { ...promoted } },
    { type: 'step.completed', actor: 'UCAPTAIN', at: t(2), step: 'promote-ring0' },
    { type: 'action.performed', actor: 'ringmaster', at: t(30), data: { ...health } },
  ]);
}

const copy = (b: EvidenceBundle): EvidenceBundle => JSON.parse(JSON.stringify(b)) as EvidenceBundle;

describe('actions in the evidence bundle', () => {
  it('lists every action with its event position, actor, time and data, and verifies', () => {
    const bundle = buildBundle(actingLog());
    expect(bundle.actions).toEqual([
      { seq: 1, actor: 'UCAPTAIN', at: t(1), data: verified },
      { seq: 2, actor: 'UCAPTAIN', at: t(1), data: promoted },
      { seq: 4, actor: 'ringmaster', at: t(30), data: health },
    ]);
    expect(bundle.summary_markdown).toContain(`## Actions`);
    expect(bundle.summary_markdown).toContain(`#2 ${t(1)} UCAPTAIN: promote crm-api on ring0: done (ghcr.io/acme/crm-api@${DIGEST}; commit ${'1'.repeat(40)})`);
    expect(bundle.summary_markdown).toContain('canary-health on ring0: refused (canary-health/error-rate=0.42, burn\\_rate:slo:error\\_ratio:rate5m=840; error rate above 1%)');
    expect(verifyBundle(copy(bundle))).toMatchObject({ ok: true, count: 5, run: 'rm-act' });
  });

  it('refuses a bundle whose action list or action events were changed', () => {
    const good = buildBundle(actingLog());
    const edits: [string, (b: EvidenceBundle) => void][] = [
      ['commit in the list', (b) => void (b.actions![1]!.data.commit = '2'.repeat(40))],
      ['outcome in the list', (b) => void (b.actions![2]!.data.outcome = 'done')],
      ['measurement in the list', (b) => void (b.actions![2]!.data.measurements!['canary-health/error-rate'] = 0.001)],
      ['action removed from the list', (b) => void b.actions!.splice(0, 1)],
      ['list removed', (b) => void delete b.actions],
      ['actor in the list', (b) => void (b.actions![0]!.actor = 'UMALLORY')],
      ['digest in the event', (b) => void ((b.events[2]!.data as unknown as ActionData).digest = `sha256:${'b'.repeat(64)}`)],
    ];
    for (const [name, edit] of edits) {
      const b = copy(good);
      edit(b);
      const result = verifyBundle(b);
      expect(result.ok, name).toBe(false);
      if (!result.ok && name.endsWith('list')) expect(result.reason, name).toBe('actions does not match the events');
    }
  });

  it('a run without actions has no action list, as bundles made before actions existed', () => {
    const log = actingLog().filter((e) => e.type !== 'action.performed');
    const bundle = buildBundle(chain(log.map(({ seq: _s, run_id: _r, prev_hash: _p, hash: _h, ...b }) => b)));
    expect(bundle).not.toHaveProperty('actions');
    expect(bundle.summary_markdown).not.toContain('## Actions');
    expect(verifyBundle(copy(bundle)).ok).toBe(true);
  });

  it('refuses an action event that is not an action, naming the event and the field', () => {
    const bad = chain([
      { type: 'run.opened', actor: 'U1', at: t(0), data: { kind: 'promotion', title: 'x', checklist: promotion, params: {}, channel: 'C1' } },
      { type: 'action.performed', actor: 'U1', at: t(1), data: { action: 'deploy-anything', outcome: 'done' } },
    ]);
    expect(() => buildBundle(bad)).toThrow('action.performed data/action: expected one of promote, rollback, canary-health, verify-signature, found "deploy-anything"');
    // A consistent bundle around it (made by hand) fails at that event.
    const forged = { ...copy(buildBundle(actingLog())), events: bad, head: { count: 2, hash: bad[1]!.hash } };
    expect(verifyBundle(forged)).toMatchObject({ ok: false, index: 1 });
  });

  it.each([
    [null, 'data: expected an object, found null'],
    [{ action: 'promote' }, 'data/outcome: expected one of done, refused, failed, dry-run, found undefined'],
    [{ action: 'promote', outcome: 'done', reason: 'two\nlines' }, 'data/reason: expected one line of text, found a line break'],
    [{ action: 'promote', outcome: 'done', commit: 42 }, 'data/commit: expected one line of text, found number'],
    [{ action: 'canary-health', outcome: 'done', measurements: { rate: 'high' } }, 'data/measurements/rate: expected a finite number, found "high"'],
  ])('actionDataIssue(%j)', (data, issue) => {
    expect(actionDataIssue(data)).toBe(issue);
  });

  it('accepts every field of the shared shape', () => {
    expect(actionDataIssue({ ...promoted, review_url: 'https://github.com/acme/crm-deploy/pull/7', measurements: { a: 1 }, reason: 'why' })).toBeNull();
  });
});

describe('event log files (JSON Lines)', () => {
  it('round-trips a log, extends it, and verifies it, naming the line at fault', () => {
    const log = actingLog();
    const text = eventLogText(log);
    expect(parseEventLog(text)).toEqual(log);
    const more = extendLog(log, 'rm-act', [{ type: 'run.closed', actor: 'UCAPTAIN', at: t(31) }]);
    expect(more[0]).toMatchObject({ seq: 5, prev_hash: log[4]!.hash });
    expect(verifyEventLog(eventLogText([...log, ...more]))).toEqual({ ok: true, count: 6, head: more[0]!.hash, run: 'rm-act' });
    // A blank line is allowed (an editor's trailing newline), and line numbers count it.
    const lines = text.split('\n');
    const altered = [lines[0], '', ...lines.slice(1)].join('\n').replace(`"commit":"${'1'.repeat(40)}"`, `"commit":"${'2'.repeat(40)}"`);
    expect(verifyEventLog(altered)).toEqual({ ok: false, line: 4, reason: 'hash does not match the event content (event altered)' });
    expect(verifyEventLog(`${lines[0]}\n[1]\n`)).toEqual({ ok: false, line: 2, reason: 'expected one JSON event per line, found an array' });
    expect(verifyEventLog('')).toEqual({ ok: false, reason: 'the log is empty' });
  });
});
