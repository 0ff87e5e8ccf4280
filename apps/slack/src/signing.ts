import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  buildBundle,
  generateSigningKey,
  parseSigningKey,
  privateKeyPem,
  publicKeyPem,
  signBundle,
  type EvidenceBundle,
  type EvidenceEvent,
  type SigningKey,
} from '@ringmaster/evidence';
import { ConfigError } from './config.js';

/**
 * Where the evidence signing key comes from. The private key never sits in
 * the configuration as text: a PEM from the environment is parsed at once.
 */
export interface SigningKeySource {
  /** Parsed from `RINGMASTER_SIGNING_KEY`. */
  key?: SigningKey;
  /** `RINGMASTER_SIGNING_KEY_FILE`, else `<data dir>/signing-key.pem`; absent for an in-memory data dir. */
  file?: string;
  /** Every public key the app has signed with, as `<key id>.pem`, so rotated-out keys stay at hand. */
  publicKeysDir?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads `RINGMASTER_SIGNING_KEY` / `RINGMASTER_SIGNING_KEY_FILE`; throws ConfigError naming the variable. */
export function signingKeySource(env: Env, dataDir: string): SigningKeySource {
  const inMemory = dataDir.startsWith('memory://');
  const pem = env['RINGMASTER_SIGNING_KEY']?.trim();
  const file = env['RINGMASTER_SIGNING_KEY_FILE']?.trim() || (inMemory ? undefined : join(dataDir, 'signing-key.pem'));
  const publicKeysDir = file ? join(dirname(file), 'evidence-public-keys') : undefined;
  if (!pem) return { ...(file ? { file } : {}), ...(publicKeysDir ? { publicKeysDir } : {}) };
  try {
    return { key: parseSigningKey(pem.replace(/\\n/g, '\n')), ...(inMemory ? {} : { publicKeysDir: join(dataDir, 'evidence-public-keys') }) };
  } catch (error) {
    throw new ConfigError('RINGMASTER_SIGNING_KEY', `${(error as Error).message}`);
  }
}

/** Signs every bundle the app builds; the public key is what auditors pass to `ringmaster evidence verify --key`. */
export interface EvidenceSigner {
  keyId: string;
  publicKeyPem: string;
  /** Where the public key was written (`<publicKeysDir>/<key id>.pem`), unless the key is ephemeral. */
  publicKeyFile?: string;
  /** True when the key was made just now. */
  created: boolean;
  /** True for an in-memory data dir without a key: bundles verify only with the public key of this process. */
  ephemeral: boolean;
  /** The run's bundle, signed. */
  bundle(events: readonly EvidenceEvent[]): EvidenceBundle;
}

function readKeyFile(file: string): SigningKey {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('RINGMASTER_SIGNING_KEY_FILE', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return parseSigningKey(pem);
  } catch (error) {
    throw new ConfigError('RINGMASTER_SIGNING_KEY_FILE', `${file}: ${(error as Error).message}`);
  }
}

/** Writes a new key readable by its owner only (0600, also when the file's directory is shared). */
function createKeyFile(file: string): SigningKey {
  const key = generateSigningKey();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, privateKeyPem(key), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

function openSigner(source: SigningKeySource, create: boolean): EvidenceSigner {
  let key = source.key;
  let created = false;
  if (!key && source.file) {
    if (existsSync(source.file)) key = readKeyFile(source.file);
    else if (create) {
      key = createKeyFile(source.file);
      created = true;
    } else throw new ConfigError('RINGMASTER_SIGNING_KEY_FILE', `${source.file}: no signing key yet (start the app once, or set RINGMASTER_SIGNING_KEY_FILE)`);
  }
  const ephemeral = !key;
  const signingKey = key ?? generateSigningKey();
  const pem = publicKeyPem(signingKey.publicKey);
  let publicKeyFile: string | undefined;
  if (!ephemeral && source.publicKeysDir) {
    publicKeyFile = join(source.publicKeysDir, `${signingKey.keyId.replace(/[^A-Za-z0-9_-]/g, '-')}.pem`);
    mkdirSync(source.publicKeysDir, { recursive: true });
    if (!existsSync(publicKeyFile)) writeFileSync(publicKeyFile, pem, { mode: 0o644 });
  }
  return {
    keyId: signingKey.keyId,
    publicKeyPem: pem,
    ...(publicKeyFile ? { publicKeyFile } : {}),
    created,
    ephemeral,
    bundle: (events) => signBundle(buildBundle(events), signingKey),
  };
}

const signers = new WeakMap<SigningKeySource, EvidenceSigner>();
const NO_SOURCE: SigningKeySource = {};

/**
 * The app's signer for a key source, opened once per source: the key is loaded
 * (or, with `create`, generated on first start) and its public key written
 * beside it. Without a source (an in-memory test configuration) the key is
 * ephemeral.
 */
export function evidenceSigner(source: SigningKeySource | undefined, options: { create?: boolean } = {}): EvidenceSigner {
  const from = source ?? NO_SOURCE;
  let signer = signers.get(from);
  if (!signer) {
    signer = openSigner(from, options.create ?? true);
    signers.set(from, signer);
  }
  return signer;
}
