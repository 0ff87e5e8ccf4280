import type { Checklist } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  canonicalJson,
  GENESIS_HASH,
  hashEvent,
  parseMinutes,
  sealEvent,
  verifyBundle,
  verifyChain,
  type EventBody,
  type EvidenceEvent,
} from '../src/index.js';

const incident: Checklist = {
  id: 'incident',
  title: 'Incident: payments sev1',
  summary: 'Incident response',
  kb: ['KB_14#Incident_Response'],
  steps: [
    { id: 'acknowledge', title: 'Acknowledge the alert', kind: 'task', role: 'release_captain', marks: ['acknowledged'] },
    {
      id: 'evaluate',
      title: 'Evaluate: code, infra or config?',
      kind: 'choice',
      options: [
        { id: 'code', label: 'Code', enables: ['rollback'] },
        { id: 'config', label: 'Config / flag', enables: ['flag-off'] },
      ],
    },
    { id: 'rollback', title: 'Roll back', kind: 'task', conditional: true, marks: ['mitigated'] },
    { id: 'flag-off', title: 'Toggle the flag off', kind: 'task', conditional: true, marks: ['mitigated'] },
    { id: 'stabilize', title: 'Stabilize: error rate drops', kind: 'task', marks: ['resolved'] },
  ],
};

const drill: Checklist = {
  id: 'dr-drill',
  title: 'DR drill: region failure',
  summary: 'Drill',
  kb: ['KB_15#Drills'],
  steps: [
    { id: 'trigger', title: 'Trigger the disaster', kind: 'task', marks: ['drill_start'] },
    { id: 'restore', title: 'Run the restore runbook', kind: 'task' },
    { id: 'verify', title: 'Verify against RTO and RPO', kind: 'task', marks: ['drill_end'] },
  ],
};

function chain(bodies: Omit<EventBody, 'seq' | 'run_id'>[], runId = 'rm-1'): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  let prev = GENESIS_HASH;
  bodies.forEach((b, seq) => {
    const e = sealEvent(prev, { ...b, seq, run_id: runId });
    out.push(e);
    prev = e.hash;
  });
  return out;
}

const t = (min: number): string => new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + min * 60_000).toISOString();

function incidentLog(checklist: Checklist = incident): EvidenceEvent[] {
  return chain([
    { type: 'run.opened', actor: 'UCAPTAIN', at: t(0), data: { kind: 'incident', title: checklist.title, checklist, params: { service: 'payments', severity: 'sev1' }, channel: 'C1' } },
    { type: 'step.completed', actor: 'UCAPTAIN', at: t(2), step: 'acknowledge' },
    { type: 'choice.made', actor: 'UIC', at: t(5), step: 'evaluate', data: { option: 'code' } },
    { type: 'step.completed', actor: 'UIC', at: t(9), step: 'rollback' },
    { type: 'step.completed', actor: 'UIC', at: t(20), step: 'stabilize' },
    { type: 'run.closed', actor: 'ringmaster', at: t(20), data: { reason: 'completed' } },
  ]);
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('refuses values that have no single JSON spelling', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });
});

describe('hash chain', () => {
  it('links each event to the previous hash', () => {
    const log = incidentLog();
    expect(log[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(log[1]!.prev_hash).toBe(log[0]!.hash);
    expect(hashEvent(log[0]!.hash, log[1]!)).toBe(log[1]!.hash);
    expect(verifyChain(log)).toEqual({ ok: true, count: 6, head: log[5]!.hash });
  });

  const tamper: [string, (log: EvidenceEvent[]) => unknown[], number][] = [
    ['changed actor', (l) => l.map((e, i) => (i === 2 ? { ...e, actor: 'UMALLORY' } : e)), 2],
    ['changed nested data', (l) => l.map((e, i) => (i === 2 ? { ...e, data: { option: 'config' } } : e)), 2],
    ['changed time', (l) => l.map((e, i) => (i === 1 ? { ...e, at: t(1) } : e)), 1],
    ['deleted event', (l) => l.filter((_, i) => i !== 3), 3],
    ['reordered events', (l) => [l[0], l[2], l[1], ...l.slice(3)], 1],
    ['inserted event', (l) => [...l.slice(0, 2), { ...l[1]!, seq: 2 }, ...l.slice(2)], 2],
    ['recomputed hash but not the chain', (l) => l.map((e, i) => (i === 1 ? sealEvent(e.prev_hash, { ...e, actor: 'UMALLORY' }) : e)), 2],
    ['event from another run', (l) => l.map((e, i) => (i === 4 ? sealEvent(l[3]!.hash, { ...e, run_id: 'rm-2' }) : e)), 4],
    ['not an object', (l) => [...l.slice(0, 5), 'x'], 5],
  ];
  it.each(tamper)('fails on %s', (_name, mutate, index) => {
    const result = verifyChain(mutate(incidentLog()));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.index).toBe(index);
  });

  it('fails on an empty or non-array log', () => {
    expect(verifyChain([]).ok).toBe(false);
    expect(verifyChain({}).ok).toBe(false);
  });
});

describe('evidence bundle', () => {
  it('computes MTTA and MTTR for incidents and writes a post-mortem draft', () => {
    const bundle = buildBundle(incidentLog());
    expect(bundle.metrics).toEqual({ mtta_seconds: 120, mttm_seconds: 540, mttr_seconds: 1200 });
    expect(bundle.run).toMatchObject({ id: 'rm-1', kind: 'incident', requested_by: 'UCAPTAIN', closed_at: t(20) });
    expect(bundle.postmortem_markdown).toContain('| MTTA | 2m 0s |');
    expect(bundle.postmortem_markdown).toContain('| MTTR | 20m 0s |');
    expect(bundle.postmortem_markdown).toContain('| time to mitigate | 9m 0s |');
    expect(bundle.postmortem_markdown).toContain('**Code** at **Evaluate: code, infra or config?**');
    expect(bundle.summary_markdown).toContain('- [x] Acknowledge the alert — UCAPTAIN');
    expect(bundle.summary_markdown).toContain('- [ ] Toggle the flag off');
    expect(bundle.summary_markdown).toContain('[KBTRACE: KB_14#Incident_Response]');
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle)))).toEqual({ ok: true, count: 6, head: bundle.head.hash, run: 'rm-1', signature: { checked: false, key_id: null } });
  });

  it('measures RTO for drills against the target, pass and fail', () => {
    const log = (verifyAt: number): EvidenceEvent[] =>
      chain([
        { type: 'run.opened', actor: 'UIC', at: t(0), data: { kind: 'drill', title: drill.title, checklist: drill, params: { scenario: 'region', rto: '1h', rpo: '15m' }, channel: 'C1' } },
        { type: 'step.completed', actor: 'UIC', at: t(1), step: 'trigger' },
        { type: 'step.completed', actor: 'UIC', at: t(30), step: 'restore' },
        { type: 'step.completed', actor: 'UIC', at: t(verifyAt), step: 'verify' },
      ]);
    expect(buildBundle(log(46)).drill).toEqual({ rto_target_minutes: 60, rpo_target_minutes: 15, measured_rto_minutes: 45, pass: true });
    const failed = buildBundle(log(91));
    expect(failed.drill?.pass).toBe(false);
    expect(failed.summary_markdown).toContain('measured: 90 min -> FAIL');
  });

  it('refuses a bundle whose events, head or derived parts were edited', () => {
    const good = buildBundle(incidentLog());
    const clone = (): typeof good => JSON.parse(JSON.stringify(good)) as typeof good;
    const edits: [string, (b: typeof good) => void][] = [
      ['event field', (b) => void (b.events[1]!.actor = 'UMALLORY')],
      ['deleted last event', (b) => void b.events.pop()],
      ['deleted middle event', (b) => void b.events.splice(2, 1)],
      ['reordered', (b) => void b.events.reverse()],
      ['summary', (b) => void (b.summary_markdown += '\nall fine')],
      ['metrics', (b) => void (b.metrics = { mtta_seconds: 1, mttm_seconds: 1, mttr_seconds: 2 })],
      ['post-mortem removed', (b) => void delete b.postmortem_markdown],
      ['format', (b) => void ((b as { format: string }).format = 'other')],
      ['head', (b) => void (b.head.count = 5)],
    ];
    for (const [name, edit] of edits) {
      const b = clone();
      edit(b);
      expect(verifyBundle(b).ok, name).toBe(false);
    }
    expect(verifyBundle(null).ok).toBe(false);
    expect(verifyBundle([]).ok).toBe(false);
  });

  it('measures from step markers, so renaming steps changes no metric', () => {
    // Titles an old title-pattern match would have misread: "Restore" on a later, unmarked step.
    const renamed: Checklist = {
      ...incident,
      steps: [
        ...incident.steps.map((s, i) => ({ ...s, title: `Step ${i + 1}` })),
        { id: 'comms', title: 'Restore customer trust: recover and resolve the status page', kind: 'task' },
      ],
    };
    const log = chain([...incidentLog(renamed).slice(0, 5), { type: 'step.completed', actor: 'UIC', at: t(30), step: 'comms' }, { type: 'run.closed', actor: 'ringmaster', at: t(30) }]);
    expect(buildBundle(log).metrics).toEqual(buildBundle(incidentLog()).metrics);
  });

  it('reports a metric as not measurable when no step carries its marker, and never guesses', () => {
    const unmarked: Checklist = { ...incident, steps: incident.steps.map(({ marks: _marks, ...s }) => s) };
    const bundle = buildBundle(incidentLog(unmarked));
    expect(bundle.metrics).toEqual({ mtta_seconds: null, mttm_seconds: null, mttr_seconds: null, not_measurable: ['mtta_seconds', 'mttm_seconds', 'mttr_seconds'] });
    expect(bundle.summary_markdown).toContain('- MTTA: not measurable (no step is marked "acknowledged")');
    expect(bundle.postmortem_markdown).toContain('| MTTR | not measurable (no step is marked "resolved") |');
    // Marked but not reached (the run closed first) is a different answer.
    const open = buildBundle(chain([...incidentLog().slice(0, 2).map(({ seq: _s, run_id: _r, prev_hash: _p, hash: _h, ...b }) => b), { type: 'run.closed', actor: 'UIC', at: t(3) }]));
    expect(open.metrics).toEqual({ mtta_seconds: 120, mttm_seconds: null, mttr_seconds: null });
    expect(open.summary_markdown).toContain('- MTTR: not reached');

    const noEnd: Checklist = { ...drill, steps: drill.steps.map((s) => (s.id === 'verify' ? { ...s, marks: [] } : s)) };
    const drillBundle = buildBundle(
      chain([
        { type: 'run.opened', actor: 'UIC', at: t(0), data: { kind: 'drill', title: noEnd.title, checklist: noEnd, params: { rto: '1h' }, channel: 'C1' } },
        { type: 'step.completed', actor: 'UIC', at: t(1), step: 'trigger' },
        { type: 'step.completed', actor: 'UIC', at: t(20), step: 'verify' },
      ]),
    );
    expect(drillBundle.drill).toEqual({ rto_target_minutes: 60, rpo_target_minutes: null, measured_rto_minutes: null, pass: null, not_measurable: ['measured_rto_minutes'] });
    expect(drillBundle.summary_markdown).toContain('measured: not measurable (no step is marked "drill_end") -> not measured');
  });

  it('escapes the text a requester typed (summary, title) in every Markdown part', () => {
    const typed = '<!channel> see <https://evil.example|this> **now**\n# Heading';
    const checklist: Checklist = { ...incident, title: 'Incident response: `x` <@U1>', summary: typed };
    const log = chain([
      { type: 'run.opened', actor: 'UIC', at: t(0), data: { kind: 'incident', title: checklist.title, checklist, params: { summary: typed }, channel: 'C1' } },
      { type: 'run.closed', actor: 'UIC', at: t(1) },
    ]);
    const bundle = buildBundle(log);
    for (const markdown of [bundle.summary_markdown, bundle.postmortem_markdown!]) {
      // No unescaped mention, link, emphasis or heading from what was typed.
      expect(markdown).not.toMatch(/(?<!\\)<[!@h]|\n# Heading|(?<!\\)\*\*now/);
      expect(markdown).toContain('\\<@U1\\>');
    }
    expect(bundle.summary_markdown).toContain('\\<!channel\\> see \\<https://evil.example\\|this\\> \\*\\*now\\*\\* # Heading [KBTRACE: KB_14#Incident_Response]');
  });

  it('reads durations the mode packages use', () => {
    expect([parseMinutes('< 1h'), parseMinutes('15m'), parseMinutes('24 hours'), parseMinutes(90), parseMinutes('30s'), parseMinutes('soon')]).toEqual([
      60, 15, 1440, 90, 0.5, null,
    ]);
  });
});
