import { createEngine } from '@ringmaster/modes';
import { describe, expect, it } from 'vitest';
import { ciJobs, type CiJob } from './ci-jobs.js';
import { matrix } from './matrix.js';
import { commandsOf } from './shell-commands.js';

/**
 * Every tool a job runs is there: for each job of every GitHub workflow, GitLab pipeline and
 * Azure DevOps pipeline over the whole matrix, each command its scripts run (and the generated
 * scripts they call) is a shell builtin or base utility, on the hosted runner, installed by an
 * earlier step or line of the job, or in the job's image.
 */

/** Shell builtins and the POSIX utilities every image with a shell has (coreutils, or busybox on Alpine). */
const BASE = new Set(
  (
    'echo printf cd export set unset read test [ [[ true false exit return break continue trap source . eval shift local declare readonly wait type getopts let : ' +
    'cat cp mv rm mkdir ls sed awk grep head tail tr cut sort uniq wc date sleep mktemp base64 dirname basename tee touch chmod find xargs sha256sum seq expr id tar gzip sh'
  ).split(' '),
);

/**
 * Tools on the hosted Ubuntu 24.04 image GitHub and Azure DevOps both run (actions/runner-images,
 * Ubuntu2404-Readme.md): the ones generated jobs use. opa, cosign, trivy, syft, semgrep are not on it.
 */
const HOSTED_RUNNER = new Set(['bash', 'git', 'jq', 'yq', 'curl', 'wget', 'docker', 'python3', 'pip', 'node', 'npm', 'make', 'kubectl', 'kustomize', 'helm', 'az', 'aws', 'gcloud', 'shellcheck', 'ssh', 'unzip', 'zip', 'envsubst', 'openssl', 'apt-get', 'gpg', 'sudo']);

/**
 * Images generated GitLab jobs run, and what each has besides its shell (null: no shell, so no
 * `script:` can run in it). Keyed by the image reference as the pipeline writes it.
 */
const ALPINE = 'alpine:3.20@sha256:d9e853e87e55526f6b2917df91a2115c36dd7c696a35be12163d44e6e2a4b6bc';
const PACT_VERIFIER_IMAGE = 'pactfoundation/pact-ref-verifier@sha256:514b680cd0ad2fa95c6df7a541e3b03c8dd1176de26e84e58a349de96e305bce';
const IMAGES: Readonly<Record<string, { shell: boolean; tools: readonly string[] }>> = {
  // Built FROM scratch (pact-reference rust/pact_verifier_cli/Dockerfile): the binary and nothing else.
  [PACT_VERIFIER_IMAGE]: { shell: false, tools: [] },
  // Distroless: the atlas binary only; the `-alpine` tags add a shell.
  'arigaio/atlas@sha256:07f3f92fa46e684ed789d5ef344a25494a4fa6844ef1ea1fa4e138522c2c37ac': { shell: false, tools: [] },
  [ALPINE]: { shell: true, tools: ['apk', 'wget'] },
  // The Docker CLI with the buildx and compose plugins, on Alpine.
  'docker:27-cli@sha256:851f91d241214e7c6db86513b270d58776379aacc5eb9c4a87e5b47115e3065c': { shell: true, tools: ['apk', 'docker', 'wget'] },
  'node:22': { shell: true, tools: ['bash', 'git', 'make', 'node', 'npm', 'curl', 'python3'] },
  'semgrep/semgrep:1.95.0': { shell: true, tools: ['semgrep', 'bash', 'git'] },
  'aquasec/trivy:0.57.1@sha256:5c59e08f980b5d4d503329773480fcea2c9bdad7e381d846fbf9f2ecb8050f6b': { shell: true, tools: ['trivy', 'apk'] },
};

/** Installers a job line can run and how a package maps to the command it provides. */
const PACKAGE_COMMANDS: Readonly<Record<string, string>> = { 'aws-cli': 'aws', 'docker-cli': 'docker', 'openssh-client': 'ssh', 'py3-pip': 'pip', 'github-cli': 'gh' };

/** Tools a script installs: `apk add`, `apt-get install`, `pip install`, `npm install -g`, `go install` packages. */
function installedBy(script: string): string[] {
  const out: string[] = [];
  // go install example.com/x/cmd/tool/v2@v1.2.3 -> tool
  // `az aks install-cli` puts kubectl and kubelogin on the PATH.
  if (/\baz\s+aks\s+install-cli\b/.test(script)) out.push('kubectl', 'kubelogin');
  for (const m of script.matchAll(/\bgo\s+install\s+(\S+)@\S+/g)) out.push((m[1] as string).split('/').filter((part) => !/^v\d+$/.test(part)).pop() as string);
  for (const m of script.matchAll(/\b(?:apk\s+add|apt-get\s+install|(?:python3\s+-m\s+)?pip3?\s+install|npm\s+install\s+(?:-g|--global))\s+([^\n;&|]*)/g)) {
    for (const word of (m[1] as string).split(/\s+/)) {
      if (word === '' || word.startsWith('-')) continue;
      const name = word.split(/[=@<>]/)[0] as string;
      out.push(PACKAGE_COMMANDS[name] ?? name);
    }
  }
  return out;
}

/** Generated scripts a step runs: the plan's `scripts/...` files it names. */
function scriptsNamed(text: string, files: ReadonlyMap<string, string>): string[] {
  return [...text.matchAll(/(?:\.\/)?(scripts\/[\w./-]+\.(?:sh|py))/g)].map((m) => m[1] as string).filter((p) => files.has(p));
}

/** "job: command" for every command the job runs that is not there. */
function missingTools(job: CiJob, files: ReadonlyMap<string, string>): string[] {
  const image = job.image === null ? null : IMAGES[job.image];
  if (job.image !== null && image === undefined) return [`runs in ${job.image}, an image the table of this test does not know (add what it contains)`];
  if (image?.shell === false) return [`runs a script in ${job.image}, which has no shell`];
  const available = new Set([...BASE, ...(image ? image.tools : HOSTED_RUNNER)]);
  const missing: string[] = [];
  const check = (script: string, where: string, seen: Set<string>): void => {
    for (const tool of installedBy(script)) available.add(tool);
    for (const command of commandsOf(script)) {
      const called = command.replace(/^\.\//, '');
      if (files.has(called)) continue;
      if (!available.has(command)) missing.push(`${where}: ${command}`);
    }
    for (const path of scriptsNamed(script, files)) {
      if (seen.has(path)) continue;
      seen.add(path);
      const content = files.get(path) as string;
      const interpreter = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\S*\/)?(\S+)/.exec(content)?.[1];
      if (interpreter !== undefined && !available.has(interpreter)) missing.push(`${path} (run by ${where}): ${interpreter}`);
      check(content, `${path} (run by ${where})`, seen);
    }
  };
  job.steps.forEach((step, index) => {
    for (const tool of step.provides) available.add(tool);
    const where = `step ${index + 1}`;
    if (step.script !== undefined) check(step.script, where, new Set());
    if (step.scriptFile !== undefined) check(step.scriptFile, where, new Set());
  });
  return [...new Set(missing)];
}

describe('the reader of a job\'s commands', () => {
  it('finds the first word of every command, in pipes, lists, substitutions, conditions and case arms', () => {
    const script = [
      'set -euo pipefail',
      'A=1 jq -r . meta.json | tr -d x && cosign verify "$(syft scan img)" || echo "failed: $(date)" >&2; exit 1',
      'SEEN["${name}"]=1',
      'if ! kustomize build . > out.yaml; then opa eval -d p.rego "x"; fi',
      'awk \'',
      '  /x/ { print }',
      '\' file',
      'case "$1" in',
      '  a|b) trivy image x ;;',
      'esac',
      'for attempt in $(seq 1 3); do timeout 5 curl -fsS url && break; done',
      'helper() { git status; }',
      'helper',
      'cat <<EOF',
      'notacommand here',
      'EOF',
    ].join('\n');
    expect(commandsOf(script).sort()).toEqual(['awk', 'break', 'cat', 'cosign', 'curl', 'date', 'echo', 'exit', 'git', 'jq', 'kustomize', 'opa', 'seq', 'set', 'syft', 'tr', 'trivy'].sort());
  });
});

describe('the check of a job\'s tools', () => {
  const gitlab = (job: Record<string, unknown>): string => JSON.stringify({ stages: ['test'], check: { stage: 'test', ...job } });
  const problems = (content: string, extra: Record<string, string> = {}): string[] => {
    const files = new Map(Object.entries({ '.gitlab-ci.yml': content, ...extra }));
    return ciJobs([...files].map(([path, c]) => ({ path, content: c }))).flatMap((j) => missingTools(j, files));
  };

  it('rejects a tool the image lacks, accepts it once an earlier line installs it', () => {
    expect(problems(gitlab({ image: ALPINE, script: ['jq -r . x.json'] }))).toEqual(['step 1: jq']);
    expect(problems(gitlab({ image: ALPINE, script: ['apk add --no-cache jq', 'jq -r . x.json'] }))).toEqual([]);
  });

  it('follows generated scripts a job runs, and needs their interpreter', () => {
    const script = '#!/usr/bin/env bash\ncosign verify x\n';
    expect(problems(gitlab({ image: ALPINE, script: ['scripts/promote.sh'] }), { 'scripts/promote.sh': script })).toEqual(['scripts/promote.sh (run by step 1): bash', 'scripts/promote.sh (run by step 1): cosign']);
    expect(problems(gitlab({ image: ALPINE, before_script: ['apk add --no-cache bash cosign'], script: ['scripts/promote.sh'] }), { 'scripts/promote.sh': script })).toEqual([]);
  });

  it('rejects an image it does not know and one without a shell', () => {
    expect(problems(gitlab({ image: 'example/unknown:1', script: ['true'] }))[0]).toMatch(/an image the table of this test does not know/);
    expect(problems(gitlab({ image: { name: PACT_VERIFIER_IMAGE, entrypoint: [''] }, script: ['pact_verifier_cli --help'] }))[0]).toMatch(/no shell/);
  });
});

describe('every tool a job runs is available in the job', () => {
  it('over every cloud x CI vendor x orchestrator x GitOps tool', () => {
    const engine = createEngine();
    const problems = new Map<string, string[]>();
    let jobs = 0;
    for (const c of matrix()) {
      const { files } = engine.plan(c.input);
      const byPath = new Map(files.map((f) => [f.path, f.content]));
      for (const job of ciJobs(files)) {
        jobs++;
        for (const m of missingTools(job, byPath)) {
          const key = `${job.file} ${job.id} ${m}`;
          problems.set(key, [...(problems.get(key) ?? []), c.id]);
        }
      }
    }
    expect(jobs).toBeGreaterThan(500);
    const report = [...problems.entries()].map(([k, ids]) => `${k}  (${ids.length} cases, e.g. ${ids[0]})`).sort();
    expect(report, 'commands a job runs that neither its runner, its image nor an earlier step provides').toEqual([]);
  }, 600_000);
});

/**
 * Files of the repository a job's scripts read: compose files, Rego policies, generated scripts,
 * WireMock stubs. Each must be a file (or, for a folder, hold a file) of the plan.
 */
const FILE_REFERENCES = [/docker compose (?:--file|-f) (\S+)/g, /-d (policy\/\S+\.rego)/g, /(?:^|[\s"'])(?:\.\/)?(scripts\/[\w./-]+\.sh)/g, /docker cp (test\/[\w/-]+)\/?\.? /g];

describe('every repository file a job reads is in the plan', () => {
  it('over every cloud x CI vendor x orchestrator x GitOps tool', () => {
    const engine = createEngine();
    const problems = new Set<string>();
    for (const c of matrix()) {
      const { files } = engine.plan(c.input);
      const paths = files.map((f) => f.path);
      for (const job of ciJobs(files)) {
        const text = job.steps.map((s) => `${s.script ?? ''}\n${s.scriptFile ?? ''}`).join('\n');
        for (const pattern of FILE_REFERENCES) {
          for (const m of text.matchAll(pattern)) {
            const path = (m[1] as string).replace(/\/$/, '');
            if (!paths.some((p) => p === path || p.startsWith(`${path}/`))) problems.add(`${job.file} ${job.id} reads ${path}, which no plan file is (e.g. ${c.id})`);
          }
        }
      }
    }
    expect([...problems]).toEqual([]);
  }, 300_000);
});

/** Commands that read or write the image in the registry. */
const REGISTRY_ACCESS = /\bdocker (?:buildx build[^\n]*--push|push)\b|\bcosign (?:sign|attest|verify)\b|\btrivy image\b|\bsyft scan\b|\bimagetools inspect\b/;
/** Script lines that log in to a registry. */
const LOGIN = /\b(?:docker|cosign) login\b|\baz acr login\b/;

/** "job: what it does" for each step (or generated script it runs) that uses the registry before any login of the job. */
function accessWithoutLogin(job: CiJob, files: ReadonlyMap<string, string>): string[] {
  // GitLab's trivy job authenticates through its TRIVY_USERNAME / TRIVY_PASSWORD variables.
  let loggedIn = job.vendor === 'gitlab' && typeof (job.raw['variables'] as Record<string, unknown> | undefined)?.['TRIVY_USERNAME'] === 'string';
  const out: string[] = [];
  job.steps.forEach((step, index) => {
    if (step.logsIn === true) loggedIn = true;
    const text = [step.script ?? '', step.scriptFile ?? ''].join('\n');
    const texts = [text, ...scriptsNamed(text, files).map((p) => files.get(p) as string)];
    for (const t of texts) {
      for (const line of t.split('\n')) {
        if (LOGIN.test(line)) loggedIn = true;
        const access = REGISTRY_ACCESS.exec(line);
        if (access && !loggedIn) out.push(`step ${index + 1}: ${access[0]}`);
      }
    }
  });
  return [...new Set(out)];
}

describe('every job that uses the registry logs in to it first', () => {
  it('over every cloud x CI vendor x orchestrator x GitOps tool', () => {
    const engine = createEngine();
    const problems = new Map<string, string>();
    for (const c of matrix()) {
      const { files } = engine.plan(c.input);
      const byPath = new Map(files.map((f) => [f.path, f.content]));
      for (const job of ciJobs(files)) for (const m of accessWithoutLogin(job, byPath)) problems.set(`${job.file} ${job.id} ${m}`, c.id);
    }
    expect([...problems].map(([k, id]) => `${k} (e.g. ${id})`)).toEqual([]);
  }, 300_000);
});
