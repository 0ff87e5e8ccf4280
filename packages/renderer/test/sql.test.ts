import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkExpandKeepsQueries } from '../src/validate/sql.js';
import { validateArtifact } from '../src/validate/index.js';
import { messages, renderer, spec } from './helpers.js';

// Opening PGlite takes seconds: once for the whole file.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(`
    CREATE TABLE users (
      id bigserial PRIMARY KEY,
      email varchar(255) NOT NULL UNIQUE,
      name varchar(255) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO users (email, name) VALUES ('a@example.com', 'Ada'), ('b@example.com', 'Bob');
  `);
});
afterAll(async () => {
  await db?.close();
});

/** What the running (old) application does against the users table. */
const OLD_APP_QUERIES = [
  "SELECT id, email, name, created_at FROM users WHERE email = 'a@example.com'",
  "INSERT INTO users (email, name) VALUES ('c@example.com', 'Cy')",
  "UPDATE users SET name = 'Ada L.' WHERE email = 'a@example.com'",
];

const expand = spec('migration_script.sql', 'db/migration_script.sql', {
  format: 'sql',
  phase: 'expand',
  summary: 'Expand: add new_col beside name; the old application keeps working (dual write by trigger).',
  statements: [
    'ALTER TABLE users ADD COLUMN new_col VARCHAR(255)',
    `CREATE OR REPLACE FUNCTION users_dual_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.new_col := COALESCE(NEW.new_col, NEW.name);
  RETURN NEW;
END;
$$`,
    'CREATE TRIGGER users_dual_write BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_dual_write()',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_new_col_idx ON users (new_col)',
  ],
});

describe('SQL migrations, executed on PostgreSQL (PGlite)', () => {
  it('runs the expand migration, and the old application queries still work after it', async () => {
    const content = renderer.render(expand).content;
    expect(messages(await validateArtifact(expand, content, { sql: db }))).toBe('');
    expect(messages(await checkExpandKeepsQueries(db, content, OLD_APP_QUERIES))).toBe('');
    // And the dual write really happens: apply for real in a transaction and look.
    await db.exec('BEGIN');
    await db.exec(content.replace(/CONCURRENTLY /, ''));
    await db.exec(OLD_APP_QUERIES[1] as string);
    const row = await db.query<{ new_col: string }>("SELECT new_col FROM users WHERE email = 'c@example.com'");
    await db.exec('ROLLBACK');
    expect(row.rows[0]?.new_col).toBe('Cy');
  });

  it('leaves the fixture untouched (every check rolls back)', async () => {
    const cols = await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position");
    expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'email', 'name', 'created_at']);
  });

  it('rejects invalid SQL with PostgreSQL\'s message', async () => {
    const bad = spec('bad.sql', 'db/bad.sql', { format: 'sql', summary: 'typo', statements: ['ALTER TABLE users ADD COLUMN new_col VARCHAR(255'] });
    expect(messages(await validateArtifact(bad, renderer.render(bad), { sql: db }))).toMatch(/unclosed `\(`/);
    const unknown = spec('bad2.sql', 'db/bad2.sql', { format: 'sql', summary: 'typo', statements: ['ALTER TABLE userz ADD COLUMN x int'] });
    expect(messages(await validateArtifact(unknown, renderer.render(unknown), { sql: db }))).toMatch(/PostgreSQL rejected the migration: relation "userz" does not exist/);
    const syntax = spec('bad3.sql', 'db/bad3.sql', { format: 'sql', summary: 'typo', statements: ['ALTER TABLE users ADD COLUMNN x int'] });
    expect(messages(await validateArtifact(syntax, renderer.render(syntax), { sql: db }))).toMatch(/syntax error/);
  });

  it('catches a destructive "expand" step: structurally, and by the old queries breaking', async () => {
    const contract = spec('expand_bad.sql', 'db/expand_bad.sql', { format: 'sql', phase: 'expand', summary: 'drops name', statements: ['ALTER TABLE users DROP COLUMN name'] });
    const content = renderer.render(contract).content;
    expect(messages(await validateArtifact(contract, content))).toMatch(/DROP COLUMN in an expand migration breaks the running \(old\) application/);
    expect(messages(await checkExpandKeepsQueries(db, content, OLD_APP_QUERIES))).toMatch(/the old application's query breaks after the migration: column "name" does not exist/);
  });
});
