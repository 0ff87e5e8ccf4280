import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { FS_ERRORS, RingmasterError, type Checklist } from '@ringmaster/core';
import type { ActionData, EventBody, RunKind } from '@ringmaster/evidence';

/**
 * `--evidence FILE` of promote, rollback and canary-health: the run's hash-chained event log
 * (JSON Lines), the same `action.performed` events the Slack app records. Created with a
 * `run.opened` event when missing; a file whose chain does not verify is refused before anything
 * is done. Appends are atomic: under a lock file, the whole new log goes to a temporary file that
 * is renamed over the old one, so a reader never sees half a line and two writers never fork the chain.
 */

export class EvidenceInputError extends RingmasterError {
  constructor(message: string) {
    super('evidence_input', message);
  }
}

/** Who the events name: `RINGMASTER_ACTOR` (e.g. the pipeline's user), else `cli:<os user>`. */
export const ACTOR_ENV = 'RINGMASTER_ACTOR';

/** Evidence logs and bundles: generous, but bounded. */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;
const LOCK_WAIT_MS = 30_000;

export interface RecordedAction {
  data: ActionData;
  /** The run's step the action belongs to (promote/rollback: the step written as the commit trailer). */
  step?: string;
}

export interface ActionRecorder {
  /** The run the log belongs to; null without --evidence. */
  readonly runId: string | null;
  record(...actions: RecordedAction[]): Promise<void>;
}

export interface RunDescription {
  kind: RunKind;
  title: string;
  params: Record<string, string>;
}

/** Names of environment variables whose values are credentials. */
const SECRET_NAME_RE = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_KEY|PRIVATE_KEY/i;

/**
 * Removes every credential the environment holds (and its base64 forms, as sent in basic
 * authentication headers) and any URL user information from the strings of `data`.
 */
export function scrubCredentials<T>(data: T, env: NodeJS.ProcessEnv = process.env): T {
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME_RE.test(name) && value !== undefined && value.length >= 6)
    .flatMap(([, value]) => {
      const v = value as string;
      return [v, Buffer.from(v).toString('base64'), ...['x-access-token', 'oauth2', env['RINGMASTER_GIT_TOKEN_USER'] ?? ''].filter((u) => u).map((u) => Buffer.from(`${u}:${v}`).toString('base64'))];
    })
    .sort((a, b) => b.length - a.length);
  const scrub = (text: string): string => {
    // User information in a URL (`https://bot:TOKEN@host`); an ssh:// user name (`git@`) is no credential.
    let out = text.replace(/([a-z][\w+.-]*:\/\/)[^/@\s]+@/gi, (match, scheme: string) => (scheme.toLowerCase() === 'ssh://' ? match : scheme));
    for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
    return out;
  };
  return JSON.parse(JSON.stringify(data), (_key, value: unknown) => (typeof value === 'string' ? scrub(value) : value)) as T;
}

function actor(env: NodeJS.ProcessEnv): string {
  const given = env[ACTOR_ENV]?.trim();
  if (given) return given.slice(0, 200);
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** The log's text, or null when the file does not exist yet; anything else that is not a readable file is refused. */
function readLog(file: string): string | null {
  if (!existsSync(file)) return null;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new EvidenceInputError(`--evidence ${file}: expected an evidence log file, found ${stat.isDirectory() ? 'a directory' : 'something that is not a file'}`);
    if (stat.size > MAX_EVIDENCE_BYTES) throw new EvidenceInputError(`--evidence ${file}: expected at most ${MAX_EVIDENCE_BYTES} bytes, found ${stat.size}`);
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof EvidenceInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new EvidenceInputError(`--evidence ${file}: expected a readable evidence log, found ${FS_ERRORS[code] ?? `an unreadable path (${code || 'error'})`}`);
  }
}

type Evidence = typeof import('@ringmaster/evidence');

/** The events of a log that verifies, or a one-line refusal naming the line at fault. */
function verifiedEvents(evidence: Evidence, file: string, text: string): ReturnType<Evidence['parseEventLog']> {
  const result = evidence.verifyEventLog(text);
  if (!result.ok) throw new EvidenceInputError(`--evidence ${file}: expected a hash-chained evidence log that verifies, found one that does not${result.line === undefined ? '' : ` at line ${result.line}`}: ${result.reason}`);
  return evidence.parseEventLog(text);
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `write` holding `FILE.lock` (created exclusively); waits for another writer, never steals its lock. */
function withLock<T>(file: string, write: () => T): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let fd: number;
  for (;;) {
    try {
      fd = openSync(lock, 'wx');
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST') throw new EvidenceInputError(`--evidence ${file}: cannot create the lock file ${lock}: ${FS_ERRORS[code] ?? code}`);
      if (Date.now() > deadline) throw new EvidenceInputError(`--evidence ${file}: another ringmaster holds ${lock}; remove it if none is running`);
      sleep(100);
    }
  }
  try {
    return write();
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

/** The checklist of a run started from the command line: its steps are the actions themselves. */
function cliChecklist(title: string): Checklist {
  return { id: 'cli', title, summary: 'Actions run with the ringmaster command line', kb: ['KB_06#GitOps'], steps: [] };
}

/**
 * Opens `--evidence FILE` before anything is done: refuses a log that does not verify, and a
 * `--run` that is not the log's run. Without a file, records nothing.
 */
export async function evidenceRecorder(file: string | undefined, run: RunDescription, runId: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ActionRecorder> {
  if (file === undefined) return { runId: null, record: () => Promise.resolve() };
  const evidence = await import('@ringmaster/evidence');
  const text = readLog(file);
  const existing = text === null ? [] : verifiedEvents(evidence, file, text);
  const logRun = existing[0]?.run_id;
  if (logRun !== undefined && runId !== undefined && runId !== logRun) throw new EvidenceInputError(`--run: expected ${logRun} (the run of --evidence ${file}), found ${JSON.stringify(runId)}`);
  const id = logRun ?? runId ?? `cli-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
  const who = actor(env);
  return {
    runId: id,
    async record(...actions: RecordedAction[]): Promise<void> {
      withLock(file, () => {
        // Read again under the lock: another writer may have appended since the command started.
        const now = readLog(file);
        const events = now === null ? [] : verifiedEvents(evidence, file, now);
        const last = events.at(-1)?.at;
        // Time never runs backwards in a chain, even when this machine's clock is behind the last writer's.
        const at = new Date(Math.max(Date.now(), last === undefined ? 0 : Date.parse(last))).toISOString();
        const bodies: Omit<EventBody, 'seq' | 'run_id'>[] = [];
        if (events.length === 0) {
          bodies.push({ type: 'run.opened', actor: who, at, data: scrubCredentials({ kind: run.kind, title: run.title, checklist: cliChecklist(run.title), params: run.params, channel: '' }, env) });
        }
        for (const action of actions) bodies.push({ type: 'action.performed', actor: who, at, ...(action.step === undefined ? {} : { step: action.step }), data: { ...scrubCredentials(action.data, env) } });
        const next = [...events, ...evidence.extendLog(events, events[0]?.run_id ?? id, bodies)];
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, evidence.eventLogText(next), { mode: 0o644 });
        renameSync(temporary, file);
      });
    },
  };
}
