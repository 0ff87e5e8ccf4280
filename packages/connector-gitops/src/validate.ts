import { GitOpsInputError } from './errors.js';

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** An image repository without tag or digest: `registry/path/name`, lower case as the distribution spec requires. */
const IMAGE_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+$/;
/** Run and step ids go into commit trailers: one line, no spaces. */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const TARGET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** A service name as the profile allows it (a DNS label). */
const SERVICE_RE = /^[a-z]([a-z0-9-]{0,51}[a-z0-9])?$/;

const shown = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);

export function checkDigest(field: string, value: string): string {
  if (!DIGEST_RE.test(value)) throw new GitOpsInputError(field, `expected sha256: and 64 lower-case hex digits, found ${shown(value)}`);
  return value;
}

export function checkImage(field: string, value: string): string {
  if (!IMAGE_RE.test(value)) throw new GitOpsInputError(field, `expected an image repository without tag or digest (registry/name), found ${shown(value)}`);
  return value;
}

export function checkId(field: string, value: string): string {
  if (!ID_RE.test(value)) throw new GitOpsInputError(field, `expected 1-128 letters, digits or . _ : / - (no spaces), found ${shown(value)}`);
  return value;
}

export function checkTargetName(field: string, value: string): string {
  if (!TARGET_RE.test(value)) throw new GitOpsInputError(field, `expected a target name (letters, digits, . _ -), found ${shown(value)}`);
  return value;
}

export function checkServiceName(field: string, value: string): string {
  if (!SERVICE_RE.test(value)) throw new GitOpsInputError(field, `expected a service name (a lower-case DNS label), found ${shown(value)}`);
  return value;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A config repository URL: https, ssh, scp-like `git@host:path`, or file. Never one carrying
 * credentials (they come from the environment); plain http only on loopback.
 */
export function checkRepositoryUrl(field: string, value: string): string {
  if (/^[\w.-]+@[\w.-]+:(?!\/\/)[^\s]+$/.test(value)) return value; // git@host:org/repo.git
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GitOpsInputError(field, `expected a Git URL (https://, ssh://, git@host:path or file://), found ${shown(value.replace(/\/\/[^/@]*@/, '//***@'))}`);
  }
  if (url.password !== '' || (url.username !== '' && url.protocol !== 'ssh:')) {
    throw new GitOpsInputError(field, `expected a URL without credentials (set RINGMASTER_GIT_TOKEN instead), found one with user information`);
  }
  const allowed = url.protocol === 'https:' || url.protocol === 'ssh:' || url.protocol === 'file:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!allowed) throw new GitOpsInputError(field, `expected https://, ssh://, git@host:path or file:// (http:// only on loopback), found ${url.protocol}//`);
  return value;
}
