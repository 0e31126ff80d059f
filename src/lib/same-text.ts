/** Comparing secrets (tokens, CSRF values) without leaking through timing how much of them matched. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings of any lengths (their digests are compared, so lengths do not leak). */
export function sameText(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
