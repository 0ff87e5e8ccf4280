import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A stand-in docker: records its arguments; `buildx build` writes the metadata file with a digest made from the build context (its last argument). */
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$LOG"
if [ "$1" = buildx ] && [ "$2" = build ]; then
  prev=""; for a in "$@"; do [ "$prev" = --metadata-file ] && meta="$a"; prev="$a"; context="$a"; done
  printf '{"containerimage.digest": "sha256:%s"}\\n' "$(printf %s "$context" | sha256sum | cut -d' ' -f1)" > "$meta"
fi
`;

describe('the GitLab build job, run by a real shell', () => {
  it('pushes each service from its context and leaves every digest in build.env under its variable', () => {
    const d = delivery([{ name: 'crm-api', build_context: 'services/api' }, { name: 'crm-web' }]);
    const dir = mkdtempSync(join(tmpdir(), 'gitlab-build-'));
    try {
      for (const [tool, body] of [['docker', FAKE_DOCKER], ['apk', '#!/bin/sh\n']] as const) {
        writeFileSync(join(dir, tool), body);
        chmodSync(join(dir, tool), 0o755);
      }
      const env = { PATH: `${dir}:${process.env['PATH'] ?? ''}`, LOG: join(dir, 'docker.log'), CI_COMMIT_SHA: 'abc123', ...gitlabImageVariables(d), CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_USER: 'u', CI_REGISTRY_PASSWORD: 'p' };
      const run = spawnSync('sh', ['-e', '-c', gitlabBuildAndPush(d).join('\n')], { cwd: dir, env, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const digestOf = (context: string) => `sha256:${createHash('sha256').update(context).digest('hex')}`;
      expect(readFileSync(join(dir, 'build.env'), 'utf8')).toBe(`DIGEST_CRM_API=${digestOf('services/api')}\nDIGEST_CRM_WEB=${digestOf('services/crm-web')}\n`);
      const builds = readFileSync(join(dir, 'docker.log'), 'utf8').split('\n').filter((l) => l.startsWith('buildx build'));
      expect(builds.map((l) => l.split(' ').slice(-3).join(' '))).toEqual([`--tag ${d.services[0].image}:abc123 services/api`, `--tag ${d.services[1]?.image}:abc123 services/crm-web`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
