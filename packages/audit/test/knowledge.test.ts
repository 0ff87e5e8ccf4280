import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath, AuditInputError, BUILTIN_KNOWLEDGE, parseConfig } from '../src/index.js';
import { repo } from './helpers.js';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const RELEASE = `name: release
on:
  workflow_dispatch:
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/warm-cache@${SHA} # v1
      - run: make release
`;

function withConfig(files: Record<string, string>, config: string): string {
  const root = repo(files);
  writeFileSync(join(root, 'audit.yml'), config);
  return root;
}

describe('knowledge tables', () => {
  it('hold each concern as rows, with the actions the rules are known to need', () => {
    const cache = new Map(BUILTIN_KNOWLEDGE.cache_actions.map((r) => [r.action, r]));
    expect(cache.get('swatinem/rust-cache')?.always).toBe(true);
    expect(cache.get('actions/setup-go')?.default).toBe(true);
    expect(cache.get('astral-sh/setup-uv')?.enabled_by).toEqual(['enable-cache']);
    expect(cache.get('ramsey/composer-install')?.disabled_by).toEqual(['ignore-cache']);
    expect(BUILTIN_KNOWLEDGE.code_inputs.find((r) => r.action === 'actions/github-script')?.inputs).toEqual(['script']);
    expect(BUILTIN_KNOWLEDGE.publisher_actions.some((r) => r.action === 'pypa/gh-action-pypi-publish')).toBe(true);
  });

  it('a user extends them in the audit config: their publish command and cache action count', async () => {
    const plain = await auditPath(repo({ '.github/workflows/release.yml': RELEASE }));
    expect(plain.findings.filter((f) => f.rule === 'cache-in-release-job')).toEqual([]);
    const root = withConfig(
      { '.github/workflows/release.yml': RELEASE },
      'knowledge:\n  cache_actions:\n    - action: Acme/warm-cache\n      always: true\n  publish_commands:\n    - \'\\bmake\\s+release\\b\'\n',
    );
    const report = await auditPath(root, { config: join(root, 'audit.yml') });
    expect(report.findings.filter((f) => f.rule === 'cache-in-release-job').map((f) => [f.line, f.column, f.confidence])).toEqual([[10, 15, 'high']]);
  });

  it('a user row for a known action replaces the built-in one', async () => {
    const text = RELEASE.replace(`acme/warm-cache@${SHA} # v1`, `actions/setup-go@${SHA} # v5`);
    const root = withConfig({ '.github/workflows/release.yml': text }, "knowledge:\n  publish_commands: ['\\bmake\\s+release\\b']\n");
    expect((await auditPath(root, { config: join(root, 'audit.yml') })).findings.filter((f) => f.rule === 'cache-in-release-job')).toHaveLength(1);
    const off = withConfig({ '.github/workflows/release.yml': text }, "knowledge:\n  publish_commands: ['\\bmake\\s+release\\b']\n  cache_actions:\n    - action: actions/setup-go\n      default: false\n");
    expect((await auditPath(off, { config: join(off, 'audit.yml') })).findings.filter((f) => f.rule === 'cache-in-release-job')).toEqual([]);
  });

  it('a user names an action input that is code, and an untrusted context', async () => {
    const workflow = `name: t\non: issues\npermissions:\n  contents: read\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/run@${SHA} # v1\n        with:\n          command: echo \${{ github.event.issue.title }} \${{ github.event.issue.milestone.title }}\n`;
    expect((await auditPath(repo({ '.github/workflows/t.yml': workflow }))).findings).toEqual([]);
    const root = withConfig({ '.github/workflows/t.yml': workflow }, 'knowledge:\n  code_inputs:\n    - action: acme/run\n      inputs: [command]\n  untrusted_contexts: [github.event.issue.milestone.title]\n');
    const report = await auditPath(root, { config: join(root, 'audit.yml') });
    expect(report.findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['script-injection', 11, 25],
      ['script-injection', 11, 57],
    ]);
  });

  it('rejects a malformed table row, naming where', () => {
    expect(() => parseConfig('knowledge:\n  cache_actions:\n    - always: true\n', 'audit.yml')).toThrow(AuditInputError);
    expect(() => parseConfig('knowledge:\n  cache_actions:\n    - always: true\n', 'audit.yml')).toThrow(/\/knowledge\/cache_actions\/0 must have required property 'action'/);
    expect(() => parseConfig("knowledge:\n  publish_commands: ['(']\n", 'audit.yml')).toThrow(/\/knowledge\/publish_commands\/0/);
    expect(() => parseConfig('knowledge:\n  untrusted_contexts: ["github event"]\n', 'audit.yml')).toThrow(/\/knowledge\/untrusted_contexts\/0/);
  });
});
