import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextFor, type ArtifactSpec } from '@ringmaster/core';
import { FileRenderer, shellcheckAvailable, validateArtifact } from '@ringmaster/renderer';
import { describe, expect, it } from 'vitest';
import { cosignSign, evidenceCollector } from '../src/index.js';

type P = Record<string, unknown>;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const services = [
  { name: 'crm-api', image: 'crm-api' },
  { name: 'crm-web', image: 'web/front' },
];
const profile = (ci: string, extra: P = {}): P => ({ goal: 'Sign releases and collect audit evidence', ci_platform: ci, infra: { cloud_provider: 'unknown' }, delivery: { registry: 'registry.acme.test/crm', services }, ...extra });
const IMAGES = { 'crm-api': 'registry.acme.test/crm/crm-api', 'crm-web': 'registry.acme.test/crm/web/front' } as const;

/**
 * A folder with the rendered script and stand-ins for cosign and syft on PATH that record their
 * arguments (cosign is not installable here); `verify-attestation` answers with an attestation
 * whose payload holds an empty predicate, as cosign prints one.
 */
function workspace(spec: ArtifactSpec): { dir: string; script: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rm-sc-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'calls.log');
  const payload = Buffer.from(JSON.stringify({ predicate: {} })).toString('base64');
  for (const tool of ['cosign', 'syft']) {
    writeFileSync(join(bin, tool), `#!/usr/bin/env bash\necho "${tool} $*" >> '${log}'\nif [ "$1" = verify-attestation ]; then echo '{"payload":"${payload}"}'; fi\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const script = join(dir, spec.path.split('/').pop() as string);
  writeFileSync(script, new FileRenderer().render(spec).content);
  return { dir, script, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}
const run = (w: { dir: string; script: string }, args: string[]) =>
  spawnSync('bash', [w.script, ...args], { cwd: w.dir, encoding: 'utf8', env: { PATH: `${join(w.dir, 'bin')}:${process.env['PATH'] ?? ''}` } });

describe.each(['github', 'gitlab', 'azure devops'])('cosign_sign.sh serves every service (%s)', (ci) => {
  const spec = cosignSign(contextFor(profile(ci)));

  it.each(['crm-api', 'crm-web'] as const)('signs, attests and verifies the image of %s, by digest', (service) => {
    const w = workspace(spec);
    const result = run(w, [service, DIGEST]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const ref = `${IMAGES[service]}@${DIGEST}`;
    expect(result.stdout.trim()).toBe(`signed and verified ${ref}`);
    const calls = w.calls();
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['syft scan', 'cosign sign', 'cosign attest', 'cosign verify']);
    for (const call of calls) expect(call).toContain(ref);
    const other = service === 'crm-api' ? IMAGES['crm-web'] : IMAGES['crm-api'];
    expect(calls.join('\n')).not.toContain(other);
  });

  it('refuses a service the plan does not have, before running anything', () => {
    const w = workspace(spec);
    const result = run(w, ['billing', DIGEST]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe("unknown service 'billing': expected one of crm-api, crm-web (usage: cosign_sign.sh <service> sha256:<digest>)");
    expect(w.calls()).toEqual([]);
    expect(run(w, []).status).toBe(2);
    const tag = run(w, ['crm-api', 'latest']);
    expect(tag.status).toBe(2);
    expect(tag.stderr).toContain('sign by digest only, got: latest');
    expect(w.calls()).toEqual([]);
  });
});

describe('evidence_collector.sh serves every service', () => {
  it.each(['github', 'azure devops'])('%s: the bundle of crm-web verifies the crm-web image', (ci) => {
    const w = workspace(evidenceCollector(contextFor(profile(ci))));
    mkdirSync(join(w.dir, 'test-results'));
    writeFileSync(join(w.dir, 'test-results', 'unit.xml'), '<testsuite tests="1"/>');
    writeFileSync(join(w.dir, 'policy-audit.log'), 'allow\n');
    const result = run(w, ['crm-web', DIGEST]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`evidence bundle: evidence-${'ab'.repeat(32)}.tar.gz`);
    const calls = w.calls();
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call).toContain(`${IMAGES['crm-web']}@${DIGEST}`);
    expect(run(w, ['crm-mobile', DIGEST]).status).toBe(2);
  });

  it('the checksum fallback records the image of the service it collects for', () => {
    const spec = evidenceCollector(contextFor(profile('github', { goal: 'Audit evidence without signing' })));
    const w = workspace(spec);
    const release = join(w.dir, 'dist');
    mkdirSync(release);
    writeFileSync(join(release, 'app.jar'), 'jar');
    writeFileSync(join(release, 'provenance.json'), '{}');
    writeFileSync(join(release, 'sbom.spdx.json'), '{}');
    writeFileSync(join(release, 'SHA256SUMS'), spawnSync('sha256sum', ['app.jar'], { cwd: release, encoding: 'utf8' }).stdout);
    mkdirSync(join(w.dir, 'test-results'));
    writeFileSync(join(w.dir, 'policy-audit.log'), 'allow\n');
    const result = run(w, ['crm-api', DIGEST, 'test-results', 'policy-audit.log', 'dist']);
    expect(result.stderr).toBe('');
    expect(readFileSync(join(w.dir, `evidence-${'ab'.repeat(32)}`, 'image-ref.txt'), 'utf8').trim()).toBe(`${IMAGES['crm-api']}@${DIGEST}`);
  });
});

describe('the scripts of one and of several services', () => {
  it('hold each service image once, and name the services in their usage', () => {
    for (const spec of [cosignSign(contextFor(profile('github'))), evidenceCollector(contextFor(profile('github')))]) {
      if (spec.body.format !== 'shell') throw new Error('not a script');
      expect(Object.entries(spec.body.vars).filter(([name]) => name.startsWith('IMAGE_'))).toEqual([
        ['IMAGE_CRM_API', IMAGES['crm-api']],
        ['IMAGE_CRM_WEB', IMAGES['crm-web']],
      ]);
      expect(spec.body.summary).toContain('(service: crm-api | crm-web)');
    }
    const one = cosignSign(contextFor({ goal: 'Sign releases', delivery: { registry: 'registry.acme.test/crm', services: [services[0]] } }));
    expect(one.name).toBe('cosign_sign.sh');
    expect(one.path).toBe('scripts/cosign_sign.sh');
    expect(one.body.format === 'shell' && Object.keys(one.body.vars).filter((n) => n.startsWith('IMAGE'))).toEqual(['IMAGE_CRM_API']);
  });

  it.skipIf(!shellcheckAvailable())('pass shellcheck for every CI vendor and the fallback', async () => {
    const issues: string[] = [];
    for (const p of [profile('github'), profile('gitlab'), profile('azure devops'), profile('github', { goal: 'Audit evidence without signing' })]) {
      for (const spec of [cosignSign(contextFor(p)), evidenceCollector(contextFor(p))]) {
        for (const issue of await validateArtifact(spec, new FileRenderer().render(spec))) if (issue.severity === 'error') issues.push(`${spec.name}: ${issue.message}`);
      }
    }
    expect(issues).toEqual([]);
  }, 60_000);
});
