/** Opening one ssh2 connection to a host: host key pinning, authentication, and closed failure reasons. */
import type { ConnectConfig } from 'ssh2';
import { loadSsh2Client } from './ssh2-client.ts';
import { propertyOf } from '../lib/trust-boundaries.ts';
import type { HostEntry } from '../config/types.ts';
import { CoalescingSocket } from './coalescing-socket.ts';
import { hostKeyFingerprint } from './host-key-fingerprint.ts';
import { INTERRUPT_GRACE_MS } from './interrupt-escalation.ts';
import { decideHostKey, type HostKeyDecision } from './host-key-policy.ts';
import { PREFERRED_CIPHERS, type SshCipher } from './ssh-algorithms.ts';
import { trackSshConnection, type SshConnection } from './ssh-connection.ts';
import { ConnectError, type ConnectFailure, type ConnectOptions } from './types.ts';

/** Transport settings of the ssh plugin (not per host). */
export interface SshTuning {
  /** Cipher preference, first = most preferred. */
  ciphers: readonly SshCipher[];
  /** SSH-level keepalive: a silent host is declared lost after about interval × (countMax + 1). */
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Time between SIGTERM and SIGKILL when a command is interrupted. */
  interruptGraceMs: number;
}

/** Defaults: AES via OpenSSL first; a dead host is noticed within about 20 s even if it never resets TCP. */
export const DEFAULT_SSH_TUNING: SshTuning = {
  ciphers: PREFERRED_CIPHERS,
  keepaliveIntervalMs: 5000,
  keepaliveCountMax: 3,
  interruptGraceMs: INTERRUPT_GRACE_MS,
};

function property(error: unknown, name: string): unknown {
  return propertyOf(error, name);
}

function classify(error: Error): ConnectFailure {
  const level = property(error, 'level');
  const code = property(error, 'code');
  if (level === 'client-authentication') return 'auth-failed';
  if (level === 'client-timeout') return 'timeout';
  if (code === 'ETIMEDOUT') return 'timeout';
  return 'unreachable';
}

function describe(reason: ConnectFailure, host: HostEntry, error: Error | undefined, options: ConnectOptions): string {
  const where = `${host.name} (${host.address}:${host.port})`;
  const user = host.user ?? options.defaultUser;
  switch (reason) {
    case 'auth-failed':
      return `Authentication as ${user} to ${where} failed: the server accepted none of the offered keys.`;
    case 'timeout':
      return `Timed out connecting to ${where} after ${options.readyTimeoutMs} ms.`;
    case 'aborted':
      return `Connecting to ${where} was aborted.`;
    default:
      return `Cannot reach ${where}: ${error?.message ?? 'the connection closed during the handshake'}.`;
  }
}

/**
 * Connects to `host` and resolves when the session is ready to use. Rejects with a {@link ConnectError}:
 * `host-key-mismatch` / `host-key-unknown` from pinning, `auth-failed`, `unreachable`, `timeout`, `aborted`.
 */
export async function openSshConnection(
  host: HostEntry,
  options: ConnectOptions,
  tuning: SshTuning = DEFAULT_SSH_TUNING,
): Promise<SshConnection> {
  const Client = await loadSsh2Client();
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(new ConnectError('aborted', host.name, describe('aborted', host, undefined, options)));
      return;
    }
    const client = new Client();
    let decision: HostKeyDecision | undefined;
    let presented: string | undefined;
    let lastError: Error | undefined;
    let settled = false;
    const fail = (reason: ConnectFailure, message: string): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      client.destroy();
      reject(new ConnectError(reason, host.name, message));
    };
    const onAbort = (): void => {
      fail('aborted', describe('aborted', host, undefined, options));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    client.on('error', (error: Error) => {
      lastError = error;
      if (decision !== undefined && !decision.ok) {
        fail(decision.reason, decision.message);
        return;
      }
      const reason = classify(error);
      fail(reason, describe(reason, host, error, options));
    });
    client.once('close', () => {
      if (decision !== undefined && !decision.ok) fail(decision.reason, decision.message);
      else fail('unreachable', describe('unreachable', host, lastError, options));
    });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (decision?.ok === true && decision.newKey && presented !== undefined) options.onNewHostKey?.(host, presented);
      resolve(trackSshConnection(client, host));
    });

    // Our own socket: it batches ssh2's small writes (coalescing-socket.ts).
    const socket = new CoalescingSocket();
    socket.setMaxListeners(0);
    const config: ConnectConfig = {
      sock: socket,
      host: host.address,
      port: host.port,
      username: host.user ?? options.defaultUser,
      readyTimeout: options.readyTimeoutMs,
      keepaliveInterval: tuning.keepaliveIntervalMs,
      keepaliveCountMax: tuning.keepaliveCountMax,
      algorithms: { cipher: [...tuning.ciphers] },
      hostVerifier: (key: Buffer): boolean => {
        presented = hostKeyFingerprint(key);
        decision = decideHostKey(host, presented, options.acceptNewHostKeys);
        return decision.ok;
      },
    };
    if (options.privateKey !== undefined) config.privateKey = options.privateKey;
    if (options.passphrase !== undefined) config.passphrase = options.passphrase;
    if (options.agent !== undefined) config.agent = options.agent;
    try {
      // Connecting before ssh2 gets it: a socket still connecting is one ssh2 waits for.
      socket.connect({ host: host.address, port: host.port });
      // Without TCP_NODELAY every exec pays Nagle + delayed-ACK stalls: ~88 ms instead of ~3 ms per command.
      socket.setNoDelay(true);
      client.connect(config);
    } catch (error) {
      socket.destroy();
      // ssh2 throws synchronously for a key it cannot parse (or a wrong passphrase).
      const message = error instanceof Error ? error.message : String(error);
      fail('auth-failed', `Cannot use the private key for ${host.name}: ${message}.`);
    }
  });
}
