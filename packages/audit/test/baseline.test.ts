import { describe, expect, it } from 'vitest';
import { auditBaseline, CATEGORIES, type AuditReport, type Finding } from '../src/index.js';

const finding = (over: Partial<Finding>): Finding => ({ rule: 'r', category: 'script-injection', severity: 'low', confidence: 'high', file: 'a.yml', line: 1, column: 1, message: 'm', fix: 'f', kb: [], risk: 'runner-compromise', ...over });

describe('auditBaseline', () => {
  it('orders what to change first by severity and lists the categories already right', () => {
    const report: AuditReport = {
      root: '/r',
      files: ['a.yml', 'b.yml'],
      findings: [finding({ severity: 'low', line: 9 }), finding({ category: 'static-credentials', severity: 'critical', file: 'b.yml' }), finding({ severity: 'high', line: 2 })],
      slsa: [{ workflow: 'b.yml', level: 1, blocking_requirement: 'signed provenance' }],
      suppressed: [],
      parse_errors: [],
      notes: [],
    };
    const baseline = auditBaseline(report, 'repo');
    expect(baseline.change_first.map((f) => f.severity)).toEqual(['critical', 'high', 'low']);
    expect(baseline.findings_by_severity).toEqual({ critical: 1, high: 1, medium: 0, low: 1 });
    expect(baseline.already_right).toEqual(CATEGORIES.filter((c) => c !== 'script-injection' && c !== 'static-credentials'));
    expect(baseline.slsa).toEqual([{ workflow: 'b.yml', level: 1, blocking_requirement: 'signed provenance' }]);
  });
});
