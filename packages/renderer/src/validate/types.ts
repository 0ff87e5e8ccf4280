/** One problem found in a rendered file. */
export interface ArtifactIssue {
  /** The artifact's name (`ArtifactSpec.name`). */
  artifact: string;
  /** The file the problem is in (the artifact's path, or a companion's such as `*_test.rego`). */
  path: string;
  message: string;
  /** `error`: the consuming tool would reject or misread the file. `warning`: accepted, but outdated or unchecked. */
  severity: 'error' | 'warning';
  /** Which check found it, e.g. `kubernetes-models`, `workflow-parser`, `shellcheck`. */
  validator: string;
  /** Where inside the file, when known: `line 12`, `document 2 (Ingress/web): /spec/rules/0`. */
  at?: string;
}

/** Runs SQL for real (e.g. a PGlite or `pg` client); used by the SQL validator when given. */
export interface SqlExecutor {
  exec(sql: string): Promise<unknown>;
}

export interface ValidateOptions {
  /**
   * A database holding the fixture schema. When given, SQL artifacts are executed inside
   * a transaction that is rolled back; without it SQL gets structural checks only.
   */
  sql?: SqlExecutor;
}

/** What a format validator returns before the artifact and path are filled in. */
export type Finding = Omit<ArtifactIssue, 'artifact' | 'path'> & { path?: string };

export function finding(validator: string, message: string, at?: string, severity: 'error' | 'warning' = 'error'): Finding {
  return at === undefined ? { validator, message, severity } : { validator, message, severity, at };
}
