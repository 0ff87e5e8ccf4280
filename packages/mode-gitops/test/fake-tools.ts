import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stand-ins for the tools a scripted deploy calls that cannot run here (cosign, a cluster, a
 * scheduler), put first on PATH. Each records its arguments, one call a line; `kubectl kustomize`
 * runs the real kustomize, and `kubectl apply ... -f FILE` keeps what it was asked to apply.
 */
export interface FakeTools {
  /** The folder to put first on PATH. */
  bin: string;
  /** Marks an `image@digest` as carrying the release signature (cosign verify of anything else fails). */
  sign(ref: string): void;
  /** The argument lines of every call of `tool` so far. */
  calls(tool: 'cosign' | 'kubectl' | 'nomad'): string[];
  /** Everything `kubectl apply -f` was given. */
  applied(): string;
}

function script(path: string, body: string): void {
  writeFileSync(path, `#!/usr/bin/env bash\n${body}`);
  chmodSync(path, 0o755);
}

export function fakeTools(bin: string): FakeTools {
  const log = (tool: string): string => join(bin, `${tool}.calls`);
  const signed = join(bin, 'signed');
  const applied = join(bin, 'applied.yaml');
  for (const file of [log('cosign'), log('kubectl'), log('nomad'), signed, applied]) writeFileSync(file, '');
  const realKubectl = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  const record = (tool: string): string => `printf '%s\\n' "$*" >> ${JSON.stringify(log(tool))}\n`;
  script(join(bin, 'cosign'), `${record('cosign')}for ref in "$@"; do :; done\ngrep -qxF -- "$ref" ${JSON.stringify(signed)} && exit 0\necho "Error: no matching signatures" >&2\nexit 1\n`);
  script(join(bin, 'nomad'), record('nomad'));
  script(
    join(bin, 'kubectl'),
    `if [[ "$1" == kustomize ]]; then exec ${JSON.stringify(realKubectl)} "$@"; fi
${record('kubectl')}if [[ "$1" == create ]]; then printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: %s\\n' "$3"; exit 0; fi
# The scripted deploy ends every apply with \`-f FILE\` or \`-f -\` (stdin).
if [[ "$1" == apply ]]; then cat -- "\${@: -1}" >> ${JSON.stringify(applied)}; fi
`,
  );
  return {
    bin,
    sign: (ref) => writeFileSync(signed, `${ref}\n`, { flag: 'a' }),
    calls: (tool) => readFileSync(log(tool), 'utf8').split('\n').filter((l) => l !== ''),
    applied: () => readFileSync(applied, 'utf8'),
  };
}
