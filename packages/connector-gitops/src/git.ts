import { execFile } from 'node:child_process';
import { GitOpsFailedError, GitOpsInputError } from './errors.js';

/** How git authenticates to the config repository; every value comes from the environment, never from argv or the URL. */
export interface GitCredentials {
  /** HTTPS token, sent as an `Authorization` header through git's environment config. */
  token?: string;
  /** User name of the HTTPS basic credentials (`x-access-token` for GitHub, `oauth2` for GitLab). */
  tokenUser?: string;
  /** SSH private key file, used through `GIT_SSH_COMMAND`. */
  sshKeyFile?: string;
  /** SSH known_hosts file; without it ssh's own known hosts apply (strict checking stays on). */
  sshKnownHostsFile?: string;
}

/** The environment variables the connector reads (documented in the package README). */
export const GIT_ENV = {
  token: 'RINGMASTER_GIT_TOKEN',
  tokenUser: 'RINGMASTER_GIT_TOKEN_USER',
  sshKeyFile: 'RINGMASTER_GIT_SSH_KEY_FILE',
  sshKnownHostsFile: 'RINGMASTER_GIT_SSH_KNOWN_HOSTS',
  authorName: 'RINGMASTER_GIT_AUTHOR_NAME',
  authorEmail: 'RINGMASTER_GIT_AUTHOR_EMAIL',
} as const;

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): GitCredentials {
  const pick = (name: string): string | undefined => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  const credentials: GitCredentials = {};
  const token = pick(GIT_ENV.token);
  const tokenUser = pick(GIT_ENV.tokenUser);
  const sshKeyFile = pick(GIT_ENV.sshKeyFile);
  const sshKnownHostsFile = pick(GIT_ENV.sshKnownHostsFile);
  if (token !== undefined) credentials.token = token;
  if (tokenUser !== undefined) credentials.tokenUser = tokenUser;
  if (sshKeyFile !== undefined) credentials.sshKeyFile = sshKeyFile;
  if (sshKnownHostsFile !== undefined) credentials.sshKnownHostsFile = sshKnownHostsFile;
  return credentials;
}

const shellQuoted = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

/** Runs the real git binary without a shell; credentials travel in its environment and are scrubbed from every message. */
export class Git {
  private readonly env: NodeJS.ProcessEnv;
  private readonly secrets: string[];

  constructor(credentials: GitCredentials, private readonly timeoutMs = 120_000) {
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', LC_ALL: 'C' };
    this.secrets = [];
    if (credentials.token !== undefined) {
      if (/[\r\n]/.test(credentials.token)) throw new GitOpsInputError(GIT_ENV.token, 'expected a token on one line, found a line break');
      const basic = Buffer.from(`${credentials.tokenUser ?? 'x-access-token'}:${credentials.token}`).toString('base64');
      // git >= 2.31 reads config from the environment: the header never appears in argv or the URL.
      Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
      this.secrets.push(credentials.token, basic);
    }
    if (credentials.sshKeyFile !== undefined) {
      const knownHosts = credentials.sshKnownHostsFile === undefined ? '' : ` -o UserKnownHostsFile=${shellQuoted(credentials.sshKnownHostsFile)}`;
      env['GIT_SSH_COMMAND'] = `ssh -i ${shellQuoted(credentials.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes${knownHosts}`;
    }
    this.env = env;
  }

  /** Removes every credential and any URL user information from a text. */
  redact(text: string): string {
    let out = text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1[REDACTED]@');
    for (const secret of this.secrets) if (secret.length > 0) out = out.split(secret).join('[REDACTED]');
    return out;
  }

  /** `git args...` in `cwd`; stdout on success, a scrubbed one-line error otherwise. */
  run(cwd: string, args: readonly string[], what = `git ${args[0] ?? ''}`): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('git', [...args], { cwd, env: this.env, timeout: this.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail = this.redact(`${stderr}`.trim() || error.message).split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' / ');
        reject(new GitCommandError(`${what} failed: ${detail}`, this.redact(`${stderr}`)));
      });
    });
  }
}

/** A failed git command; `stderr` is scrubbed. */
export class GitCommandError extends GitOpsFailedError {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}
