import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle, generateSigningKey, GENESIS_HASH, privateKeyPem, publicKeyPem, sealEvent, signBundle, type EvidenceEvent } from '@ringmaster/evidence';
import { drDrillChecklist } from '@ringmaster/mode-dr';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/ringmaster.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rm-evidence-'));
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000 });

/** A short drill run, sealed event by event as the Slack app does. */
function drillEvents(actor = 'UCAPTAIN'): EvidenceEvent[] {
  const checklist = drDrillChecklist({ scenario: 'region failure', rto: '1h', rpo: '15m' });
  const at = (min: number) => new Date(Date.UTC(2026, 10, 24, 10, min)).toISOString();
  const bodies = [
    { type: 'run.opened', actor: 'UCAPTAIN', at: at(0), data: { kind: 'drill', title: checklist.title, checklist, params: { scenario: 'region failure', rto: '1h', rpo: '15m' }, channel: 'C1' } },
    ...checklist.steps.map((step, i) => ({ type: 'step.completed', actor, at: at(i + 1), step: step.id })),
    { type: 'run.closed', actor: 'ringmaster', at: at(30), data: { reason: 'completed' } },
  ];
  const events: EvidenceEvent[] = [];
  let prev = GENESIS_HASH;
  bodies.forEach((body, seq) => {
    const event = sealEvent(prev, { ...body, seq, run_id: 'rm-drill-1' } as Parameters<typeof sealEvent>[1]);
    events.push(event);
    prev = event.hash;
  });
  return events;
}

describe('ringmaster evidence verify', () => {
  const bundle = buildBundle(drillEvents());

  const write = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('without --key, says plainly that only internal consistency was checked', () => {
    const result = run(['evidence', 'verify', write('ok.json', JSON.stringify(bundle))]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/: internally consistent only, NOT authenticated: run rm-drill-1, \d+ events, head [0-9a-f]{64}; it carries no signature\n$/);
    expect(result.stdout).not.toMatch(/verified/);
    expect(result.stderr).toMatch(/^ringmaster: warning: without --key anyone can rebuild a consistent bundle/);
  });

  describe('with the app key', () => {
    const current = generateSigningKey();
    const rotatedOut = generateSigningKey();
    const currentPem = write('current.pub.pem', publicKeyPem(current.publicKey));
    const oldPem = write('old.pub.pem', publicKeyPem(rotatedOut.publicKey));
    const signed = write('signed.json', JSON.stringify(signBundle(bundle, current)));

    it('verifies a signed bundle and the head posted in Slack', () => {
      const result = run(['evidence', 'verify', signed, '--key', currentPem, '--expect-head', bundle.head.hash]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${signed}: verified, signed by key ${current.keyId}, run rm-drill-1, ${bundle.head.count} events, head ${bundle.head.hash} (as expected)\n`);
    });

    it('verifies a bundle signed by a rotated-out key when its public key is given too', () => {
      const old = write('old.json', JSON.stringify(signBundle(bundle, rotatedOut)));
      expect(run(['evidence', 'verify', old, '--key', currentPem]).status).toBe(1);
      const result = run(['evidence', 'verify', old, '--key', currentPem, '--key', oldPem]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`signed by key ${rotatedOut.keyId}`);
    });

    it('exits 1 on a bundle rebuilt from altered events, on an unsigned bundle and on another head', () => {
      const forged = buildBundle(drillEvents('UMALLORY'));
      const copiedSignature = write('forged.json', JSON.stringify({ ...forged, signature: signBundle(bundle, current).signature }));
      const forgedResult = run(['evidence', 'verify', copiedSignature, '--key', currentPem]);
      expect(forgedResult.status).toBe(1);
      expect(forgedResult.stderr).toMatch(/^ringmaster: .*does not verify: the signature by key .* does not match the bundle/);
      expect(run(['evidence', 'verify', write('unsigned.json', JSON.stringify(forged)), '--key', currentPem]).stderr).toMatch(/is not signed/);
      const wrongHead = run(['evidence', 'verify', signed, '--key', currentPem, '--expect-head', 'a'.repeat(64)]);
      expect(wrongHead.status).toBe(1);
      expect(wrongHead.stderr).toMatch(/head is [0-9a-f]{64}, expected a{64}/);
    });

    it('exits 2 on a key that is missing, private or not a key, and on a malformed head', () => {
      const cases: [string[], RegExp][] = [
        [['--key', join(dir, 'missing.pem')], /--key .*missing\.pem: expected a PEM public key file, found ENOENT/],
        [['--key', write('private.pem', privateKeyPem(current))], /--key .*private\.pem: expected a public key, found a private key/],
        [['--key', write('junk.pem', 'hello')], /--key .*junk\.pem: expected a PEM public key/],
        [['--expect-head', 'HEAD'], /--expect-head: expected 64 lower-case hex digits, found "HEAD"/],
      ];
      for (const [args, message] of cases) {
        const result = run(['evidence', 'verify', signed, ...args]);
        expect(result.status, args.join(' ')).toBe(2);
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(result.stderr).toMatch(message);
      }
    });
  });

  it('exits 1 naming the event when one was changed', () => {
    const tampered = structuredClone(bundle);
    (tampered.events[1] as { actor: string }).actor = 'UMALLORY';
    const path = join(dir, 'tampered.json');
    writeFileSync(path, JSON.stringify(tampered));
    const result = run(['evidence', 'verify', path]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^ringmaster: .*does not verify at event 1/);
  });

  it('exits 2 on a file that is not a bundle file', () => {
    expect(run(['evidence', 'verify', dir]).status).toBe(2);
    const path = join(dir, 'garbage.json');
    writeFileSync(path, 'not json');
    const result = run(['evidence', 'verify', path]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('ringmaster audit', () => {
  it('audits a generated plan clean, and exits 2 on a missing path', () => {
    const out = join(dir, 'plan');
    expect(spawnSync(process.execPath, [cli, 'plan', fileURLToPath(new URL('../../../examples/multi-tenant-canary.json', import.meta.url)), '--out', out], { encoding: 'utf8' }).status).toBe(0);
    const audit = run(['audit', out, '--format', 'json']);
    expect(audit.status).toBe(0);
    const report = JSON.parse(audit.stdout) as { findings: unknown[]; slsa: { level: number | string }[] };
    expect(report.findings).toEqual([]);
    expect(report.slsa.length).toBeGreaterThan(0);
    expect(run(['audit', join(dir, 'missing')]).status).toBe(2);
  });

  it('plan --audit starts the blueprint from what the repository has', () => {
    const repo = fileURLToPath(new URL('../../../packages/audit/test/fixtures/static-cloud-credentials/positive', import.meta.url));
    const profile = fileURLToPath(new URL('../../../examples/multi-tenant-canary.json', import.meta.url));
    const result = run(['plan', profile, '--audit', repo]);
    expect(result.status).toBe(0);
    const baseline = (JSON.parse(result.stdout) as { audit_baseline: { change_first: { category: string; severity: string }[]; already_right: string[] } }).audit_baseline;
    expect(baseline.change_first[0]).toMatchObject({ category: 'static-credentials', severity: 'critical' });
    expect(baseline.already_right).not.toContain('static-credentials');
    expect(run(['plan', profile, '--audit', join(dir, 'missing')]).status).toBe(2);
  });
});
