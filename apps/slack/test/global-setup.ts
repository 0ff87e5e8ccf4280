import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const PGBIN = '/usr/lib/postgresql/15/bin';

/** A port nobody listens on now (several checkouts may run these tests at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresSkip: string;
  }
}

/**
 * Starts a throwaway PostgreSQL 15 (Debian's package) on a free loopback port for the
 * persistence tests. Without the package: fail when CI is set, else skip the
 * PostgreSQL variant and say so.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (!existsSync(`${PGBIN}/initdb`)) {
    const message = `PostgreSQL not found at ${PGBIN}: install Debian's postgresql package (apt-get install -y postgresql) to run the PostgreSQL variant`;
    if (process.env['CI']) throw new Error(message);
    process.stderr.write(`\n[ringmaster-slack] SKIPPING the PostgreSQL persistence tests: ${message}\n\n`);
    project.provide('postgresUrl', '');
    project.provide('postgresSkip', message);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rm-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const asPostgres = process.getuid?.() === 0;
  const run = (cmd: string): void => {
    if (asPostgres) execFileSync('su', ['postgres', '-c', cmd], { stdio: 'pipe' });
    else execFileSync('sh', ['-c', cmd], { stdio: 'pipe' });
  };
  if (asPostgres) execFileSync('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', data, sock]);
  else execFileSync('install', ['-d', '-m', '700', data, sock]);
  if (asPostgres) execFileSync('chmod', ['755', dir]);
  const PORT = await freePort();
  run(`${PGBIN}/initdb -D ${data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null`);
  run(`${PGBIN}/pg_ctl -D ${data} -l ${sock}/pg.log -w -o '-p ${PORT} -c listen_addresses=127.0.0.1 -k ${sock} -c fsync=off' start >/dev/null`);
  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${PORT}/postgres`);
  project.provide('postgresSkip', '');
  return () => {
    try {
      run(`${PGBIN}/pg_ctl -D ${data} -m fast -w stop >/dev/null`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
