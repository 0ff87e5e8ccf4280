import type { Checklist, ChecklistStep, MarkdownDoc } from '@ringmaster/core';
import { checklistToMarkdown, mdInline, renderMarkdown } from '@ringmaster/renderer';
import { canonicalJson } from './canonical.js';
import { verifyChain, type EvidenceEvent } from './chain.js';

export const BUNDLE_FORMAT = 'ringmaster.evidence.v1';

export type RunKind = 'incident' | 'rollback' | 'drill' | 'promotion';

/** The `data` of a run's first event (`run.opened`). */
export interface RunOpenedData {
  kind: RunKind;
  title: string;
  checklist: Checklist;
  /** What the run was started with: service, severity, version, scenario, rto, rpo, rings ... */
  params: Record<string, unknown>;
  channel: string;
}

export interface IncidentMetrics {
  /** Run opened -> first checklist step (acknowledge) done. */
  mtta_seconds: number | null;
  /** Run opened -> the stabilize/restore step done (or the run closed). */
  mttr_seconds: number | null;
}

export interface DrillResult {
  rto_target_minutes: number | null;
  rpo_target_minutes: number | null;
  /** First step (the simulated disaster) done -> the verification step done. */
  measured_rto_minutes: number | null;
  pass: boolean | null;
}

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT;
  run: {
    id: string;
    kind: RunKind;
    title: string;
    requested_by: string;
    channel: string;
    opened_at: string;
    closed_at: string | null;
  };
  /** The last event's hash: post it somewhere else (the Slack thread does) to detect a truncated tail. */
  head: { count: number; hash: string };
  events: EvidenceEvent[];
  summary_markdown: string;
  /** Incidents only. */
  metrics?: IncidentMetrics;
  /** Incidents only: the blameless post-mortem draft, timeline and MTTA/MTTR filled in. */
  postmortem_markdown?: string;
  /** Drills only: measured RTO against the target. */
  drill?: DrillResult;
}

export type BundleVerification =
  | { ok: true; count: number; head: string; run: string }
  | { ok: false; index?: number; reason: string };

/** Event types that finish a step. */
const DONE_TYPES = new Set(['step.completed', 'step.approved', 'choice.made', 'wait.elapsed']);

/** `90`, `"90"`, `"15m"`, `"< 1h"`, `"24 hours"`, `"30s"` -> minutes; null when unreadable. */
export function parseMinutes(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)?\b/i.exec(value);
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'm').toLowerCase();
  if (unit.startsWith('s')) return n / 60;
  if (unit.startsWith('h')) return n * 60;
  if (unit.startsWith('d')) return n * 1440;
  return n;
}

function seconds(from: string, to: string | undefined): number | null {
  return to === undefined ? null : Math.round((Date.parse(to) - Date.parse(from)) / 1000);
}

function duration(s: number | null): string {
  if (s === null) return 'n/a';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}h ${m}m ${sec}s` : m ? `${m}m ${sec}s` : `${sec}s`;
}

function openedData(events: readonly EvidenceEvent[]): RunOpenedData {
  const first = events[0];
  if (first?.type !== 'run.opened') throw new Error('the first event is not run.opened');
  const data = first.data as Partial<RunOpenedData> | undefined;
  if (!data || typeof data.kind !== 'string' || typeof data.title !== 'string' || !data.checklist || !Array.isArray(data.checklist.steps)) {
    throw new Error('run.opened lacks kind, title or checklist');
  }
  return { kind: data.kind, title: data.title, checklist: data.checklist, params: data.params ?? {}, channel: String(data.channel ?? '') };
}

/** When each step was finished, and by whom (the first finishing event wins). */
function doneSteps(events: readonly EvidenceEvent[]): Map<string, EvidenceEvent> {
  const done = new Map<string, EvidenceEvent>();
  for (const e of events) if (e.step && DONE_TYPES.has(e.type) && !done.has(e.step)) done.set(e.step, e);
  return done;
}

function stepTitle(checklist: Checklist, id: string | undefined): string {
  return checklist.steps.find((s) => s.id === id)?.title ?? id ?? '';
}

function describe(e: EvidenceEvent, checklist: Checklist): string {
  const step = mdInline(stepTitle(checklist, e.step));
  switch (e.type) {
    case 'run.opened':
      return 'opened the run';
    case 'step.completed':
      return `completed **${step}**`;
    case 'step.approved':
      return `approved **${step}**`;
    case 'choice.made': {
      const option = checklist.steps.find((s) => s.id === e.step)?.options?.find((o) => o.id === e.data?.['option']);
      return `chose **${mdInline(option?.label ?? String(e.data?.['option']))}** at **${step}**`;
    }
    case 'wait.started':
      return `started the bake timer at **${step}** (until ${String(e.data?.['until'])})`;
    case 'wait.elapsed':
      return `bake time over at **${step}**`;
    case 'reminder.snoozed':
      return `snoozed reminders until ${String(e.data?.['until'])}`;
    case 'run.closed':
      return `closed the run (${String(e.data?.['reason'] ?? 'done')})`;
  }
}

function who(actor: string): string {
  return actor === 'ringmaster' ? 'ringmaster (timer)' : actor;
}

function timelineTable(events: readonly EvidenceEvent[], checklist: Checklist): MarkdownDoc['sections'][number]['table'] {
  return {
    header: ['#', 'time (UTC)', 'who', 'what'],
    rows: events.map((e) => [String(e.seq), e.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z'), who(e.actor), describe(e, checklist)]),
  };
}

function incidentMetrics(events: readonly EvidenceEvent[], checklist: Checklist): IncidentMetrics {
  const opened = events[0]!.at;
  const done = doneSteps(events);
  const first = checklist.steps[0];
  const resolver = [...checklist.steps].reverse().find((s) => /stabili[sz]|restor|resolv|recover/i.test(`${s.id} ${s.title}`));
  const closed = events.find((e) => e.type === 'run.closed')?.at;
  return {
    mtta_seconds: seconds(opened, first ? done.get(first.id)?.at : undefined),
    mttr_seconds: seconds(opened, (resolver ? done.get(resolver.id)?.at : undefined) ?? closed),
  };
}

function drillResult(events: readonly EvidenceEvent[], opened: RunOpenedData): DrillResult {
  const steps = opened.checklist.steps;
  const done = doneSteps(events);
  const start = steps[0] ? done.get(steps[0].id)?.at : undefined;
  const verify = [...steps].reverse().find((s: ChecklistStep) => /verif|rto/i.test(`${s.id} ${s.title}`));
  const end = verify ? done.get(verify.id)?.at : undefined;
  const target = parseMinutes(opened.params['rto']);
  const measuredSeconds = start && end ? seconds(start, end) : null;
  const measured = measuredSeconds === null ? null : Math.round((measuredSeconds / 60) * 100) / 100;
  return {
    rto_target_minutes: target,
    rpo_target_minutes: parseMinutes(opened.params['rpo']),
    measured_rto_minutes: measured,
    pass: measured === null || target === null ? null : measured <= target,
  };
}

function paramsBullets(params: Record<string, unknown>): string[] {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}: ${mdInline(Array.isArray(params[k]) ? (params[k] as unknown[]).join(', ') : String(params[k]))}`);
}

function summaryMarkdown(events: readonly EvidenceEvent[], opened: RunOpenedData, extra: Pick<EvidenceBundle, 'metrics' | 'drill'>): string {
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const done = doneSteps(events);
  const closed = events.find((e) => e.type === 'run.closed');
  // The summary is what the requester typed: escaped like every other user text in the file.
  const definition = checklistToMarkdown({ ...opened.checklist, summary: mdInline(opened.checklist.summary) });
  const outcome: string[] = [
    `run: ${first.run_id} (${opened.kind})`,
    `requested by: ${first.actor}`,
    `opened: ${first.at}`,
    `closed: ${closed?.at ?? 'still open'}`,
    `steps done: ${done.size} of ${opened.checklist.steps.length} defined`,
    `events: ${events.length}, head hash: ${last.hash}`,
  ];
  if (extra.metrics) outcome.push(`MTTA: ${duration(extra.metrics.mtta_seconds)}`, `MTTR: ${duration(extra.metrics.mttr_seconds)}`);
  if (extra.drill) {
    const d = extra.drill;
    outcome.push(
      `RTO target: ${d.rto_target_minutes ?? 'n/a'} min, measured: ${d.measured_rto_minutes ?? 'n/a'} min -> ${d.pass === null ? 'not measured' : d.pass ? 'PASS' : 'FAIL'}`,
    );
  }
  const steps = opened.checklist.steps.map((s) => {
    const e = done.get(s.id);
    return e ? `- [x] ${mdInline(s.title)} — ${who(e.actor)}, ${e.at}` : `- [ ] ${mdInline(s.title)}`;
  });
  const doc: MarkdownDoc = {
    title: `Evidence: ${mdInline(opened.title)}`,
    intro: definition.intro,
    sections: [
      { heading: 'Outcome', bullets: outcome },
      { heading: 'Parameters', bullets: paramsBullets(opened.params) },
      { heading: 'Timeline', table: timelineTable(events, opened.checklist) },
      { heading: 'Checklist as defined', paragraphs: [steps.join('\n')] },
    ],
  };
  return renderMarkdown(doc);
}

function postmortemMarkdown(events: readonly EvidenceEvent[], opened: RunOpenedData, metrics: IncidentMetrics): string {
  const choices = events
    .filter((e) => e.type === 'choice.made')
    .map((e) => describe(e, opened.checklist).replace(/^chose /, ''));
  const doc: MarkdownDoc = {
    title: `Post-mortem (draft): ${mdInline(opened.title)}`,
    intro: 'Blameless review draft generated from the run log. Focus on systems and processes, not people.',
    sections: [
      {
        heading: 'Summary',
        bullets: [
          `service: ${mdInline(String(opened.params['service'] ?? 'n/a'))}`,
          `severity: ${mdInline(String(opened.params['severity'] ?? 'n/a'))}`,
          `what happened: ${mdInline(String(opened.params['summary'] ?? '_to fill in_'))}`,
          `run: ${events[0]!.run_id}, opened ${events[0]!.at}`,
        ],
      },
      {
        heading: 'Metrics',
        table: {
          header: ['metric', 'value', 'measured as'],
          rows: [
            ['MTTA', duration(metrics.mtta_seconds), 'run opened -> acknowledged'],
            ['MTTR', duration(metrics.mttr_seconds), 'run opened -> service stabilized'],
          ],
        },
      },
      { heading: 'Decisions taken', bullets: choices.length ? choices : ['none recorded'] },
      { heading: 'Timeline', table: timelineTable(events, opened.checklist) },
      { heading: 'Root cause', paragraphs: ['_To fill in during the blameless review._'] },
      { heading: 'What went well / what to improve', bullets: ['_to fill in_'] },
      { heading: 'Action items', checklist: ['_owner, action, due date_'] },
    ],
  };
  return renderMarkdown(doc);
}

function derived(events: readonly EvidenceEvent[]): Omit<EvidenceBundle, 'events'> {
  const opened = openedData(events);
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const extra: Pick<EvidenceBundle, 'metrics' | 'drill'> = {};
  if (opened.kind === 'incident') extra.metrics = incidentMetrics(events, opened.checklist);
  if (opened.kind === 'drill') extra.drill = drillResult(events, opened);
  const bundle: Omit<EvidenceBundle, 'events'> = {
    format: BUNDLE_FORMAT,
    run: {
      id: first.run_id,
      kind: opened.kind,
      title: opened.title,
      requested_by: first.actor,
      channel: opened.channel,
      opened_at: first.at,
      closed_at: events.find((e) => e.type === 'run.closed')?.at ?? null,
    },
    head: { count: events.length, hash: last.hash },
    summary_markdown: summaryMarkdown(events, opened, extra),
    ...extra,
  };
  if (extra.metrics) bundle.postmortem_markdown = postmortemMarkdown(events, opened, extra.metrics);
  return bundle;
}

/** A run's evidence bundle, derived from its (verified) event log alone: same log, same bytes. */
export function buildBundle(events: readonly EvidenceEvent[]): EvidenceBundle {
  const chain = verifyChain(events);
  if (!chain.ok) throw new Error(`cannot bundle a broken chain: event ${chain.index}: ${chain.reason}`);
  const d = derived(events);
  return { ...d, events: [...events] };
}

/**
 * Verifies a parsed bundle: the hash chain, the head, and every derived part
 * (run header, summary, post-mortem, metrics, drill result) recomputed from
 * the events. `ringmaster evidence verify FILE` calls this.
 */
export function verifyBundle(bundle: unknown): BundleVerification {
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) return { ok: false, reason: 'the bundle is not a JSON object' };
  const b = bundle as Partial<EvidenceBundle>;
  if (b.format !== BUNDLE_FORMAT) return { ok: false, reason: `format is ${JSON.stringify(b.format)}, expected ${BUNDLE_FORMAT}` };
  const chain = verifyChain(b.events);
  if (!chain.ok) return chain.index >= 0 ? { ok: false, index: chain.index, reason: chain.reason } : { ok: false, reason: chain.reason };
  if (!b.head || b.head.count !== chain.count || b.head.hash !== chain.head) {
    return { ok: false, reason: 'head does not match the last event (events truncated or appended)' };
  }
  let expected: Omit<EvidenceBundle, 'events'>;
  try {
    expected = derived(b.events as EvidenceEvent[]);
  } catch (err) {
    return { ok: false, index: 0, reason: (err as Error).message };
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(b)].filter((k) => k !== 'events'));
  for (const key of [...keys].sort()) {
    const have = (b as Record<string, unknown>)[key];
    const want = (expected as Record<string, unknown>)[key];
    if (canonicalJson(have ?? null) !== canonicalJson(want ?? null)) return { ok: false, reason: `${key} does not match the events` };
  }
  return { ok: true, count: chain.count, head: chain.head, run: expected.run.id };
}
