import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { auditPath, formatCodeQuality, toCodeQuality, type AuditReport, type Finding } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** What GitLab reads from a Code Quality report (docs: "Code Quality report format"). */
const CODE_QUALITY_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string', minLength: 1 },
      check_name: { type: 'string', minLength: 1 },
      fingerprint: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: {
        type: 'object',
        required: ['path', 'lines'],
        properties: { path: { type: 'string', minLength: 1 }, lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 } } } },
      },
    },
  },
};

const finding = (over: Partial<Finding>): Finding => ({ rule: 'unpinned-image', category: 'unpinned-dependencies', severity: 'medium', confidence: 'high', file: '.gitlab-ci.yml', line: 3, column: 10, message: 'image node:20 is not pinned by digest.', fix: 'f', kb: ['KB_13#Digest_Pinning'], risk: 'dependency-confusion', ...over });
const report = (findings: Finding[]): AuditReport => ({ root: '/r', files: ['.gitlab-ci.yml'], findings, slsa: [], suppressed: [], parse_errors: [], notes: [] });

describe('GitLab Code Quality report', () => {
  const validate = new Ajv({ allErrors: true }).compile(CODE_QUALITY_SCHEMA);

  it('the schema the test checks against rejects an issue without a fingerprint', () => {
    const [issue] = toCodeQuality(report([finding({})]));
    const { fingerprint: _dropped, ...broken } = issue!;
    expect(validate([broken])).toBe(false);
  });

  it('has one valid issue per finding, located at its file and line', async () => {
    const audited = await auditPath(join(FIXTURES, 'unpinned-include', 'positive'));
    const issues = JSON.parse(formatCodeQuality(audited));
    expect(validate(issues)).toBe(true);
    expect(issues).toHaveLength(audited.findings.length);
    expect(issues[0]).toMatchObject({ check_name: 'unpinned-include', severity: 'critical', location: { path: '.gitlab-ci.yml', lines: { begin: 2 }, positions: { begin: { line: 2, column: 5 } } } });
    expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(issues.length);
  });

  it('maps severities, lowers low-confidence findings to info, and keeps fingerprints stable when lines move', () => {
    const [a, b, c, d] = toCodeQuality(report([finding({ severity: 'critical' }), finding({ severity: 'low' }), finding({ confidence: 'low', severity: 'high' }), finding({ line: 40 })]));
    expect([a!.severity, b!.severity, c!.severity]).toEqual(['blocker', 'minor', 'info']);
    const moved = toCodeQuality(report([finding({ line: 99 })]))[0]!;
    expect(moved.fingerprint).toBe(toCodeQuality(report([finding({})]))[0]!.fingerprint);
    // two identical findings in one file stay two issues
    expect(d!.fingerprint).not.toBe(a!.fingerprint);
    expect(toCodeQuality(report([finding({}), finding({ line: 9 })])).map((i) => i.fingerprint)).toHaveLength(2);
    expect(new Set(toCodeQuality(report([finding({}), finding({ line: 9 })])).map((i) => i.fingerprint)).size).toBe(2);
  });
});
