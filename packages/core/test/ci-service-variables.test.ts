import { describe, expect, it } from 'vitest';
import { contextFor, gitlabBuildAndPush, gitlabImageVariables, gitlabServiceVars, serviceVariableName } from '../src/index.js';

const delivery = (services: Record<string, unknown>[]) => contextFor({ goal: 'pipeline', ci_platform: 'gitlab', delivery: { app_repository: 'acme/crm', services } }).delivery;

describe('CI variables held once per service', () => {
  const one = delivery([{ name: 'crm-api' }]);
  const several = delivery([{ name: 'crm-api' }, { name: 'crm-web-2', build_context: 'web' }, { name: 'a1' }]);

  it('keep the plain name with one service', () => {
    expect(serviceVariableName(one, 'DIGEST', 'crm-api')).toBe('DIGEST');
    expect(gitlabServiceVars(one, one.services[0])).toEqual({ image: 'IMAGE', digest: 'DIGEST', ref: '${IMAGE}@${DIGEST}' });
  });

  it('take the service name with several, in the case of the base, each a valid and distinct variable name', () => {
    expect(serviceVariableName(several, 'DIGEST', 'crm-web-2')).toBe('DIGEST_CRM_WEB_2');
    expect(serviceVariableName(several, 'digest', 'crm-web-2')).toBe('digest_crm_web_2');
    const names = several.services.flatMap((s) => Object.values(gitlabServiceVars(several, s)).slice(0, 2));
    for (const name of names) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('GitLab builds each image from its context into its own dotenv variable', () => {
    expect(gitlabImageVariables(several)).toEqual(Object.fromEntries(several.services.map((s) => [gitlabServiceVars(several, s).image, s.image])));
    const script = gitlabBuildAndPush(several).join('\n');
    expect(script).toContain('--tag "${IMAGE_CRM_WEB_2}:${CI_COMMIT_SHA}" "web"');
    expect(script).toContain('--tag "${IMAGE_A1}:${CI_COMMIT_SHA}" "services/a1"');
    expect(script.match(/ > build\.env/g)).toHaveLength(1);
    expect(script.match(/ >> build\.env/g)).toHaveLength(2);
    expect(gitlabBuildAndPush(one).join('\n')).toContain('--tag "${IMAGE}:${CI_COMMIT_SHA}" "."');
  });
});
