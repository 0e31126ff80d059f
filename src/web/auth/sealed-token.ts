/**
 * The user's GitHub token at rest: sealed text (AES-256-GCM, src/lib/sealed-text.ts) bound to its session row (the
 * row key is the additional authenticated data, so a sealed token copied to another row does not open).
 */
import { openText, sealText } from '../../lib/sealed-text.ts';

/** Seals `token` for the row `rowKey`: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
export function sealToken(key: Buffer, rowKey: string, token: string): string {
  return sealText(key, Buffer.from(rowKey), token);
}

/** The token sealed by {@link sealToken}, or undefined when it does not open (other key, other row, damaged). */
export function openToken(key: Buffer, rowKey: string, sealed: string): string | undefined {
  return openText(key, Buffer.from(rowKey), sealed);
}
