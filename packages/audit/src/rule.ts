import { KB_TRACE_PATTERN, RISK_MATRIX, RingmasterError } from '@ringmaster/core';
import type { Node, Pair } from 'yaml';
import type { CiKind, Pipeline } from './model.js';
import { CATEGORIES, SEVERITIES, type Finding, type Loc, type RuleMeta } from './types.js';

export interface RuleContext {
  pipeline: Pipeline;
  /** Reports a finding at a node (its first character) or at an exact position. */
  report(at: Node | Pair | Loc, message: string): void;
}

export interface AuditRule {
  readonly meta: Readonly<RuleMeta>;
  /** The kinds of CI file the rule reads. */
  readonly appliesTo: readonly CiKind[];
  check(ctx: RuleContext): void;
}

/** A rule definition is malformed; thrown by createRule at import time. */
export class RuleDefinitionError extends RingmasterError {
  constructor(ruleId: string, problem: string) {
    super('audit_rule_definition', `audit rule ${ruleId}: ${problem}`);
  }
}

/** Checks a rule's definition once, when it is created, and freezes it. */
export function createRule(rule: AuditRule): AuditRule {
  const { meta } = rule;
  const fail = (problem: string): never => {
    throw new RuleDefinitionError(meta.id, problem);
  };
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(meta.id)) fail('id must be kebab-case');
  if (!(CATEGORIES as readonly string[]).includes(meta.category)) fail(`unknown category ${meta.category}`);
  if (!(SEVERITIES as readonly string[]).includes(meta.severity)) fail(`unknown severity ${meta.severity}`);
  if (!meta.description.endsWith('.') || meta.description.includes('\n')) fail('description must be one sentence ending with a period');
  if (meta.fix.trim() === '' || meta.fix.includes('\n')) fail('fix must be one line');
  if (meta.kb.length === 0 || meta.kb.some((t) => !KB_TRACE_PATTERN.test(t))) fail('kb must hold KB_NN#Anchor traces');
  if (!RISK_MATRIX.some((r) => r.id === meta.risk)) fail(`unknown risk ${meta.risk}`);
  if (rule.appliesTo.length === 0) fail('appliesTo is empty');
  return Object.freeze({ ...rule, meta: Object.freeze({ ...meta, kb: Object.freeze([...meta.kb]) }), appliesTo: Object.freeze([...rule.appliesTo]) });
}

/** Runs one rule over one pipeline. */
export function runRule(rule: AuditRule, pipeline: Pipeline): Finding[] {
  if (!rule.appliesTo.includes(pipeline.kind)) return [];
  const findings: Finding[] = [];
  const { meta } = rule;
  rule.check({
    pipeline,
    report(at, message) {
      const loc = 'line' in at && 'column' in at ? (at as Loc) : pipeline.file.loc(at as Node | Pair);
      // a node merged in from an included file is located in that file
      findings.push({
        rule: meta.id,
        category: meta.category,
        severity: meta.severity,
        file: loc.file ?? pipeline.file.path,
        line: loc.line,
        column: loc.column,
        message: message.replace(/\s*\n\s*/g, ' '),
        fix: meta.fix,
        kb: [...meta.kb],
        risk: meta.risk,
      });
    },
  });
  return findings;
}
