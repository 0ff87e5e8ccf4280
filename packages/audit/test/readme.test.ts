import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath, RULE_LIST } from '../src/index.js';
import { repo } from './helpers.js';

const README = readFileSync(join(import.meta.dirname, '..', 'docs', 'rules', 'README.md'), 'utf8');

function snippet(name: string): string {
  const m = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!m) throw new Error(`snippet ${name} not found`);
  return m[1]!;
}

describe('the audit README', () => {
  it('lists every rule', () => {
    for (const rule of RULE_LIST) expect(README).toContain(`| [${rule.meta.id}](${rule.meta.id}.md) | ${rule.meta.category} | ${rule.meta.severity} |`);
  });

  it('its GitHub Actions snippet audits clean, actions pinned by SHA', async () => {
    const text = snippet('github-sarif');
    expect(text).toMatch(/upload-sarif@[0-9a-f]{40}/);
    const report = await auditPath(repo({ '.github/workflows/ringmaster-audit.yml': text }));
    expect(report.parse_errors).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  it('its GitLab snippet publishes the Code Quality artifact, and only its image tag is left for the user to pin', async () => {
    const text = snippet('gitlab-codequality');
    expect(text).toContain('codequality: gl-code-quality-report.json');
    expect(text).toContain('--format codequality');
    const report = await auditPath(repo({ '.gitlab-ci.yml': text }));
    expect(report.findings.map((f) => f.rule)).toEqual(['unpinned-image']);
  });
});
