import { generateKeyPairSync } from 'node:crypto';
import type { Checklist } from '@ringmaster/core';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  GENESIS_HASH,
  generateSigningKey,
  keyId,
  parsePublicKey,
  parseSigningKey,
  privateKeyPem,
  publicKeyPem,
  sealEvent,
  signBundle,
  verifyBundle,
  type EventBody,
  type EvidenceBundle,
  type EvidenceEvent,
} from '../src/index.js';

const incident: Checklist = {
  id: 'incident-sev1',
  title: 'Incident response: payments (sev1)',
  summary: 'Respond',
  kb: ['KB_14#Incident_Response'],
  steps: [
    { id: 'acknowledge', title: 'Acknowledge the alert', kind: 'task', marks: ['acknowledged'] },
    { id: 'rollback', title: 'Roll back the release', kind: 'task', marks: ['mitigated'] },
    { id: 'approve', title: 'Approve the rollback', kind: 'approval', role: 'approver' },
    { id: 'stabilize', title: 'Stabilize: error rate drops', kind: 'task', marks: ['resolved'] },
  ],
};

const drill: Checklist = {
  id: 'dr-drill',
  title: 'DR drill: region failure',
  summary: 'Drill',
  kb: ['KB_15#Drills'],
  steps: [
    { id: 'trigger', title: 'Trigger the disaster', kind: 'task', marks: ['drill_start'] },
    { id: 'restore', title: 'Run the restore runbook', kind: 'task' },
    { id: 'verify', title: 'Verify against RTO and RPO', kind: 'approval', role: 'approver', marks: ['drill_end'] },
  ],
};

type Body = Omit<EventBody, 'seq' | 'run_id'>;

/** Seals bodies into a fresh chain: exactly what a forger does with the public functions. */
function seal(bodies: readonly Body[], runId = 'rm-1'): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  let prev = GENESIS_HASH;
  bodies.forEach((b, seq) => {
    const e = sealEvent(prev, { ...b, seq, run_id: runId });
    out.push(e);
    prev = e.hash;
  });
  return out;
}

const t = (sec: number): string => new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + sec * 1000).toISOString();

const incidentBodies = (): Body[] => [
  { type: 'run.opened', actor: 'UCAPTAIN', at: t(0), data: { kind: 'incident', title: incident.title, checklist: incident, params: { service: 'payments', severity: 'sev1' }, channel: 'C1' } },
  { type: 'step.completed', actor: 'UCAPTAIN', at: t(60), step: 'acknowledge' },
  { type: 'step.completed', actor: 'UIC', at: t(600), step: 'rollback' },
  { type: 'step.approved', actor: 'UAPPROVER', at: t(900), step: 'approve' },
  { type: 'step.completed', actor: 'UIC', at: t(1580), step: 'stabilize' },
  { type: 'run.closed', actor: 'ringmaster', at: t(1580), data: { reason: 'completed' } },
];

const drillBodies = (verifiedAt: number): Body[] => [
  { type: 'run.opened', actor: 'UIC', at: t(0), data: { kind: 'drill', title: drill.title, checklist: drill, params: { scenario: 'region', rto: '1h', rpo: '15m' }, channel: 'C1' } },
  { type: 'step.completed', actor: 'UIC', at: t(60), step: 'trigger' },
  { type: 'step.completed', actor: 'UIC', at: t(1800), step: 'restore' },
  { type: 'step.approved', actor: 'UAPPROVER', at: t(verifiedAt), step: 'verify' },
  { type: 'run.closed', actor: 'ringmaster', at: t(verifiedAt), data: { reason: 'completed' } },
];

const appKey = generateSigningKey();
/** What the auditor holds: the public key as PEM, parsed the way `evidence verify --key` does. */
const auditorKey = parsePublicKey(publicKeyPem(appKey.publicKey));

const roundTrip = (b: EvidenceBundle): unknown => JSON.parse(JSON.stringify(b));

describe('signed evidence bundles', () => {
  const signedIncident = signBundle(buildBundle(seal(incidentBodies())), appKey);

  it('the forgeries below change what an auditor reads', () => {
    const { metrics } = signedIncident;
    expect([metrics?.mtta_seconds, metrics?.mttr_seconds]).toEqual([60, 1580]);
    expect(buildBundle(seal(drillBodies(5460))).drill?.pass).toBe(false);
  });

  it('an untouched signed bundle verifies against the app key', () => {
    expect(signedIncident.signature).toMatchObject({ algorithm: 'ed25519', key_id: appKey.keyId });
    expect(verifyBundle(roundTrip(signedIncident), { keys: [auditorKey] })).toEqual({
      ok: true,
      count: 6,
      head: signedIncident.head.hash,
      run: 'rm-1',
      signature: { checked: true, key_id: appKey.keyId },
    });
  });

  it('without keys, verification says the signature was not checked', () => {
    const result = verifyBundle(roundTrip(signedIncident));
    expect(result).toMatchObject({ ok: true, signature: { checked: false, key_id: appKey.keyId } });
    expect(verifyBundle(roundTrip(buildBundle(seal(incidentBodies()))))).toMatchObject({ ok: true, signature: { checked: false, key_id: null } });
  });

  const forgeries: [string, () => { original: EvidenceBundle; bodies: Body[] }][] = [
    [
      're-timed events: MTTR of 1,580 s made 150 s',
      () => {
        const b = incidentBodies();
        b[2] = { ...b[2]!, at: t(100) };
        b[3] = { ...b[3]!, at: t(120) };
        b[4] = { ...b[4]!, at: t(150) };
        b[5] = { ...b[5]!, at: t(150) };
        return { original: signedIncident, bodies: b };
      },
    ],
    [
      'a failed drill made to pass',
      () => {
        const b = drillBodies(5460);
        b[3] = { ...b[3]!, at: t(2700) };
        b[4] = { ...b[4]!, at: t(2700) };
        return { original: signBundle(buildBundle(seal(drillBodies(5460))), appKey), bodies: b };
      },
    ],
    [
      'an approval inserted by someone else',
      () => {
        const b = incidentBodies().filter((e) => e.type !== 'step.approved');
        const original = signBundle(buildBundle(seal(b)), appKey);
        b.splice(3, 0, { type: 'step.approved', actor: 'UMALLORY', at: t(900), step: 'approve' });
        return { original, bodies: b };
      },
    ],
    ['reassigned actions', () => ({ original: signedIncident, bodies: incidentBodies().map((e) => (e.actor === 'UIC' ? { ...e, actor: 'UOTHER' } : e)) })],
    ['run.closed removed', () => ({ original: signedIncident, bodies: incidentBodies().filter((e) => e.type !== 'run.closed') })],
  ];

  it.each(forgeries)('%s, hashes recomputed with buildBundle: consistent, but fails with the key', (_name, forge) => {
    const { original, bodies: forgedBodies } = forge();
    expect(verifyBundle(roundTrip(original), { keys: [auditorKey] }).ok).toBe(true);
    const rebuilt = buildBundle(seal(forgedBodies));
    expect(rebuilt.summary_markdown).not.toBe(original.summary_markdown);
    // The forgery is internally consistent: that is exactly why a key is needed.
    expect(verifyBundle(roundTrip(rebuilt)).ok).toBe(true);
    expect(rebuilt.head.hash).not.toBe(original.head.hash);
    const attempts: [string, EvidenceBundle, RegExp][] = [
      ['unsigned', rebuilt, /not signed/],
      ['original signature copied', { ...rebuilt, signature: original.signature! }, /does not match the bundle/],
      ['signed by the forger', signBundle(rebuilt, generateSigningKey()), /not among the keys given/],
    ];
    for (const [how, forged, reason] of attempts) {
      const result = verifyBundle(roundTrip(forged), { keys: [auditorKey] });
      expect(result.ok, how).toBe(false);
      if (!result.ok) expect(result.reason, how).toMatch(reason);
    }
    expect(verifyBundle(roundTrip(rebuilt), { expectHead: original.head.hash }).ok).toBe(false);
  });

  it('a member added or changed after signing fails, even where consistency does not look', () => {
    const extra = roundTrip(signedIncident) as EvidenceBundle & { events: (EvidenceEvent & { note?: string })[] };
    extra.events[1]!.note = 'acknowledged by phone';
    // The event hash covers the body only, so this is consistent ...
    expect(verifyBundle(extra).ok).toBe(true);
    // ... but not what the app signed.
    expect(verifyBundle(extra, { keys: [auditorKey] })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not match the bundle/) });
    const relabelled = roundTrip(signedIncident) as EvidenceBundle;
    relabelled.signature!.key_id = keyId(generateSigningKey().publicKey);
    expect(verifyBundle(relabelled, { keys: [auditorKey] }).ok).toBe(false);
    const malformed = roundTrip(signedIncident) as { signature: unknown };
    malformed.signature = { algorithm: 'rsa', key_id: 'x', value: 'y' };
    expect(verifyBundle(malformed)).toMatchObject({ ok: false, reason: expect.stringMatching(/signature is malformed/) });
  });

  it('a bundle signed by a rotated-out key still verifies with its public key', () => {
    const oldKey = parseSigningKey(privateKeyPem(generateSigningKey()));
    const old = signBundle(buildBundle(seal(incidentBodies(), 'rm-old')), oldKey);
    const current = signBundle(buildBundle(seal(incidentBodies(), 'rm-new')), appKey);
    const ring = [auditorKey, parsePublicKey(publicKeyPem(oldKey.publicKey))];
    expect(verifyBundle(roundTrip(old), { keys: ring })).toMatchObject({ ok: true, signature: { checked: true, key_id: oldKey.keyId } });
    expect(verifyBundle(roundTrip(current), { keys: ring })).toMatchObject({ ok: true, signature: { checked: true, key_id: appKey.keyId } });
    const withoutOld = verifyBundle(roundTrip(old), { keys: [auditorKey] });
    expect(withoutOld).toMatchObject({ ok: false, reason: expect.stringContaining(oldKey.keyId) });
  });

  it('checks the head posted in Slack', () => {
    const head = signedIncident.head.hash;
    expect(verifyBundle(roundTrip(signedIncident), { keys: [auditorKey], expectHead: head }).ok).toBe(true);
    const wrong = verifyBundle(roundTrip(signedIncident), { keys: [auditorKey], expectHead: 'f'.repeat(64) });
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringMatching(/^head is [0-9a-f]{64}, expected f{64}/) });
  });

  it('signing is deterministic and re-signing replaces the signature', () => {
    const bundle = buildBundle(seal(incidentBodies()));
    expect(signBundle(bundle, appKey)).toEqual(signBundle(bundle, appKey));
    const other = generateSigningKey();
    const resigned = signBundle(signBundle(bundle, appKey), other);
    expect(resigned.signature?.key_id).toBe(other.keyId);
    expect(verifyBundle(roundTrip(resigned), { keys: [parsePublicKey(publicKeyPem(other.publicKey))] }).ok).toBe(true);
  });

  it('refuses keys that are not Ed25519 public keys', () => {
    expect(() => parsePublicKey(privateKeyPem(appKey))).toThrow(/found a private key/);
    expect(() => parsePublicKey('not a key')).toThrow(/expected a PEM public key/);
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parsePublicKey(x25519)).toThrow(/expected an Ed25519 public key, found x25519/);
    expect(() => parseSigningKey(publicKeyPem(appKey.publicKey))).toThrow(/expected a PEM private key/);
  });

  it('refuses a v1 bundle with a message saying what to do', () => {
    const v1 = { ...(roundTrip(buildBundle(seal(incidentBodies()))) as object), format: 'ringmaster.evidence.v1' };
    expect(verifyBundle(v1)).toMatchObject({ ok: false, reason: expect.stringMatching(/earlier version; export the run again/) });
  });
});
