import type { KbTrace, RiskId } from '@ringmaster/core';

export const CATEGORIES = [
  'static-credentials',
  'excessive-permissions',
  'unpinned-dependencies',
  'dangerous-triggers',
  'script-injection',
  'runner-risk',
  'cache-poisoning',
  'clickops-push-deploy',
  'unverified-artifacts',
  'secrets-sprawl',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Highest first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailOn = Severity | 'none';

/** How sure a rule is that a finding is real: low ones are hints that do not fail a run by default. */
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** 1-based line and column of a node in its file. */
export interface Loc {
  line: number;
  column: number;
  /** The file, when it is not the pipeline's own (a node from a GitLab included file). */
  file?: string;
}

export interface RuleMeta {
  /** kebab-case; also the doc's file name: docs/rules/<id>.md. */
  id: string;
  category: Category;
  severity: Severity;
  /** One sentence; the first paragraph of the rule's doc says exactly this. */
  description: string;
  fix: string;
  /** The fix in GitLab CI's terms, for rules that also read GitLab pipelines and whose fix names GitHub things. */
  gitlabFix?: string;
  /** The confidence of the rule's findings unless a finding says otherwise; high when absent. */
  confidence?: Confidence;
  kb: readonly KbTrace[];
  risk: RiskId;
}

export interface Finding {
  rule: string;
  category: Category;
  severity: Severity;
  confidence: Confidence;
  /** Relative to the audited folder, with `/` separators. */
  file: string;
  line: number;
  column: number;
  message: string;
  fix: string;
  kb: string[];
  risk: RiskId;
}

/** A suppressed finding and why. */
export interface Suppressed {
  finding: Finding;
  by: 'inline' | 'config';
  reason: string;
  owner?: string;
  expires?: string;
}

export interface ParseError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type SlsaLevel = 0 | 1 | 2 | 3;

export interface SlsaResult {
  /** The release workflow's file. */
  workflow: string;
  level: SlsaLevel;
  /** The one requirement of the next level this workflow misses; null at L3. */
  blocking_requirement: string | null;
}

export interface AuditReport {
  root: string;
  files: string[];
  findings: Finding[];
  slsa: SlsaResult[];
  suppressed: Suppressed[];
  parse_errors: ParseError[];
  /** Expired exceptions, suppressions without a reason, and the like. */
  notes: string[];
}
