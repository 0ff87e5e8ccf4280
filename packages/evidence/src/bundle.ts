import type { Checklist, ChecklistStep, MarkdownDoc, StepMarker } from '@ringmaster/core';
import { mdInline, renderMarkdown } from '@ringmaster/renderer';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { STEP_DONE_TYPES, verifyChain, type EvidenceEvent } from './chain.js';
import { keyId, signedStatement, signStatement, SIGNATURE_ALGORITHM, verifyStatement, type BundleSignature, type SigningKey } from './signature.js';

/** v2: signed bundles, metrics from step markers. A v1 bundle came from an earlier version and carries no signature. */
export const BUNDLE_FORMAT = 'ringmaster.evidence.v2';

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

/**
 * Measured from step markers only (`ChecklistStep.marks`). A metric is null when its
 * step was not reached, and also listed in `not_measurable` when the checklist
 * marks no step for it: then nothing is guessed.
 */
export interface IncidentMetrics {
  /** Run opened -> the first step marked `acknowledged` done. */
  mtta_seconds: number | null;
  /** Run opened -> the first step marked `mitigated` done (time to mitigate). */
  mttm_seconds: number | null;
  /** Run opened -> the first step marked `resolved` done. */
  mttr_seconds: number | null;
  not_measurable?: IncidentMetricName[];
}

/** The marker each incident metric ends at. */
const INCIDENT_MARKERS = { mtta_seconds: 'acknowledged', mttm_seconds: 'mitigated', mttr_seconds: 'resolved' } as const satisfies Record<string, StepMarker>;
export type IncidentMetricName = keyof typeof INCIDENT_MARKERS;

export interface DrillResult {
  rto_target_minutes: number | null;
  rpo_target_minutes: number | null;
  /** The first step marked `drill_start` done -> the first marked `drill_end` done. */
  measured_rto_minutes: number | null;
  pass: boolean | null;
  /** Present when the checklist marks no `drill_start` or no `drill_end` step. */
  not_measurable?: ['measured_rto_minutes'];
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
  /** The app's signature over the head and every other member (`signBundle`); absent on an unsigned bundle. */
  signature?: BundleSignature;
}

/**
 * `checked`: the signature verified against one of the keys given (its id in `key_id`).
 * Not checked: no keys were given, so only internal consistency was verified; anyone
 * can rebuild a consistent bundle with `buildBundle`.
 */
export type SignatureCheck = { checked: true; key_id: string } | { checked: false; key_id: string | null };

export type BundleVerification =
  | { ok: true; count: number; head: string; run: string; signature: SignatureCheck }
  | { ok: false; index?: number; reason: string };

export interface VerifyOptions {
  /** Public keys the auditor trusts (current and rotated-out); with any, an unsigned or foreign-signed bundle fails. */
  keys?: readonly KeyObject[];
  /** The head hash posted in the run's thread: the bundle's head must be this one. */
  expectHead?: string;
}

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

function duration(s: number): string {
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

/**
 * A run's log read once: every look-up the derived parts need is a map built in
 * one pass, so deriving (and verifying) a bundle is linear in steps + events.
 */
interface RunView {
  events: readonly EvidenceEvent[];
  opened: RunOpenedData;
  /** Steps by id (the first of a duplicated id wins). */
  steps: ReadonlyMap<string, ChecklistStep>;
  /** Choice labels by `step id NUL option id`. */
  optionLabels: ReadonlyMap<string, string>;
  /** When each step was finished, and by whom (the first finishing event wins). */
  done: ReadonlyMap<string, EvidenceEvent>;
  closed: EvidenceEvent | undefined;
  /** Markers some step of the checklist carries. */
  marked: ReadonlySet<StepMarker>;
  /** For each marker, the earliest event finishing a step that carries it. */
  firstMarked: ReadonlyMap<StepMarker, EvidenceEvent>;
}

function runView(events: readonly EvidenceEvent[]): RunView {
  const opened = openedData(events);
  const steps = new Map<string, ChecklistStep>();
  const optionLabels = new Map<string, string>();
  for (const step of opened.checklist.steps) {
    if (steps.has(step.id)) continue;
    steps.set(step.id, step);
    for (const option of step.options ?? []) {
      const key = `${step.id}\u0000${option.id}`;
      if (!optionLabels.has(key)) optionLabels.set(key, option.label);
    }
  }
  const done = new Map<string, EvidenceEvent>();
  let closed: EvidenceEvent | undefined;
  for (const e of events) {
    if (e.step && STEP_DONE_TYPES.has(e.type) && !done.has(e.step)) done.set(e.step, e);
    if (e.type === 'run.closed') closed ??= e;
  }
  const marked = new Set<StepMarker>();
  const firstMarked = new Map<StepMarker, EvidenceEvent>();
  for (const step of steps.values()) {
    const finished = done.get(step.id);
    for (const marker of step.marks ?? []) {
      marked.add(marker);
      const earliest = firstMarked.get(marker);
      if (finished && (!earliest || finished.seq < earliest.seq)) firstMarked.set(marker, finished);
    }
  }
  return { events, opened, steps, optionLabels, done, closed, marked, firstMarked };
}

/** A metric for people: its duration, "not reached", or why it cannot be measured. */
function metricText(view: RunView, value: number | null, marker: StepMarker, show: (v: number) => string = duration): string {
  if (!view.marked.has(marker)) return `not measurable (no step is marked "${marker}")`;
  return value === null ? 'not reached' : show(value);
}

function describe(e: EvidenceEvent, view: RunView): string {
  const step = mdInline((e.step === undefined ? undefined : view.steps.get(e.step)?.title) ?? e.step ?? '');
  switch (e.type) {
    case 'run.opened':
      return 'opened the run';
    case 'step.completed':
      return `completed **${step}**`;
    case 'step.approved':
      return `approved **${step}**`;
    case 'choice.made': {
      const label = view.optionLabels.get(`${e.step ?? ''}\u0000${String(e.data?.['option'])}`);
      return `chose **${mdInline(label ?? String(e.data?.['option']))}** at **${step}**`;
    }
    case 'wait.started':
      return `started the bake timer at **${step}** (until ${String(e.data?.['until'])})`;
    case 'wait.elapsed':
      return `bake time over at **${step}**`;
    case 'reminder.snoozed':
      return `snoozed reminders until ${String(e.data?.['until'])}`;
    case 'action.performed':
      return `${String(e.data?.['action'])}: ${String(e.data?.['outcome'])}${step ? ` at **${step}**` : ''}`;
    case 'run.closed':
      return `closed the run (${String(e.data?.['reason'] ?? 'done')})`;
  }
}

function who(actor: string): string {
  return actor === 'ringmaster' ? 'ringmaster (timer)' : actor;
}

function timelineTable(view: RunView): MarkdownDoc['sections'][number]['table'] {
  return {
    header: ['#', 'time (UTC)', 'who', 'what'],
    rows: view.events.map((e) => [String(e.seq), e.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z'), who(e.actor), describe(e, view)]),
  };
}

function incidentMetrics(view: RunView): IncidentMetrics {
  const opened = view.events[0]!.at;
  const at = (name: IncidentMetricName): string | undefined => view.firstMarked.get(INCIDENT_MARKERS[name])?.at;
  const metrics: IncidentMetrics = {
    mtta_seconds: seconds(opened, at('mtta_seconds')),
    mttm_seconds: seconds(opened, at('mttm_seconds')),
    mttr_seconds: seconds(opened, at('mttr_seconds')),
  };
  const missing = (Object.keys(INCIDENT_MARKERS) as IncidentMetricName[]).filter((name) => !view.marked.has(INCIDENT_MARKERS[name]));
  if (missing.length) metrics.not_measurable = missing;
  return metrics;
}

function drillResult(view: RunView): DrillResult {
  const { opened } = view;
  const start = view.firstMarked.get('drill_start')?.at;
  const end = view.firstMarked.get('drill_end')?.at;
  const target = parseMinutes(opened.params['rto']);
  const measuredSeconds = start && end ? seconds(start, end) : null;
  const measured = measuredSeconds === null ? null : Math.round((measuredSeconds / 60) * 100) / 100;
  const result: DrillResult = {
    rto_target_minutes: target,
    rpo_target_minutes: parseMinutes(opened.params['rpo']),
    measured_rto_minutes: measured,
    pass: measured === null || target === null ? null : measured <= target,
  };
  if (!view.marked.has('drill_start') || !view.marked.has('drill_end')) result.not_measurable = ['measured_rto_minutes'];
  return result;
}

function paramsBullets(params: Record<string, unknown>): string[] {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}: ${mdInline(Array.isArray(params[k]) ? (params[k] as unknown[]).join(', ') : String(params[k]))}`);
}

function summaryMarkdown(view: RunView, extra: Pick<EvidenceBundle, 'metrics' | 'drill'>): string {
  const { events, opened, done, closed } = view;
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const outcome: string[] = [
    `run: ${first.run_id} (${opened.kind})`,
    `requested by: ${first.actor}`,
    `opened: ${first.at}`,
    `closed: ${closed?.at ?? 'still open'}`,
    `steps done: ${done.size} of ${opened.checklist.steps.length} defined`,
    `events: ${events.length}, head hash: ${last.hash}`,
  ];
  if (extra.metrics) {
    const m = extra.metrics;
    outcome.push(
      `MTTA: ${metricText(view, m.mtta_seconds, 'acknowledged')}`,
      `time to mitigate: ${metricText(view, m.mttm_seconds, 'mitigated')}`,
      `MTTR: ${metricText(view, m.mttr_seconds, 'resolved')}`,
    );
  }
  if (extra.drill) {
    const d = extra.drill;
    const measured = metricText(view, d.measured_rto_minutes, view.marked.has('drill_start') ? 'drill_end' : 'drill_start', (v) => `${v} min`);
    outcome.push(
      `RTO target: ${d.rto_target_minutes ?? 'n/a'} min, measured: ${measured} -> ${d.pass === null ? 'not measured' : d.pass ? 'PASS' : 'FAIL'}`,
    );
  }
  const steps = opened.checklist.steps.map((s) => {
    const e = done.get(s.id);
    return e ? `- [x] ${mdInline(s.title)} — ${who(e.actor)}, ${e.at}` : `- [ ] ${mdInline(s.title)}`;
  });
  const doc: MarkdownDoc = {
    title: `Evidence: ${mdInline(opened.title)}`,
    // The summary can be what the requester typed: escaped like every other user text.
    intro: `${mdInline(opened.checklist.summary)} [KBTRACE: ${opened.checklist.kb.join(', ')}]`,
    sections: [
      { heading: 'Outcome', bullets: outcome },
      { heading: 'Parameters', bullets: paramsBullets(opened.params) },
      { heading: 'Timeline', table: timelineTable(view) },
      { heading: 'Checklist as defined', paragraphs: [steps.join('\n')] },
    ],
  };
  return renderMarkdown(doc);
}

function postmortemMarkdown(view: RunView, metrics: IncidentMetrics): string {
  const { events, opened } = view;
  const choices = events
    .filter((e) => e.type === 'choice.made')
    .map((e) => describe(e, view).replace(/^chose /, ''));
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
            ['MTTA', metricText(view, metrics.mtta_seconds, 'acknowledged'), 'run opened -> first step marked acknowledged done'],
            ['time to mitigate', metricText(view, metrics.mttm_seconds, 'mitigated'), 'run opened -> first step marked mitigated done'],
            ['MTTR', metricText(view, metrics.mttr_seconds, 'resolved'), 'run opened -> first step marked resolved done'],
          ],
        },
      },
      { heading: 'Decisions taken', bullets: choices.length ? choices : ['none recorded'] },
      { heading: 'Timeline', table: timelineTable(view) },
      { heading: 'Root cause', paragraphs: ['_To fill in during the blameless review._'] },
      { heading: 'What went well / what to improve', bullets: ['_to fill in_'] },
      { heading: 'Action items', checklist: ['_owner, action, due date_'] },
    ],
  };
  return renderMarkdown(doc);
}

function derived(events: readonly EvidenceEvent[]): Omit<EvidenceBundle, 'events'> {
  const view = runView(events);
  const { opened } = view;
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const extra: Pick<EvidenceBundle, 'metrics' | 'drill'> = {};
  if (opened.kind === 'incident') extra.metrics = incidentMetrics(view);
  if (opened.kind === 'drill') extra.drill = drillResult(view);
  const bundle: Omit<EvidenceBundle, 'events'> = {
    format: BUNDLE_FORMAT,
    run: {
      id: first.run_id,
      kind: opened.kind,
      title: opened.title,
      requested_by: first.actor,
      channel: opened.channel,
      opened_at: first.at,
      closed_at: view.closed?.at ?? null,
    },
    head: { count: events.length, hash: last.hash },
    summary_markdown: summaryMarkdown(view, extra),
    ...extra,
  };
  if (extra.metrics) bundle.postmortem_markdown = postmortemMarkdown(view, extra.metrics);
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
 * Signs a bundle with the app's key: the signature covers the run id, the chain
 * head and a digest of every other member, so neither the events nor anything
 * derived from them can change without the key. Re-signing replaces a signature.
 */
export function signBundle(bundle: EvidenceBundle, key: SigningKey): EvidenceBundle {
  const unsigned = withoutSignature(bundle);
  return { ...unsigned, signature: signStatement(signedStatement(unsigned, key.keyId), key) };
}

function withoutSignature(bundle: EvidenceBundle): Omit<EvidenceBundle, 'signature'> {
  const copy = { ...bundle };
  delete copy.signature;
  return copy;
}

function isSignature(value: unknown): value is BundleSignature {
  const s = value as Partial<BundleSignature> | null;
  return typeof s === 'object' && s !== null && s.algorithm === SIGNATURE_ALGORITHM && typeof s.key_id === 'string' && typeof s.value === 'string';
}

function checkSignature(b: EvidenceBundle, keys: readonly KeyObject[]): { ok: true; key_id: string } | { ok: false; reason: string } {
  const signature = b.signature;
  if (signature === undefined) return { ok: false, reason: 'the bundle is not signed, so anyone could have built it (an app that signs bundles exports a signature member)' };
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const key = byId.get(signature.key_id);
  if (!key) return { ok: false, reason: `signed by key ${signature.key_id}, which is not among the keys given (${[...byId.keys()].join(', ')})` };
  if (!verifyStatement(signedStatement(withoutSignature(b), signature.key_id), signature.value, key)) {
    return { ok: false, reason: `the signature by key ${signature.key_id} does not match the bundle (altered after signing)` };
  }
  return { ok: true, key_id: signature.key_id };
}

/**
 * Verifies a parsed bundle: the hash chain, the head, and every derived part
 * (run header, summary, post-mortem, metrics, drill result) recomputed from
 * the events; with `keys`, the app's signature; with `expectHead`, the head
 * posted in Slack. `ringmaster evidence verify FILE` calls this.
 */
export function verifyBundle(bundle: unknown, options: VerifyOptions = {}): BundleVerification {
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) return { ok: false, reason: 'the bundle is not a JSON object' };
  const b = bundle as Partial<EvidenceBundle>;
  if ((b.format as string | undefined) === 'ringmaster.evidence.v1') return { ok: false, reason: `format ${b.format} is an unsigned bundle from an earlier version; export the run again for a signed ${BUNDLE_FORMAT} bundle` };
  if (b.format !== BUNDLE_FORMAT) return { ok: false, reason: `format is ${JSON.stringify(b.format)}, expected ${BUNDLE_FORMAT}` };
  if (b.signature !== undefined && !isSignature(b.signature)) return { ok: false, reason: `signature is malformed: expected { algorithm: "${SIGNATURE_ALGORITHM}", key_id, value }` };
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
  const members = new Set([...Object.keys(expected), ...Object.keys(b)].filter((k) => k !== 'events' && k !== 'signature'));
  for (const member of [...members].sort()) {
    const have = (b as Record<string, unknown>)[member];
    const want = (expected as Record<string, unknown>)[member];
    if (canonicalJson(have ?? null) !== canonicalJson(want ?? null)) return { ok: false, reason: `${member} does not match the events` };
  }
  if (options.expectHead !== undefined && options.expectHead !== chain.head) {
    return { ok: false, reason: `head is ${chain.head}, expected ${options.expectHead} (the head posted in the run's thread)` };
  }
  const result = { count: chain.count, head: chain.head, run: expected.run.id };
  if (!options.keys?.length) return { ok: true, ...result, signature: { checked: false, key_id: b.signature?.key_id ?? null } };
  const signed = checkSignature(b as EvidenceBundle, options.keys);
  return signed.ok ? { ok: true, ...result, signature: { checked: true, key_id: signed.key_id } } : signed;
}
