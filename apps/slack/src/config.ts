import type { SigningKeySource } from './signing.js';
import { hostname } from 'node:os';

/** A configuration problem, reported as one line naming the variable; main exits 2. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface AppConfig {
  signingSecret: string;
  botToken: string;
  /** Socket Mode when set; HTTP mode on `port` otherwise. */
  appToken?: string;
  port: number;
  host: string;
  slackApiUrl?: string;
  databaseUrl?: string;
  dataDir: string;
  rolesFile: string;
  /** An open run with no action for this long gets a reminder in its thread. */
  idleMinutes: number;
  /** How long "Snooze" silences idle reminders. */
  snoozeMinutes: number;
  /** Timer poll interval. */
  pollSeconds: number;
  /** Rings a promotion walks through unless the command names them. */
  defaultRings: string[];
  /** Extra words (tenant names) that never reach a log line. */
  redactTerms: string[];
  logLevel: string;
  /** The evidence signing key (`signingKeySource`); absent: an ephemeral key. */
  signing?: SigningKeySource;
  /** This process's identity among the replicas (RINGMASTER_REPLICA_ID, default the host name): unique per live process. */
  replicaId?: string;
  /** Debug logs keep message bodies (RINGMASTER_LOG_BODIES=1); by default they are replaced by [BODY]. */
  logBodies?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string, pattern?: RegExp, what?: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is not set');
  if (pattern && !pattern.test(value)) throw new ConfigError(name, `is not ${what}`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function replicaId(env: Env): string {
  const raw = env['RINGMASTER_REPLICA_ID']?.trim() || hostname();
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(raw)) throw new ConfigError('RINGMASTER_REPLICA_ID', `must be 1-100 letters, digits, ".", "_", ":" or "-", got "${raw.slice(0, 40)}"`);
  return raw;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw || raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new ConfigError(name, `must be 1 or 0 (true or false), got "${raw}"`);
}

function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name]?.trim();
  return raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : fallback;
}

/** Reads the app's configuration from the environment; throws ConfigError naming the first bad variable. */
export function parseConfig(env: Env): AppConfig {
  const signingSecret = required(env, 'SLACK_SIGNING_SECRET');
  const botToken = required(env, 'SLACK_BOT_TOKEN', /^xox[bp]-/, 'a bot token (xoxb-...)');
  const appToken = env['SLACK_APP_TOKEN']?.trim() || undefined;
  if (appToken && !appToken.startsWith('xapp-')) throw new ConfigError('SLACK_APP_TOKEN', 'is not an app-level token (xapp-...)');
  if (!appToken && !env['PORT']?.trim()) throw new ConfigError('PORT', 'is not set (set PORT for HTTP mode, or SLACK_APP_TOKEN for Socket Mode)');
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const slackApiUrl = env['SLACK_API_URL']?.trim() || undefined;
  if (slackApiUrl && !/^https?:\/\/[^\s]+\/$/.test(slackApiUrl)) throw new ConfigError('SLACK_API_URL', 'must be an http(s) URL ending in "/" (e.g. https://slack.com/api/)');
  const databaseUrl = env['DATABASE_URL']?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  return {
    signingSecret,
    botToken,
    ...(appToken ? { appToken } : {}),
    port,
    host: env['HOST']?.trim() || '0.0.0.0',
    ...(slackApiUrl ? { slackApiUrl } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: env['RINGMASTER_DATA_DIR']?.trim() || '.ringmaster-data/',
    rolesFile: required(env, 'RINGMASTER_ROLES'),
    idleMinutes: integer(env, 'RINGMASTER_IDLE_MINUTES', 30, 1, 10_080),
    snoozeMinutes: integer(env, 'RINGMASTER_SNOOZE_MINUTES', 60, 1, 10_080),
    pollSeconds: integer(env, 'RINGMASTER_POLL_SECONDS', 15, 1, 3600),
    defaultRings: list(env, 'RINGMASTER_RINGS', ['internal', 'canary-5pct', 'ring-1', 'ga']),
    redactTerms: list(env, 'RINGMASTER_REDACT', []),
    logLevel: env['LOG_LEVEL']?.trim() || 'info',
    logBodies: flag(env, 'RINGMASTER_LOG_BODIES'),
    replicaId: replicaId(env),
  };
}
