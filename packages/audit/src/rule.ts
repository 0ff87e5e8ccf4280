import { KB_TRACE_PATTERN, RISK_MATRIX, RingmasterError } from '@ringmaster/core';
import type { Node, Pair } from 'yaml';
import type { CiKind, Pipeline } from './model.js';
import { BUILTIN, type CompiledKnowledge } from './knowledge.js';
import { CATEGORIES, CONFIDENCES, SEVERITIES, type Confidence, type Finding, type Loc, type RuleMeta, type Severity } from './types.js';

/** What a finding may say about itself when it differs from its rule's defaults. */
export interface FindingTraits {
  confidence?: Confidence;
  severity?: Severity;
}

export interface RuleContext {
  pipeline: Pipeline;
  /** The action, command and context tables, built-in plus the user's. */
  knowledge: CompiledKnowledge;
  /** --strict: pedantic checks that are noise by default run too. */
  strict: boolean;
  /** The other pipelines of the repository by path, for rules that follow a local reusable workflow. */
  others: ReadonlyMap<string, Pipeline>;
  /** Reports a finding at a node (its first character) or at an exact position. */
  report(at: Node | Pair | Loc, message: string, traits?: FindingTraits): void;
}

export interface RunOptions {
  knowledge?: CompiledKnowledge;
  strict?: boolean;
  others?: ReadonlyMap<string, Pipeline>;
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
  if (meta.gitlabFix !== undefined && (meta.gitlabFix.trim() === '' || meta.gitlabFix.includes('\n'))) fail('gitlabFix must be one line');
  if (meta.confidence !== undefined && !(CONFIDENCES as readonly string[]).includes(meta.confidence)) fail(`unknown confidence ${meta.confidence}`);
  if (meta.kb.length === 0 || meta.kb.some((t) => !KB_TRACE_PATTERN.test(t))) fail('kb must hold KB_NN#Anchor traces');
  if (!RISK_MATRIX.some((r) => r.id === meta.risk)) fail(`unknown risk ${meta.risk}`);
  if (rule.appliesTo.length === 0) fail('appliesTo is empty');
  return Object.freeze({ ...rule, meta: Object.freeze({ ...meta, kb: Object.freeze([...meta.kb]) }), appliesTo: Object.freeze([...rule.appliesTo]) });
}

/** Runs one rule over one pipeline. */
export function runRule(rule: AuditRule, pipeline: Pipeline, options: RunOptions = {}): Finding[] {
  if (!rule.appliesTo.includes(pipeline.kind)) return [];
  const findings: Finding[] = [];
  const { meta } = rule;
  const fix = pipeline.kind === 'gitlab-ci' && meta.gitlabFix ? meta.gitlabFix : meta.fix;
  rule.check({
    pipeline,
    knowledge: options.knowledge ?? BUILTIN,
    strict: options.strict ?? false,
    others: options.others ?? new Map(),
    report(at, message, traits = {}) {
      const loc = 'line' in at && 'column' in at ? (at as Loc) : pipeline.file.loc(at as Node | Pair);
      // a node merged in from an included file is located in that file
      findings.push({
        rule: meta.id,
        category: meta.category,
        severity: traits.severity ?? meta.severity,
        confidence: traits.confidence ?? meta.confidence ?? 'high',
        file: loc.file ?? pipeline.file.path,
        line: loc.line,
        column: loc.column,
        message: message.replace(/\s*\n\s*/g, ' '),
        fix,
        kb: [...meta.kb],
        risk: meta.risk,
      });
    },
  });
  return findings;
}
