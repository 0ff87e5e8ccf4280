import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMode, type ArtifactSpec } from '@ringmaster/core';
import { FileRenderer, validateArtifact } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { observabilityMode } from '../src/index.js';

const services = [{ name: 'crm-api' }, { name: 'crm-web' }];
const markerOf = (profile: Record<string, unknown>): ArtifactSpec => runMode(observabilityMode, profile).artifacts.find((a) => a.name === 'release_marker.sh') as ArtifactSpec;

/** The rendered script in a folder whose PATH has a stand-in curl that records its arguments instead of posting. */
function workspace(spec: ArtifactSpec): { run: (args: string[]) => ReturnType<typeof spawnSync>; posted: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'rm-marker-'));
  mkdirSync(join(dir, 'bin'));
  const log = join(dir, 'curl.log');
  // Records the request body (the argument after --data).
  writeFileSync(join(dir, 'bin', 'curl'), `#!/usr/bin/env bash\nwhile [ "$#" -gt 0 ]; do if [ "$1" = --data ]; then printf '%s' "$2" > '${log}'; fi; shift; done\n`);
  chmodSync(join(dir, 'bin', 'curl'), 0o755);
  writeFileSync(join(dir, 'release_marker.sh'), new FileRenderer().render(spec).content);
  const env = { PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`, GRAFANA_URL: 'http://127.0.0.1:9', GRAFANA_TOKEN: 'token-from-the-secret-store', ENVIRONMENT: 'eu-central-1', COMMIT_SHA: 'abc123' };
  return {
    run: (args) => spawnSync('bash', [join(dir, 'release_marker.sh'), ...args], { cwd: dir, encoding: 'utf8', env }),
    posted: () => (existsSync(log) ? readFileSync(log, 'utf8') : ''),
  };
}

describe('release_marker.sh serves every service', () => {
  const spec = markerOf({ goal: 'Release observability', delivery: { services } });

  it('posts the marker of the service it is given', () => {
    const w = workspace(spec);
    const result = w.run(['crm-web', '2.0.0']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(String(result.stdout).trim()).toBe('release marker posted: Deploy of crm-web 2.0.0 (commit abc123) to eu-central-1');
    const body = JSON.parse(w.posted()) as { tags: string[] };
    expect(body.tags).toEqual(['deployment', 'crm-web', '2.0.0', 'eu-central-1']);
  });

  it('refuses a service the plan does not have, and posts nothing', () => {
    const w = workspace(spec);
    const result = w.run(['crm-mobile', '2.0.0']);
    expect(result.status).toBe(2);
    expect(String(result.stderr).trim()).toBe("unknown service 'crm-mobile': expected one of crm-api, crm-web (usage: release_marker.sh <service> <version>)");
    expect(w.posted()).toBe('');
  });

  it('names the services in its usage, and passes shellcheck', async () => {
    expect(spec.body.format === 'shell' && spec.body.summary).toContain('(service: crm-api | crm-web)');
    expect((await validateArtifact(spec, new FileRenderer().render(spec))).filter((i) => i.severity === 'error')).toEqual([]);
  });
});
