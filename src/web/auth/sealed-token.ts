/**
 * The user's GitHub token at rest: AES-256-GCM with a random nonce, bound to its session row (the row key is the
 * additional authenticated data, so a sealed token copied to another row does not open).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** Seals `token` for the row `rowKey`: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
export function sealToken(key: Buffer, rowKey: string, token: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(rowKey));
  const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [VERSION, nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The token sealed by {@link sealToken}, or undefined when it does not open (other key, other row, damaged). */
export function openToken(key: Buffer, rowKey: string, sealed: string): string | undefined {
  const [version, nonce, ciphertext, tag, ...rest] = sealed.split('.');
  if (version !== VERSION || nonce === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) return undefined;
  try {
    // A fixed tag length: GCM would accept a truncated tag otherwise.
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(rowKey));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
