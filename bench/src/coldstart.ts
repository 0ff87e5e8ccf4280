import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { figure, now, type Figure, type Skipped } from './stats.js';

export interface ColdStartResult {
  figures: Figure[];
  skipped: Skipped[];
  command: string;
}

function timed(args: string[], cwd: string): { ms: number; status: number | null; stderr: string } {
  const s = now();
  const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: now() - s, status: r.status, stderr: r.stderr };
}

/**
 * CLI cold start: the bundled CLI planning the example profile as a whole process, against
 * `node -e 0`, interleaved in the same run so that both see the same machine state.
 */
export function benchColdStart(root: string, reps: number): ColdStartResult {
  const figures: Figure[] = [];
  const skipped: Skipped[] = [];
  const cli = join(root, 'apps/cli/dist/ringmaster.js');
  const example = 'examples/multi-tenant-canary.json';
  const command = `node apps/cli/dist/ringmaster.js plan ${example}`;
  if (!existsSync(cli)) {
    skipped.push({ benchmark: 'coldstart', reason: `${cli} is missing (build it: cd apps/cli && node build.mjs)` });
    return { figures, skipped, command };
  }
  const commands: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'ringmaster plan (example)': [cli, 'plan', example],
    'ringmaster validate (example)': [cli, 'validate', example],
    'ringmaster --version': [cli, '--version'],
  };
  // One untimed round first so that the page cache holds every file.
  for (const args of Object.values(commands)) {
    const r = timed(args, root);
    if (r.status !== 0) {
      skipped.push({ benchmark: 'coldstart', reason: `node ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n')[0] ?? ''}` });
      return { figures, skipped, command };
    }
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const ratios: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const base = timed(commands['node -e 0']!, root).ms;
    samples['node -e 0']!.push(base);
    for (const [name, args] of Object.entries(commands)) {
      if (name === 'node -e 0') continue;
      const r = timed(args, root);
      samples[name]!.push(r.ms);
      if (name === 'ringmaster plan (example)') ratios.push(r.ms / base);
    }
  }
  for (const [name, list] of Object.entries(samples)) figures.push(figure('coldstart', `${name}: wall time`, 'ms', list));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
  figures.push(
    figure('coldstart', 'plan / node -e 0 (ratio of medians)', 'x', [median(samples['ringmaster plan (example)']!) / median(samples['node -e 0']!)], { stat: 'median', op: '<=', value: 3, text: '<= 3x node -e 0' }),
  );
  figures.push(figure('coldstart', 'plan / node -e 0 (per interleaved pair)', 'x', ratios));
  return { figures, skipped, command };
}
