/** Small statistics and reporting helpers shared by every benchmark. */

/** Nearest-rank percentile (q in 0..100) of an unsorted sample; NaN when empty. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((q / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export interface Spread {
  min: number;
  median: number;
  p99: number;
  /** How many runs (or samples) the spread is over. */
  n: number;
}

export function spread(samples: readonly number[]): Spread {
  return { min: percentile(samples, 0), median: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length };
}

export interface Target {
  /** Which statistic of the spread is compared: the median over runs unless stated. */
  stat: 'min' | 'median' | 'p99';
  op: '<=' | '>=' | '<' | '==';
  value: number;
  text: string;
}

/** One reported figure: a spread over repeated runs, with its target when the issue sets one. */
export interface Figure extends Spread {
  benchmark: string;
  name: string;
  unit: string;
  target?: Target;
  /** true / false against the target; null when there is no target. */
  pass: boolean | null;
  note?: string;
}

export function figure(benchmark: string, name: string, unit: string, samples: readonly number[], target?: Target, note?: string): Figure {
  const s = spread(samples);
  const f: Figure = { benchmark, name, unit, ...round(s), pass: target ? meets(s[target.stat], target) : null };
  if (target) f.target = target;
  if (note) f.note = note;
  return f;
}

export function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
    case '>=':
      return value >= target.value;
    case '==':
      return value === target.value;
  }
}

function round(s: Spread): Spread {
  const r = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);
  return { min: r(s.min), median: r(s.median), p99: r(s.p99), n: s.n };
}

/** High-resolution milliseconds. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** A benchmark that could not run (missing package, missing server...), with why. */
export interface Skipped {
  benchmark: string;
  reason: string;
}

/** A plain-text table for stderr. */
export function table(figures: readonly Figure[]): string {
  const rows = [['benchmark', 'figure', 'min', 'median', 'p99', 'unit', 'target', 'ok']];
  for (const f of figures) {
    rows.push([f.benchmark, f.name, fmt(f.min), fmt(f.median), fmt(f.p99), f.unit, f.target?.text ?? '', f.pass === null ? '' : f.pass ? 'PASS' : 'FAIL']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(3);
}
