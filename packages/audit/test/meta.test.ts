import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKnowledgeBase } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, createRule, RULE_LIST, RULES, RuleDefinitionError } from '../src/index.js';

const DOCS = join(import.meta.dirname, '..', 'docs', 'rules');
const FIXTURES = join(import.meta.dirname, 'fixtures');

function firstParagraph(markdown: string): string {
  const body = markdown.replace(/^# .*\n+/, '');
  return body.split(/\n\s*\n/)[0]!.replace(/\s*\n\s*/g, ' ').trim();
}

describe('rule registry', () => {
  it('is keyed by each rule id', () => {
    for (const [id, rule] of Object.entries(RULES)) expect(rule.meta.id).toBe(id);
    expect(new Set(RULE_LIST.map((r) => r.meta.id)).size).toBe(RULE_LIST.length);
  });

  it('covers every category', () => {
    expect(new Set(RULE_LIST.map((r) => r.meta.category))).toEqual(new Set(CATEGORIES));
  });

  it.each(RULE_LIST.map((r) => [r.meta.id, r] as const))('%s has a doc whose first paragraph is its description, a title with its id, and fixtures', (id, rule) => {
    const path = join(DOCS, `${id}.md`);
    expect(existsSync(path)).toBe(true);
    const doc = readFileSync(path, 'utf8');
    expect(doc.startsWith(`# ${id}\n`)).toBe(true);
    expect(firstParagraph(doc)).toBe(rule.meta.description);
    expect(doc).toContain(rule.meta.fix);
    if (rule.meta.gitlabFix) expect(doc).toContain(rule.meta.gitlabFix);
    expect(existsSync(join(FIXTURES, id, 'positive'))).toBe(true);
    expect(existsSync(join(FIXTURES, id, 'negative'))).toBe(true);
  });

  it.each(RULE_LIST.filter((r) => r.appliesTo.includes('gitlab-ci')).map((r) => [r.meta.id, r] as const))('%s gives GitLab findings a fix in GitLab terms', (_id, rule) => {
    const fix = rule.meta.gitlabFix ?? rule.meta.fix;
    expect(fix).not.toMatch(/\$\{\{|GitHub|\buses:|\bactions?\b|pull request|Dependabot|id-token: write|workflow/i);
  });

  it('cites KB traces that exist in kb/', () => {
    const kb = loadKnowledgeBase();
    expect(() => kb.assertResolves(RULE_LIST.flatMap((r) => r.meta.kb))).not.toThrow();
  });

  it('rejects malformed definitions when they are created', () => {
    const good = RULES['secrets-inherit'];
    const bad = (meta: object) => () => createRule({ ...good, meta: { ...good.meta, ...meta } });
    expect(bad({ id: 'Not_Kebab' })).toThrow(RuleDefinitionError);
    expect(bad({ category: 'misc' })).toThrow(/unknown category/);
    expect(bad({ severity: 'info' })).toThrow(/unknown severity/);
    expect(bad({ kb: ['KB_5#x'] })).toThrow(/kb/);
    expect(bad({ risk: 'meteor' })).toThrow(/unknown risk/);
    expect(Object.isFrozen(good.meta)).toBe(true);
  });
});
