import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/ringmaster.js', import.meta.url));

function plan(goal: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, 'plan', '-', ...args], { input: JSON.stringify({ goal }), encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('ringmaster plan --explain', () => {
  it('prints on stderr why each mode was or was not engaged, and leaves stdout the plan', () => {
    const { code, stdout, stderr } = plan('What happens if we lose a whole region? Also ship the billing change.', '--explain');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).decision_log.modes.map((m: { id: string }) => m.id)).toContain('dr');
    expect(stderr).toMatch(/^Modes considered:\n/);
    expect(stderr).toContain('- dr: engaged (score 0.9');
    expect(stderr).toContain('the goal says "lose a whole region" (a region or data centre lost)');
    expect(stderr).toMatch(/- finops: not engaged \(score 0, below 0\.5\): nothing in the goal or the profile points to it; set aside: "billing": part of "billing change"/);
  });

  it('says when the goal engaged nothing and what it asks', () => {
    const { code, stderr } = plan('make things better', '--explain');
    expect(code).toBe(0);
    expect(stderr).toContain('- blueprint: engaged (score 0');
    expect(stderr).toContain('fallback: nothing else applied');
    expect(stderr).toMatch(/The goal engaged no mode by its words, so the plan asks: "make things better" does not say which outcome you want\. Which one first: .*\(dr\)/);
  });

  it('without --explain, stderr holds warnings only, no explanation', () => {
    const { stderr } = plan('Canary releases', '--format', 'md');
    expect(stderr).not.toContain('Modes considered');
    for (const line of stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^ringmaster: warning: /);
  });
});
