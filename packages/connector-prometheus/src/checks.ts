import { parseAllDocuments } from 'yaml';
import { parseCondition, type Condition } from './condition.js';
import { MetricsInputError } from './errors.js';

/** A file of a plan: `PlanResult.files`, or the files of a `plan --out` folder. */
export interface PlanFile {
  path: string;
  content: string;
}

/** One metric of an Argo Rollouts AnalysisTemplate, with its arguments filled in. */
export interface AnalysisCheck {
  /** `<template>/<metric>`. */
  name: string;
  query: string;
  successCondition: string | null;
  failureCondition: string | null;
  /** The plan file it comes from. */
  source: string;
  success: Condition | null;
  failure: Condition | null;
}

/** One SLO alert (an alert with an `slo` label) of a PrometheusRule, its recorded series inlined so that it runs without the recording rules loaded. */
export interface AlertCheck {
  name: string;
  expr: string;
  severity: string | null;
  /** The alert's `action: open_incident` label: the spec's burn-rate rule (Mode 7) that opens an incident. */
  opensIncident: boolean;
  source: string;
}

/** An error ratio recorded for the SLO over one window, and the burn rate it means against the budget the alerts state. */
export interface BurnWindow {
  record: string;
  query: string;
  source: string;
}

export interface HealthChecks {
  analysis: AnalysisCheck[];
  alerts: AlertCheck[];
  burnWindows: BurnWindow[];
  /** The error budget the burn alerts compare with (`factor * budget`), when they state one. */
  errorBudget: number | null;
  /**
   * The spec's Mode 7 rule as the plan states it: the burn-rate factor of the alert labelled
   * `action: open_incident` (10 in the observability mode's plans) and the recorded windows it
   * compares (all must burn above it). Null / empty when the plan has no such alert.
   */
  incidentThreshold?: number | null;
  incidentWindows?: string[];
}

interface RecordRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
  source: string;
}

interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

const ARG_RE = /\{\{\s*args\.([\w-]+)\s*\}\}/g;

function documents(files: readonly PlanFile[]): { path: string; doc: Doc }[] {
  const out: { path: string; doc: Doc }[] = [];
  for (const file of files) {
    if (!/\.ya?ml$/.test(file.path)) continue;
    for (const d of parseAllDocuments(file.content)) {
      const value = d.errors.length === 0 ? (d.toJSON() as unknown) : null;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push({ path: file.path, doc: value as Doc });
    }
  }
  return out;
}

/**
 * What the plan's Rollouts say of each analysis template they use: the arguments they pass
 * (`steps[].analysis.args`, `analysis.args`) and the service whose canary it judges (the Rollout's
 * `workloadRef` Deployment, else the Rollout itself, both named after the service).
 */
function rolloutUses(docs: { doc: Doc }[]): { args: Map<string, Record<string, string>>; services: Map<string, string> } {
  const byTemplate = new Map<string, Record<string, string>>();
  const services = new Map<string, string>();
  const visit = (node: unknown, service: string | undefined): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, service));
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const templates = record['templates'];
    if (Array.isArray(templates)) {
      const args: Record<string, string> = {};
      for (const a of Array.isArray(record['args']) ? record['args'] : []) {
        const arg = a as { name?: unknown; value?: unknown };
        if (typeof arg.name === 'string' && typeof arg.value === 'string') args[arg.name] = arg.value;
      }
      for (const t of templates) {
        const name = (t as { templateName?: unknown }).templateName;
        if (typeof name !== 'string') continue;
        if (!byTemplate.has(name)) byTemplate.set(name, args);
        if (service !== undefined && !services.has(name)) services.set(name, service);
      }
    }
    Object.values(record).forEach((n) => visit(n, service));
  };
  for (const { doc } of docs) {
    if (doc.kind !== 'Rollout') continue;
    const workload = (doc.spec?.['workloadRef'] as { name?: unknown } | undefined)?.name;
    visit(doc.spec, typeof workload === 'string' ? workload : doc.metadata?.name);
  }
  return { args: byTemplate, services };
}

interface SloAlert {
  name: string;
  group: string;
  expr: string;
  labels: Record<string, string>;
  source: string;
}

/** The SLO's alerts of the plan's PrometheusRules (labelled with the SLO they guard), not its other alerts (drift, sync). */
function sloAlerts(docs: { path: string; doc: Doc }[]): SloAlert[] {
  const alerts: SloAlert[] = [];
  for (const { path, doc } of docs) {
    if (doc.kind !== 'PrometheusRule') continue;
    for (const group of (doc.spec?.['groups'] as { name?: string; rules?: { alert?: string; expr?: string; labels?: Record<string, string> }[] }[] | undefined) ?? []) {
      for (const rule of group.rules ?? []) {
        if (rule.alert && typeof rule.expr === 'string' && rule.labels?.['slo'] !== undefined) alerts.push({ name: rule.alert, group: group.name ?? '', expr: rule.expr, labels: rule.labels, source: path });
      }
    }
  }
  return alerts;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The health checks a plan states: every Prometheus metric of its AnalysisTemplates (with the
 * arguments its Rollouts pass, overridable by `args`), and every alert of its PrometheusRules
 * with the recording rules they use inlined. Nothing is restated here: queries and thresholds
 * are the plan's own. When the plan releases several services, `service` (required then) keeps
 * that service's canary analysis and SLO alerts.
 */
export function healthChecksOf(files: readonly PlanFile[], args: Record<string, string> = {}, service?: string): HealthChecks {
  const docs = documents(files);
  const { args: passed, services: judged } = rolloutUses(docs);
  const rawAlerts = sloAlerts(docs);
  // A plan that releases several services has a canary (and an SLO) per service: a check is about one of them.
  const known = [...new Set([...judged.values(), ...rawAlerts.flatMap((a) => a.labels['service_name'] ?? [])])].sort();
  if (known.length > 1 || (service !== undefined && known.length > 0)) {
    if (service === undefined || !known.includes(service)) throw new MetricsInputError(`service: expected one of ${known.join(', ')} (the services the plan's canaries and SLOs are about), found ${service === undefined ? 'none given' : JSON.stringify(service)}`);
  }
  const about = (of: string | undefined): boolean => service === undefined || of === undefined || of === service;
  const analysis: AnalysisCheck[] = [];
  for (const { path, doc } of docs) {
    if (doc.kind !== 'AnalysisTemplate' && doc.kind !== 'ClusterAnalysisTemplate') continue;
    const template = doc.metadata?.name ?? '(unnamed)';
    if (!about(judged.get(template))) continue;
    const values: Record<string, string> = {};
    for (const a of (doc.spec?.['args'] as { name: string; value?: string }[] | undefined) ?? []) if (typeof a.value === 'string') values[a.name] = a.value;
    Object.assign(values, passed.get(template) ?? {}, args);
    for (const metric of (doc.spec?.['metrics'] as { name: string; successCondition?: string; failureCondition?: string; provider?: { prometheus?: { query?: string } } }[] | undefined) ?? []) {
      const raw = metric.provider?.prometheus?.query;
      if (typeof raw !== 'string') continue;
      const name = `${template}/${metric.name}`;
      const query = raw.replace(ARG_RE, (_m, arg: string) => {
        const value = values[arg];
        if (value === undefined) throw new MetricsInputError(`${path}: ${name}: argument ${arg} has no value (the plan's Rollouts pass none; give it with --arg ${arg}=VALUE)`);
        return value;
      });
      const success = metric.successCondition ?? null;
      const failure = metric.failureCondition ?? null;
      analysis.push({ name, query, successCondition: success, failureCondition: failure, source: path, success: success === null ? null : parseCondition(success), failure: failure === null ? null : parseCondition(failure) });
    }
  }

  // A record name may have several rules, one per set of static labels (one per service of the plan).
  const records: RecordRule[] = [];
  for (const { path, doc } of docs) {
    if (doc.kind !== 'PrometheusRule') continue;
    for (const group of (doc.spec?.['groups'] as { rules?: { record?: string; expr?: string; labels?: Record<string, string> }[] }[] | undefined) ?? []) {
      for (const rule of group.rules ?? []) if (rule.record && typeof rule.expr === 'string') records.push({ record: rule.record, expr: rule.expr, labels: rule.labels ?? {}, source: path });
    }
  }
  const selected = rawAlerts.filter((a) => about(a.labels['service_name']));
  const names = new Set(records.map((r) => r.record));
  /** A recorded series as the plan's checks name it: its record, with its labels when several rules record that name. */
  const keyOf = (rule: RecordRule): string => (records.filter((r) => r.record === rule.record).length === 1 ? rule.record : `${rule.record}{${Object.entries(rule.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join(',')}}`);
  /** The rule a read of `record` with `{matchers}` selects: a recorded series carries only its rule's static labels. */
  const ruleFor = (record: string, matchers: string, where: string): RecordRule => {
    const given = matchers.split(',').map((x) => x.trim()).filter((x) => x !== '');
    const pairs = given.map((x) => {
      const eq = /^([\w]+)\s*=\s*"([^"]*)"$/.exec(x);
      if (!eq) throw new MetricsInputError(`${where}: matcher ${x} on recorded series ${record} is not one of its rule's labels`);
      return [eq[1] as string, eq[2] as string] as const;
    });
    const rules = records.filter((r) => r.record === record && pairs.every(([k, v]) => r.labels[k] === v));
    if (rules.length === 0) throw new MetricsInputError(`${where}: matcher ${given.join(',')} on recorded series ${record} is not one of its rule's labels`);
    if (rules.length > 1) throw new MetricsInputError(`${where}: recorded series ${record} is recorded by ${rules.length} rules; select one by its labels`);
    return rules[0] as RecordRule;
  };
  const readPattern = (record: string): RegExp => new RegExp(`(?<![\\w:])${escapeRe(record)}(?![\\w:])(\\{([^}]*)\\})?`, 'g');
  /** The rules an expression reads. */
  const readBy = (expr: string, where: string): RecordRule[] => [...names].flatMap((record) => [...expr.matchAll(readPattern(record))].map((m) => ruleFor(record, m[2] ?? '', where)));
  /** The expression with every recorded series it reads replaced by the rule's own expression. */
  const inline = (expr: string, where: string): string => {
    let out = expr;
    for (const record of names) out = out.replace(readPattern(record), (_m, _sel, matchers: string | undefined) => `(${ruleFor(record, matchers ?? '', where).expr})`);
    return out;
  };
  // Alert names repeat across services; their group (one per service) tells them apart.
  const alertName = (a: SloAlert): string => (selected.filter((o) => o.name === a.name).length === 1 ? a.name : `${a.name} (${a.group})`);
  const alerts = selected.map((a) => ({ name: alertName(a), expr: inline(a.expr, `${a.source}: ${a.name}`), severity: a.labels['severity'] ?? null, opensIncident: a.labels['action'] === 'open_incident', source: a.source }));
  const used = [...new Set(selected.flatMap((a) => readBy(a.expr, `${a.source}: ${a.name}`)))];
  const burnWindows = used.map((rule) => ({ record: keyOf(rule), query: rule.expr, source: rule.source }));
  // `series > (FACTOR * BUDGET)`: the budget every burn alert multiplies.
  const budgets = new Set(selected.flatMap((a) => [...a.expr.matchAll(/\(\s*[\d.]+\s*\*\s*([\d.]+)\s*\)/g)].map((m) => Number(m[1]))));
  const incidents = selected.filter((a) => a.labels['action'] === 'open_incident');
  const factors = new Set(incidents.flatMap((a) => [...a.expr.matchAll(/\(\s*([\d.]+)\s*\*\s*[\d.]+\s*\)/g)].map((m) => Number(m[1]))));
  return {
    analysis,
    alerts,
    burnWindows,
    errorBudget: budgets.size === 1 ? ([...budgets][0] as number) : null,
    incidentThreshold: factors.size === 1 ? ([...factors][0] as number) : null,
    incidentWindows: [...new Set(incidents.flatMap((a) => readBy(a.expr, `${a.source}: ${a.name}`).map(keyOf)))],
  };
}
