export { FileRenderer, regoTestPath, renderYaml, resolveUses } from './render.js';
export { renderMarkdown, checklistToMarkdown, mdInline } from './markdown.js';
export { renderShell, shellQuote } from './shell.js';
export { renderReport, pipelineDiagram } from './report.js';
export { explainModes } from './explain.js';
export { writePlan, planFiles, assertSafeRelativePath, UnsafePathError, StaleFilesChangedError, type WriteOptions, BLUEPRINT_FILE, MANIFEST_FILE, REPORT_FILE, type Manifest, type ManifestEntry } from './write.js';
export { validateArtifact, validateFiles, kindOfSpec, kindOfFile, errorsOnly, formatIssue, type FileKind, type ArtifactIssue, type SqlExecutor, type ValidateOptions } from './validate/index.js';
export { shellcheckAvailable } from './validate/shell.js';
export { checkExpandKeepsQueries, executeSql, validateSqlStructure, type MigrationPhase } from './validate/sql.js';
