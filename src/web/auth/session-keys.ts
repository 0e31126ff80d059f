/**
 * The keys a dashboard session secret gives: HMACs for the session and login-state cookies and for CSRF tokens,
 * and the AES-256-GCM key that seals the user's GitHub token in the database. Each use has its own label, so a
 * value signed for one purpose never verifies for another.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { sameText } from '../../lib/same-text.ts';

/** Labels of the signed values; part of the signed text. */
export type SignedPurpose = 'session' | 'login' | 'csrf';

/** What a session secret is used for, derived once. */
export interface SessionKeys {
  /** HMAC-SHA256 of `<purpose>:<text>`, base64url. */
  sign(purpose: SignedPurpose, text: string): string;
  /** Whether `signature` is {@link SessionKeys.sign}'s for the text (constant-time). */
  verify(purpose: SignedPurpose, text: string, signature: string): boolean;
  /** The 32-byte key for sealing GitHub tokens. */
  encryptionKey: Buffer;
}

/** The keys of a session secret (see the module comment). */
export function sessionKeys(sessionSecret: string): SessionKeys {
  const sign = (purpose: SignedPurpose, text: string): string =>
    createHmac('sha256', sessionSecret).update(`${purpose}:${text}`).digest('base64url');
  return {
    sign,
    verify: (purpose, text, signature) => sameText(sign(purpose, text), signature),
    encryptionKey: Buffer.from(
      hkdfSync('sha256', sessionSecret, Buffer.alloc(0), 'yardmaster dashboard token key', 32),
    ),
  };
}
