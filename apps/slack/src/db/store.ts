import { mkdirSync } from 'node:fs';
import { yieldToIo } from '../queue.js';

/** The little SQL surface the app needs; PGlite and node-postgres both provide it. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Store extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Any PostgreSQL; when absent, embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data directory; `memory://` for a throwaway database. */
  dataDir: string;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string): Promise<Store> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    kind: 'pglite',
    // PGlite executes each query synchronously on this thread (WASM). Yielding to
    // the event loop before each one lets pending requests be acknowledged between
    // queries instead of after a whole backlog of transactions.
    async query<T>(text: string, params: readonly unknown[] = []) {
      await yieldToIo();
      return (await db.query<T>(text, [...params])).rows;
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>) {
      // PGlite has one connection: its transactions run one at a time.
      await yieldToIo();
      return db.transaction(async (tx) =>
        fn({
          async query<R>(text: string, params: readonly unknown[] = []) {
            await yieldToIo();
            return (await tx.query<R>(text, [...params])).rows;
          },
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}

async function openPostgres(url: string): Promise<Store> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {
    // An idle client died (server restart); the pool replaces it on next use.
  });
  return {
    kind: 'postgres',
    async query<T>(text: string, params: readonly unknown[] = []) {
      return (await pool.query(text, [...params])).rows as T[];
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          async query<R>(text: string, params: readonly unknown[] = []) {
            return (await client.query(text, [...params])).rows as R[];
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
