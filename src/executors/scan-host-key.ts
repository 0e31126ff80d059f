/**
 * Learning a host's key without logging in: only the SSH key exchange. ssh2 hands the host key to `hostVerifier`
 * during the handshake; the scan keeps its fingerprint, refuses the key (so no authentication is ever attempted) and
 * ends the connection. Nothing else the host sends is kept: failure reasons are our own words or the local error code.
 */
import { loadSsh2Client } from './ssh2-client.ts';
import { errnoCode, propertyOf } from '../lib/trust-boundaries.ts';
import type { HostEntry } from '../config/types.ts';
import { hostKeyFingerprint, normalizeFingerprint } from './host-key-fingerprint.ts';

/** What a scan learned of one host: its key's `SHA256:` fingerprint, or why it could not. */
export type HostKeyScan = { ok: true; fingerprint: string } | { ok: false; reason: string };

/** A scanned key against the config's pin: none pinned, equal, or not. */
export type HostKeyStatus = 'new' | 'same' | 'different';

export interface ScanOptions {
  /** The whole scan of one host, TCP connect included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Default bound of one host's scan. */
export const SCAN_TIMEOUT_MS = 10_000;
/** Default number of hosts scanned at once. */
export const SCAN_CONCURRENCY = 8;

// The user name sent in the handshake's service request is never used: the key is refused before authentication.
const SCAN_USER = 'yardmaster-host-key-scan';

/** Local socket errors in words; anything else is named by its code only (the message may quote the peer). */
const SOCKET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'address not found',
  EAI_AGAIN: 'address lookup failed',
  ETIMEDOUT: 'timed out',
};

function failureReason(error: Error, timeoutMs: number): string {
  if (propertyOf(error, 'level') === 'client-timeout') return `timed out after ${timeoutMs} ms`;
  const code = errnoCode(error);
  if (code !== undefined) return SOCKET_ERRORS[code] ?? code.replace(/[^A-Z0-9_]/g, '');
  return 'no SSH key exchange';
}

/**
 * Connects to `host`'s address and port, takes the host key from the key exchange and disconnects. Never
 * authenticates. The key is negotiated with ssh2's default host key algorithms, as the release engine's connections
 * are, so the fingerprint is the one the engine will check against the pin.
 */
export async function scanHostKey(
  host: Pick<HostEntry, 'address' | 'port'>,
  options: ScanOptions,
): Promise<HostKeyScan> {
  const Client = await loadSsh2Client();
  return new Promise((resolve) => {
    if (options.signal?.aborted === true) {
      resolve({ ok: false, reason: 'aborted' });
      return;
    }
    const client = new Client();
    let settled = false;
    const finish = (result: HostKeyScan): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      client.destroy();
      resolve(result);
    };
    const onAbort = (): void => {
      finish({ ok: false, reason: 'aborted' });
    };
    const timer = setTimeout(() => {
      finish({ ok: false, reason: `timed out after ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', (error: Error) => {
      finish({ ok: false, reason: failureReason(error, options.timeoutMs) });
    });
    client.once('close', () => {
      finish({ ok: false, reason: 'connection closed before the key exchange' });
    });
    // A session that got ready would mean a login: the key is always refused first, so this never happens.
    client.once('ready', () => {
      finish({ ok: false, reason: 'unexpected login' });
    });
    try {
      client.connect({
        host: host.address,
        port: host.port,
        username: SCAN_USER,
        readyTimeout: options.timeoutMs,
        tryKeyboard: false,
        hostVerifier: (key: Buffer): boolean => {
          finish({ ok: true, fingerprint: hostKeyFingerprint(key) });
          return false;
        },
      });
    } catch (error) {
      finish({
        ok: false,
        reason: error instanceof Error ? failureReason(error, options.timeoutMs) : 'cannot connect',
      });
    }
  });
}

/** Compares a scanned fingerprint with the config's pin (either may carry `=` padding). */
export function hostKeyStatus(pinned: string | undefined, fingerprint: string): HostKeyStatus {
  if (pinned === undefined) return 'new';
  return normalizeFingerprint(pinned) === normalizeFingerprint(fingerprint) ? 'same' : 'different';
}

/** Scans `hosts` at most `concurrency` at a time; the results are in the order of `hosts`. */
export async function scanHostKeys(
  hosts: readonly Pick<HostEntry, 'address' | 'port'>[],
  options: ScanOptions & { concurrency: number },
): Promise<HostKeyScan[]> {
  const results: HostKeyScan[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hosts.length) {
      const index = next;
      next += 1;
      const host = hosts[index];
      if (host !== undefined) results[index] = await scanHostKey(host, options);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, hosts.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
