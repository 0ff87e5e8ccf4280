import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical.js';

export const SIGNATURE_ALGORITHM = 'ed25519';

/** Who vouches for a bundle: an Ed25519 signature by the key the app holds. */
export interface BundleSignature {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** `ed25519:` + the first 32 hex digits of the SHA-256 of the public key (SPKI DER). */
  key_id: string;
  /** Base64 Ed25519 signature over the statement made by `signedStatement`. */
  value: string;
}

/** A key pair for signing bundles. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

/** What a signed statement binds: the run, its chain head, and every other byte of the bundle. */
const STATEMENT_PURPOSE = 'ringmaster evidence bundle signature v1';

/** A key's id: derived from the public key alone, so an auditor computes it from the PEM they hold. */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `${SIGNATURE_ALGORITHM}:${createHash('sha256').update(der).digest('hex').slice(0, 32)}`;
}

function ensureEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== SIGNATURE_ALGORITHM) throw new Error(`expected an Ed25519 ${what}, found ${key.asymmetricKeyType ?? 'a symmetric key'}`);
}

/** Parses a PEM public key (SPKI); refuses private keys, which an auditor should never hold. */
export function parsePublicKey(pem: string): KeyObject {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error('expected a public key, found a private key (give auditors the public key only)');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('expected a PEM public key (-----BEGIN PUBLIC KEY-----), found something else');
  }
  ensureEd25519(key, 'public key');
  return key;
}

/** Parses a PEM private key (PKCS#8) into a signing key pair. */
export function parseSigningKey(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error('expected a PEM private key (-----BEGIN PRIVATE KEY-----), found something else');
  }
  ensureEd25519(privateKey, 'private key');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyId(publicKey) };
}

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync(SIGNATURE_ALGORITHM);
  return { privateKey, publicKey, keyId: keyId(publicKey) };
}

export function privateKeyPem(key: SigningKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The bytes a signature covers, for a bundle given without its `signature` member. */
export function signedStatement(unsigned: { run: { id: string }; head: { count: number; hash: string } }, signer: string): Buffer {
  return Buffer.from(
    canonicalJson({
      purpose: STATEMENT_PURPOSE,
      algorithm: SIGNATURE_ALGORITHM,
      key_id: signer,
      run: unsigned.run.id,
      head: unsigned.head,
      content_sha256: createHash('sha256').update(canonicalJson(unsigned)).digest('hex'),
    }),
  );
}

export function signStatement(statement: Buffer, key: SigningKey): BundleSignature {
  return { algorithm: SIGNATURE_ALGORITHM, key_id: key.keyId, value: sign(null, statement, key.privateKey).toString('base64') };
}

export function verifyStatement(statement: Buffer, value: string, publicKey: KeyObject): boolean {
  return verify(null, statement, publicKey, Buffer.from(value, 'base64'));
}
