/** Host key pinning: the decision for one presented key, with a message fit for a user on refusal. */
import type { HostEntry } from '../config/types.ts';
import { normalizeFingerprint } from './host-key-fingerprint.ts';

export type HostKeyDecision =
  | { ok: true; newKey: boolean }
  | { ok: false; reason: 'host-key-mismatch' | 'host-key-unknown'; message: string };

/**
 * Pinned and equal → accept. Pinned and different → refuse (always; there is no override). Not pinned →
 * refuse unless `acceptNewHostKeys`, in which case the key is accepted and reported as new.
 */
export function decideHostKey(host: HostEntry, presented: string, acceptNewHostKeys: boolean): HostKeyDecision {
  const where = `${host.name} (${host.address}:${host.port})`;
  if (host.hostKey !== undefined) {
    const expected = normalizeFingerprint(host.hostKey);
    if (expected === presented) return { ok: true, newKey: false };
    return {
      ok: false,
      reason: 'host-key-mismatch',
      message:
        `Host key mismatch for ${where}: expected ${expected} (pinned in the config) but the server presented ` +
        `${presented}. Someone may be intercepting the connection (a man-in-the-middle attack), or the host was ` +
        `reinstalled. Refusing to connect; if the new key is legitimate, update host_key for ${host.name}.`,
    };
  }
  if (acceptNewHostKeys) return { ok: true, newKey: true };
  return {
    ok: false,
    reason: 'host-key-unknown',
    message:
      `Unknown host key for ${where}: the server presented ${presented} and no key is pinned. Check it on the ` +
      `host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then pin it with host_key: "${presented}" on ` +
      `this host in the config, or accept new host keys with the explicit flag.`,
  };
}
