import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, generateSigningKey, GENESIS_HASH, parsePublicKey, privateKeyPem, sealEvent, verifyBundle, type EvidenceBundle, type EvidenceEvent } from '@ringmaster/evidence';
import { incidentChecklist } from '@ringmaster/mode-incident';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { evidenceSigner, signingKeySource } from '../src/signing.js';
import { driveToEnd, startInMemoryHarness } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'rm-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function events(): EvidenceEvent[] {
  const checklist = incidentChecklist({ service: 'payments', severity: 'sev1' });
  const first = sealEvent(GENESIS_HASH, {
    seq: 0,
    run_id: 'rm-0000abcd',
    type: 'run.opened',
    actor: 'UIC',
    at: '2026-11-24T10:00:00.000Z',
    data: { kind: 'incident', title: checklist.title, checklist, params: {}, channel: 'C1' },
  });
  return [first, sealEvent(first.hash, { seq: 1, run_id: 'rm-0000abcd', type: 'run.closed', actor: 'UIC', at: '2026-11-24T10:05:00.000Z' })];
}

const keysOf = (...pems: string[]) => ({ keys: pems.map((pem) => parsePublicKey(pem)) });

describe('the evidence signing key', () => {
  it('is generated on first start (0600), kept, and its public key written for auditors', () => {
    const dataDir = join(dir, 'first-start');
    const signer = evidenceSigner(signingKeySource({}, dataDir));
    expect(signer).toMatchObject({ created: true, ephemeral: false });
    const keyFile = join(dataDir, 'signing-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(signer.publicKeyFile!, 'utf8')).toBe(signer.publicKeyPem);
    // A restart (a new configuration object) signs with the same key.
    const again = evidenceSigner(signingKeySource({}, dataDir));
    expect(again).toMatchObject({ created: false, keyId: signer.keyId });
    const bundle = again.bundle(events());
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle)), keysOf(readFileSync(signer.publicKeyFile!, 'utf8')))).toMatchObject({ ok: true, signature: { checked: true, key_id: signer.keyId } });
  });

  it('rotates: a new key signs new bundles, the old public key stays beside it for old ones', () => {
    const dataDir = join(dir, 'rotation');
    const before = evidenceSigner(signingKeySource({}, dataDir));
    const oldBundle = before.bundle(events());
    rmSync(join(dataDir, 'signing-key.pem'));
    const after = evidenceSigner(signingKeySource({}, dataDir));
    expect(after.keyId).not.toBe(before.keyId);
    const kept = [before.publicKeyFile!, after.publicKeyFile!].map((f) => readFileSync(f, 'utf8'));
    expect(verifyBundle(JSON.parse(JSON.stringify(oldBundle)), keysOf(...kept))).toMatchObject({ ok: true, signature: { key_id: before.keyId } });
    expect(verifyBundle(JSON.parse(JSON.stringify(after.bundle(events()))), keysOf(...kept))).toMatchObject({ ok: true, signature: { key_id: after.keyId } });
    expect(verifyBundle(JSON.parse(JSON.stringify(oldBundle)), keysOf(kept[1]!)).ok).toBe(false);
  });

  it('comes from RINGMASTER_SIGNING_KEY (escaped newlines too) or RINGMASTER_SIGNING_KEY_FILE', () => {
    const key = generateSigningKey();
    const fromEnv = signingKeySource({ RINGMASTER_SIGNING_KEY: privateKeyPem(key).replace(/\n/g, '\\n') }, join(dir, 'env'));
    expect(fromEnv.key?.keyId).toBe(key.keyId);
    // The parsed key object never serializes its secret into the configuration.
    expect(JSON.stringify(fromEnv)).not.toMatch(/PRIVATE KEY/);
    expect(evidenceSigner(fromEnv).keyId).toBe(key.keyId);
    const file = join(dir, 'given.pem');
    writeFileSync(file, privateKeyPem(key), { mode: 0o600 });
    expect(evidenceSigner(signingKeySource({ RINGMASTER_SIGNING_KEY_FILE: file }, join(dir, 'unused'))).keyId).toBe(key.keyId);
  });

  it('refuses a bad key with one line naming the variable, and never makes a key for an export', () => {
    expect(() => signingKeySource({ RINGMASTER_SIGNING_KEY: 'hunter2' }, dir)).toThrow(ConfigError);
    expect(() => signingKeySource({ RINGMASTER_SIGNING_KEY: 'hunter2' }, dir)).toThrow(/^RINGMASTER_SIGNING_KEY: expected a PEM private key/);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a key');
    expect(() => evidenceSigner(signingKeySource({ RINGMASTER_SIGNING_KEY_FILE: junk }, dir))).toThrow(/^RINGMASTER_SIGNING_KEY_FILE: .*junk\.pem: expected a PEM private key/);
    const aDirectory = join(dir, 'a-directory');
    mkdirSync(aDirectory);
    expect(() => evidenceSigner(signingKeySource({ RINGMASTER_SIGNING_KEY_FILE: aDirectory }, dir))).toThrow(/cannot be read \(EISDIR\)/);
    expect(() => evidenceSigner(signingKeySource({}, join(dir, 'never-started')), { create: false })).toThrow(/no signing key yet/);
  });

  it('is ephemeral for an in-memory data dir with no key set, and writes nothing', () => {
    const source = signingKeySource({}, 'memory://');
    expect(source).toEqual({});
    const signer = evidenceSigner(source);
    expect(signer).toMatchObject({ ephemeral: true });
    expect(signer.publicKeyFile).toBeUndefined();
  });
});

describe('the app signs every bundle it uploads', () => {
  let h: Awaited<ReturnType<typeof startInMemoryHarness>>;
  beforeAll(async () => {
    h = await startInMemoryHarness();
  }, 60_000);
  afterAll(async () => h?.stop());

  it('closing an incident uploads a signed bundle and a summary with the typed text escaped', async () => {
    const started = await h.command('incident payments sev1 <!channel> see <https://evil.example|this> **now**', 'UIC');
    const runId = started.runId!;
    await driveToEnd(h, runId, { choices: { evaluate: 'code' } });
    const root = h.fake.rootOf(runId)!;
    const files = h.fake.filesIn(root.ts);
    const bundle = JSON.parse(files.find((f) => f.title.startsWith('Evidence bundle'))!.content) as EvidenceBundle;
    // The harness names no key: the app's signer is the ephemeral one of a configuration without `signing`.
    const signer = evidenceSigner(undefined);
    expect(verifyBundle(bundle, keysOf(signer.publicKeyPem))).toMatchObject({ ok: true, run: runId, signature: { checked: true, key_id: signer.keyId } });
    // What anyone can rebuild from the same events is consistent but not signed.
    expect(verifyBundle(JSON.parse(JSON.stringify(buildBundle(bundle.events))), keysOf(signer.publicKeyPem))).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed/) });
    const summary = files.find((f) => f.title.startsWith('Summary'))!.content;
    expect(summary).toBe(bundle.summary_markdown);
    expect(summary).not.toMatch(/(?<!\\)<[!h]|(?<!\\)\*\*now/);
    expect(summary).toContain('\\<!channel\\>');
  });
});
