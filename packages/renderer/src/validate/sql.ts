import { finding, type Finding, type SqlExecutor } from './types.js';

const V = 'sql-structure';

/** Statements that break the old application or lose data: they belong in the contract step, never in expand. */
const DESTRUCTIVE: readonly [RegExp, string][] = [
  [/\bDROP\s+TABLE\b/i, 'DROP TABLE'],
  [/\bDROP\s+COLUMN\b/i, 'DROP COLUMN'],
  [/\bALTER\s+TABLE\b[^;]*\bDROP\s+(?!CONSTRAINT|DEFAULT|NOT\s+NULL)\w+/i, 'ALTER TABLE ... DROP'],
  [/\bRENAME\b/i, 'RENAME'],
  [/\bALTER\s+COLUMN\b[^;]*\bTYPE\b/i, 'ALTER COLUMN ... TYPE'],
  [/\bSET\s+NOT\s+NULL\b/i, 'SET NOT NULL'],
  [/\bTRUNCATE\b/i, 'TRUNCATE'],
  [/\bDELETE\s+FROM\b(?![^;]*\bWHERE\b)/i, 'DELETE without WHERE'],
];

/** Removes comments and string/dollar-quoted bodies, checking that quotes and parentheses balance. */
function strip(sql: string): { code: string; findings: Finding[] } {
  const findings: Finding[] = [];
  let code = '';
  let depth = 0;
  let i = 0;
  let line = 1;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === '\n') line++;
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { code, findings: [...findings, finding(V, 'unterminated /* comment', `line ${line}`)] };
      line += sql.slice(i, end).split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) return { code, findings: [...findings, finding(V, `unterminated ${ch === "'" ? 'string' : 'quoted identifier'}`, `line ${line}`)] };
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      line += sql.slice(i, j).split('\n').length - 1;
      code += `${ch}${ch}`;
      i = j + 1;
      continue;
    }
    const dollar = ch === '$' ? /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i)) : null;
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      if (end < 0) return { code, findings: [...findings, finding(V, `unterminated ${dollar[0]} quote`, `line ${line}`)] };
      line += sql.slice(i, end).split('\n').length - 1;
      code += "''";
      i = end + dollar[0].length;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) {
      findings.push(finding(V, 'unbalanced `)`', `line ${line}`));
      depth = 0;
    }
    code += ch;
    i++;
  }
  if (depth > 0) findings.push(finding(V, `${depth} unclosed \`(\``));
  return { code, findings };
}

export type MigrationPhase = 'expand' | 'migrate' | 'contract';

/**
 * Structural checks without a database: quotes, comments and parentheses balance, every
 * statement ends with `;`, and an expand step holds nothing destructive.
 */
export function validateSqlStructure(sql: string, phase?: MigrationPhase): Finding[] {
  const { code, findings } = strip(sql);
  if (findings.length > 0) return findings;
  const statements = code.split(';').map((s) => s.trim());
  if (statements.every((s) => s === '')) findings.push(finding(V, 'no SQL statement'));
  const last = statements[statements.length - 1];
  if (last) findings.push(finding(V, `the last statement does not end with \`;\`: "${last.slice(0, 60)}"`));
  if (phase === 'expand') {
    for (const [pattern, what] of DESTRUCTIVE) {
      if (pattern.test(code)) findings.push(finding(V, `${what} in an expand migration breaks the running (old) application; it belongs in the contract step`));
    }
  }
  return findings;
}

function dbMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Executes a migration for real inside a transaction that is rolled back. `CREATE INDEX
 * CONCURRENTLY` cannot run in a transaction, so it is run without CONCURRENTLY here.
 */
export async function executeSql(db: SqlExecutor, sql: string): Promise<Finding[]> {
  const runnable = sql.replace(/\bCONCURRENTLY\b/gi, '');
  if (/^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION)\b/im.test(strip(sql).code)) {
    return [finding('postgresql', 'the migration manages its own transaction (BEGIN/COMMIT); leave that to the migration tool', undefined, 'warning')];
  }
  await db.exec('BEGIN');
  try {
    await db.exec(runnable);
    return [];
  } catch (error) {
    return [finding('postgresql', `PostgreSQL rejected the migration: ${dbMessage(error)}`)];
  } finally {
    await db.exec('ROLLBACK');
  }
}

/**
 * Runs SQL under a savepoint, so that a failure does not abort the surrounding transaction.
 * With `undo`, its effects are rolled back even on success (a probe: does this query work?).
 */
async function attempt(db: SqlExecutor, sql: string, undo = false): Promise<string | undefined> {
  await db.exec('SAVEPOINT ringmaster_check');
  try {
    await db.exec(sql);
    await db.exec(undo ? 'ROLLBACK TO SAVEPOINT ringmaster_check' : 'RELEASE SAVEPOINT ringmaster_check');
    return undefined;
  } catch (error) {
    await db.exec('ROLLBACK TO SAVEPOINT ringmaster_check');
    return dbMessage(error);
  }
}

/**
 * Shows that an expand migration keeps the old application working: each of its queries runs
 * before the migration, the migration runs, and each query runs again. Rolled back at the end.
 */
export async function checkExpandKeepsQueries(db: SqlExecutor, migration: string, oldQueries: readonly string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  await db.exec('BEGIN');
  try {
    for (const q of oldQueries) {
      const error = await attempt(db, q, true);
      if (error) out.push(finding('postgresql', `old query fails even before the migration (fix the fixture): ${error}`, q));
    }
    if (out.length > 0) return out;
    const failed = await attempt(db, migration.replace(/\bCONCURRENTLY\b/gi, ''));
    if (failed) return [finding('postgresql', `PostgreSQL rejected the migration: ${failed}`)];
    for (const q of oldQueries) {
      const error = await attempt(db, q, true);
      if (error) out.push(finding('postgresql', `the old application's query breaks after the migration: ${error}`, q));
    }
    return out;
  } finally {
    await db.exec('ROLLBACK');
  }
}
