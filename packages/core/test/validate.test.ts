import { describe, expect, it } from 'vitest';
import { parseProfileText, ProfileInputError, PROFILE_LIMITS, validateProfile, outputIssues } from '../src/index.js';

function issuesOf(value: unknown): string[] {
  try {
    validateProfile(value);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileInputError);
    return (error as ProfileInputError).issues.map((i) => i.message);
  }
}

describe('profile validation', () => {
  it.each([
    ['minimal', { goal: 'Setup CI pipeline' }],
    ['full enums', { goal: 'x', infra: { cloud_provider: 'gcp', orchestrator: 'kubernetes' }, risk_tier: 'low', current_pain: ['costs', 'flaky_tests'], cd_strategy: 'push' }],
    ['crm profile', { goal: 'x', crm_profile: { multi_tenant: true, tenant_count: 10, data_residency_regions: ['eu-central-1'] } }],
  ])('accepts %s', (_name, profile) => {
    expect(issuesOf(profile)).toEqual([]);
  });

  it.each([
    ['missing goal', {}, ['/goal: expected a value (required), found nothing']],
    ['goal not a string', { goal: 7 }, ['/goal: expected string, found integer 7']],
    ['enum outside the schema', { goal: 'x', infra: { cloud_provider: 'ibm' } }, ['/infra/cloud_provider: expected one of "aws", "gcp", "azure", "on_prem", "unknown", found string "ibm"']],
    ['not an object', [], ['(root): expected object, found array of 0']],
    ['null', null, ['(root): expected object, found null']],
    ['crm_profile without multi_tenant', { goal: 'x', crm_profile: {} }, ['/crm_profile/multi_tenant: expected a value (required), found nothing']],
    ['pain outside the enum', { goal: 'x', current_pain: ['boredom'] }, [expect.stringContaining('/current_pain/0: expected one of "pipeline_slow"')]],
    ['region with shell metacharacters', { goal: 'x', crm_profile: { multi_tenant: true, data_residency_regions: ['eu-central-1"; rm -rf /'] } }, [expect.stringContaining('/crm_profile/data_residency_regions/0: expected a string matching')]],
    ['empty goal', { goal: '' }, ['/goal: expected a string of at least 1 character(s), found string ""']],
  ])('rejects %s with the JSON pointer, expected and found', (_name, profile, messages) => {
    expect(issuesOf(profile)).toEqual(messages);
  });

  it('reports every problem at once, sorted by pointer', () => {
    const messages = issuesOf({ goal: 7, risk_tier: 'extreme' });
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^\/goal/);
    expect(messages[1]).toMatch(/^\/risk_tier/);
  });

  it('keeps unknown keys and reports them as warnings', () => {
    const { profile, warnings } = validateProfile({ goal: 'x', finops_controls: { budgets: 'strict' }, infra: { cloud_provider: 'aws', colour: 'blue' } });
    expect(profile['finops_controls']).toEqual({ budgets: 'strict' });
    expect(warnings).toEqual(['/finops_controls: unknown key kept but not used (not in the input schema)', '/infra/colour: unknown key kept but not used (not in the input schema)']);
  });

  it('rejects nesting deeper than the limit before schema validation', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < PROFILE_LIMITS.maxDepth + 2; i++) deep = { a: deep };
    expect(issuesOf({ goal: 'x', extra: deep })[0]).toMatch(/nesting at most/);
  });

  it('turns unparseable text and oversized text into input errors', () => {
    expect(() => parseProfileText('{"goal": ')).toThrow(ProfileInputError);
    expect(() => parseProfileText(' '.repeat(PROFILE_LIMITS.maxBytes + 1))).toThrow(/at most/);
  });
});

describe('output schema', () => {
  it('rejects a document without decision_log and with an unknown section', () => {
    const issues = outputIssues({ artifacts_to_generate: [], kb_references: [], surprise: 1 });
    expect(issues.map((i) => i.pointer)).toEqual(expect.arrayContaining(['/decision_log']));
    expect(issues.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a KB reference that is not a trace', () => {
    const issues = outputIssues({ decision_log: {}, artifacts_to_generate: [], kb_references: ['see the wiki'] });
    expect(issues.map((i) => i.pointer)).toContain('/kb_references/0');
  });
});

describe('generated validators', () => {
  it('are up to date with the schema files', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['scripts/compile-schemas.mjs', '--check'], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('hostile shapes', () => {
  it('stops at the node limit instead of walking a huge array', () => {
    let reads = 0;
    const huge = new Proxy(new Array(2_000_000).fill(0), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(issuesOf({ goal: 'x', extra: huge })[0]).toMatch(/at most 10000 values/);
    expect(reads).toBeLessThanOrEqual(PROFILE_LIMITS.maxNodes);
  });

  it('escapes ~ and / in the JSON pointers of unknown keys', () => {
    expect(validateProfile({ goal: 'x', 'a/b~c': 1 }).warnings[0]).toMatch(/^\/a~1b~0c: unknown key/);
  });
});
