/**
 * `pnpm bench`: runs the benchmarks side by side in one process and prints ONE JSON document
 * on stdout (machine, figures as min / median / p99 over repeated runs, targets, pass/fail)
 * and a short table on stderr.
 *
 *   node bench/dist/main.js [--only plan,coldstart,slack,audit,evidence] [--runs N] [--reps N] [--quick]
 *                           [--no-artifacts] [--no-build-cli]
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAudit } from './audit.js';
import { benchColdStart } from './coldstart.js';
import { benchEvidence } from './evidence.js';
import { benchPlan } from './plan.js';
import { benchSlack } from './slack.js';
import { table, type Figure, type Skipped } from './stats.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ALL = ['plan', 'coldstart', 'slack', 'audit', 'evidence'] as const;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const only = new Set((option('only') ?? ALL.join(',')).split(',').map((s) => s.trim()));
const runs = Number(option('runs') ?? (quick ? 3 : 7));
const reps = Number(option('reps') ?? (quick ? 5 : 20));

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

const figures: Figure[] = [];
const skipped: Skipped[] = [];
const details: Record<string, unknown> = {};
const started = new Date();
const loadBefore = loadavg();

if (only.has('plan')) {
  log(`plan throughput (${runs} runs per corpus)...`);
  const r = await benchPlan(root, runs, { artifacts: !process.argv.includes('--no-artifacts') });
  figures.push(...r.figures);
  skipped.push(...r.skipped);
  const grouped = new Map<string, { artifact: string; path: string; validator: string; message: string; profiles: number; example: string }>();
  for (const a of r.failures.artifacts) {
    const key = `${a.path}\0${a.validator}\0${a.message}`;
    const g = grouped.get(key);
    if (g) g.profiles += 1;
    else grouped.set(key, { artifact: a.artifact, path: a.path, validator: a.validator, message: a.message, profiles: 1, example: a.profile });
  }
  details['plan'] = {
    corpus: r.corpus,
    refused_count: r.failures.plans.length,
    refused_profiles: r.failures.plans.slice(0, 20),
    artifact_error_count: r.failures.artifacts.length,
    artifact_errors: [...grouped.values()].sort((a, b) => b.profiles - a.profiles),
  };
}

if (only.has('coldstart')) {
  if (!process.argv.includes('--no-build-cli')) {
    log('building the CLI bundle (apps/cli/build.mjs)...');
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: `${root}apps/cli`, stdio: ['ignore', 'inherit', 'inherit'] });
    if (b.status !== 0) skipped.push({ benchmark: 'coldstart', reason: `apps/cli/build.mjs exited ${b.status}` });
  }
  log(`CLI cold start (${reps} interleaved repetitions)...`);
  const r = benchColdStart(root, reps);
  figures.push(...r.figures);
  skipped.push(...r.skipped);
  details['coldstart'] = { command: r.command, baseline: 'node -e 0', repetitions: reps };
}

if (only.has('slack')) {
  log('Slack app under load...');
  const r = await benchSlack(root, { quick });
  figures.push(...r.figures);
  skipped.push(...r.skipped);
  details['slack'] = r.details;
}

if (only.has('audit')) {
  log('audit throughput...');
  const r = await benchAudit(root, { runs, quick });
  figures.push(...r.figures);
  skipped.push(...r.skipped);
  details['audit'] = r.details;
}

if (only.has('evidence')) {
  log('evidence verification on large runs...');
  const r = benchEvidence({ runs, quick });
  figures.push(...r.figures);
  skipped.push(...r.skipped);
  details['evidence'] = r.details;
}

const cpu = cpus();
const withTarget = figures.filter((f) => f.pass !== null);
const doc = {
  tool: 'ringmaster-bench',
  started: started.toISOString(),
  seconds: Math.round((Date.now() - started.getTime()) / 100) / 10,
  machine: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpu.length, cpu_model: cpu[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), load_average_before: loadBefore.map((x) => Math.round(x * 100) / 100), load_average_after: loadavg().map((x) => Math.round(x * 100) / 100) },
  settings: { runs, reps, quick, only: [...only] },
  summary: { figures: figures.length, with_target: withTarget.length, passed: withTarget.filter((f) => f.pass).length, failed: withTarget.filter((f) => f.pass === false).map((f) => `${f.benchmark}: ${f.name}`), skipped: skipped.length },
  figures,
  skipped,
  details,
};
process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
process.stderr.write(`\n${table(figures)}\n`);
for (const s of skipped) process.stderr.write(`skipped ${s.benchmark}: ${s.reason}\n`);
process.stderr.write(`machine: node ${doc.machine.node}, ${doc.machine.cpus} x ${doc.machine.cpu_model}, load ${doc.machine.load_average_before[0]} -> ${doc.machine.load_average_after[0]}; ${doc.summary.passed}/${doc.summary.with_target} targets met\n`);
