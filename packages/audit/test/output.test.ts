import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { auditPath, exitCodeFor, formatJson, formatSarif, formatText, RULE_LIST, type AuditReport } from '../src/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/**
 * The vendored SARIF 2.1.0 schema is draft-04; ajv 8 reads it once `id` is `$id`
 * (it uses no other draft-04-only keyword). See schemas/README.md.
 */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'schemas', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  const { id, $schema: _draft, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;
  addFormats(ajv);
  return ajv.compile({ ...rest, $id: id as string });
}

async function everyFixture(): Promise<AuditReport> {
  return auditPath(join(FIXTURES, 'static-cloud-credentials', 'positive'));
}

describe('output', () => {
  it('SARIF has no help links unless the docs URL is configured', async () => {
    const report = await auditPath(join(FIXTURES, RULE_LIST[0]!.meta.id, 'positive'));
    const sarif = JSON.parse(formatSarif(report));
    expect(sarif.runs[0].tool.driver.rules[0].helpUri).toBeUndefined();
    expect(sarif.runs[0].tool.driver.rules[0].help.text).toBeTruthy();
  });

  it('SARIF validates against the SARIF 2.1.0 schema and carries what code scanning reads', async () => {
    const validate = sarifValidator();
    const reports = await Promise.all(RULE_LIST.map((r) => auditPath(join(FIXTURES, r.meta.id, 'positive'))));
    for (const report of reports) {
      const sarif = JSON.parse(formatSarif(report, { docsBase: 'https://docs.example.com/ringmaster/docs/rules' }));
      const ok = validate(sarif);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      const run = sarif.runs[0];
      expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULE_LIST.map((r) => r.meta.id));
      for (const rule of run.tool.driver.rules) {
        expect(rule.shortDescription.text).toBeTruthy();
        expect(rule.helpUri).toMatch(new RegExp(`/docs/rules/${rule.id}\\.md$`));
        expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
        expect(['high', 'medium', 'low']).toContain(rule.properties.precision);
      }
      expect(run.results).toHaveLength(report.findings.length);
      report.findings.forEach((f, i) => {
        const r = run.results[i];
        expect(r.ruleId).toBe(f.rule);
        expect(r.properties.confidence).toBe(f.confidence);
        expect(r.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: f.file }, region: { startLine: f.line, startColumn: f.column } });
      });
    }
  });

  it('JSON holds findings and slsa', async () => {
    const report = await everyFixture();
    const json = JSON.parse(formatJson(report));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['findings', 'slsa']));
    expect(json.findings[0]).toEqual({
      rule: 'static-cloud-credentials',
      category: 'static-credentials',
      severity: 'critical',
      confidence: 'high',
      file: '.gitlab-ci.yml',
      line: 6,
      column: 5,
      message: expect.any(String),
      fix: expect.any(String),
      kb: ['KB_05#OIDC', 'KB_05#GitHub_Actions_OIDC'],
      risk: 'static-secret-leak',
    });
  });

  it('text groups by file and colours only when asked', async () => {
    const report = await everyFixture();
    const plain = formatText(report);
    expect(plain).not.toContain('\x1b[');
    expect(plain.indexOf('.gitlab-ci.yml\n')).toBeLessThan(plain.indexOf('deploy-s3.yml\n'));
    expect(plain).toContain('  6:5      critical');
    expect(formatText(report, { color: true })).toContain('\x1b[1;31mcritical');
  });

  it('exit code follows --fail-on', () => {
    const f = (severity: 'critical' | 'high' | 'medium' | 'low', confidence: 'high' | 'medium' | 'low' = 'high') => ({ findings: [{ severity, confidence }] }) as unknown as AuditReport;
    expect(exitCodeFor(f('high'), 'high')).toBe(1);
    expect(exitCodeFor(f('critical'), 'high')).toBe(1);
    expect(exitCodeFor(f('medium'), 'high')).toBe(0);
    expect(exitCodeFor(f('low'), 'low')).toBe(1);
    expect(exitCodeFor(f('critical'), 'none')).toBe(0);
    expect(exitCodeFor({ findings: [] } as unknown as AuditReport, 'low')).toBe(0);
  });

  it('low-confidence findings fail a run only when asked', () => {
    const f = (confidence: 'high' | 'medium' | 'low') => ({ findings: [{ severity: 'critical', confidence }] }) as unknown as AuditReport;
    expect(exitCodeFor(f('low'), 'high')).toBe(0);
    expect(exitCodeFor(f('medium'), 'high')).toBe(1);
    expect(exitCodeFor(f('low'), 'high', 'low')).toBe(1);
    expect(exitCodeFor(f('medium'), 'high', 'high')).toBe(0);
  });
});
