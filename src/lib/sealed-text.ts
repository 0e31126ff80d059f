/**
 * Text at rest sealed with AES-256-GCM: a random 12-byte nonce per value, a fixed 16-byte tag, and additional data
 * that binds the value to where it belongs (so a sealed value copied elsewhere does not open). Stored as
 * `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. Used for dashboard users' GitHub tokens and the secret store.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Seals `text` under the 32-byte `key`, bound to `additionalData`. */
export function sealText(key: Buffer, additionalData: Buffer, text: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData);
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return [
    VERSION,
    nonce.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** The text sealed by {@link sealText}, or undefined when it does not open: another key, other data, changed bytes. */
export function openText(key: Buffer, additionalData: Buffer, sealed: string): string | undefined {
  const [version, nonce, ciphertext, tag, ...rest] = sealed.split('.');
  if (version !== VERSION || nonce === undefined || ciphertext === undefined || tag === undefined || rest.length > 0)
    return undefined;
  const nonceBytes = Buffer.from(nonce, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (nonceBytes.length !== NONCE_BYTES || tagBytes.length !== TAG_BYTES) return undefined;
  try {
    // A fixed tag length: GCM would accept a truncated tag otherwise.
    const decipher = createDecipheriv('aes-256-gcm', key, nonceBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData);
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
