/**
 * One secret value at rest: AES-256-GCM with a random 12-byte nonce per value. The repository, environment and name
 * are the additional authenticated data, so a sealed value copied to another row (another repository, environment
 * or name) does not open: a database writer cannot hand one repository's secret to another.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { SecretsKey } from './secret-key.ts';
import type { SecretScope } from './secret-types.ts';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The bytes the seal is bound to: a labelled, unambiguous encoding of the scope. */
function additionalData(scope: SecretScope): Buffer {
  return Buffer.from(canonicalJson({ purpose: 'yardmaster secret', repo: scope.repo, environment: scope.environment, name: scope.name }));
}

/** Seals `value` for `scope`: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
export function sealSecret(key: SecretsKey, scope: SecretScope, value: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.bytes(), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(scope));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [VERSION, nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/**
 * The value sealed by {@link sealSecret} for `scope`, or undefined when it does not open: another key, another
 * scope, or changed bytes (GCM authenticates all three).
 */
export function openSecret(key: SecretsKey, scope: SecretScope, sealed: string): string | undefined {
  const [version, nonce, ciphertext, tag, ...rest] = sealed.split('.');
  if (version !== VERSION || nonce === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) return undefined;
  const nonceBytes = Buffer.from(nonce, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (nonceBytes.length !== NONCE_BYTES || tagBytes.length !== TAG_BYTES) return undefined;
  try {
    // A fixed tag length: GCM would accept a truncated tag otherwise.
    const decipher = createDecipheriv('aes-256-gcm', key.bytes(), nonceBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(scope));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
