import { createHash } from 'node:crypto';

/**
 * OpenSSH fingerprint of a host key blob (the wire-format key, as `ssh-keygen -lf` hashes it):
 * `SHA256:` + base64 of its SHA-256 digest without `=` padding.
 */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** A pinned fingerprint as written in a config, reduced to the form {@link hostKeyFingerprint} returns. */
export function normalizeFingerprint(pinned: string): string {
  const trimmed = pinned.trim().replace(/=+$/, '');
  return trimmed.startsWith('SHA256:') ? trimmed : `SHA256:${trimmed}`;
}
