/** A ready ssh2 connection and whether (and why) it was lost. */
import type { Client } from 'ssh2';
import type { HostEntry } from '../config/types.ts';
import { ExecutorLostError } from './executor-lost-error.ts';

export interface SshConnection {
  readonly client: Client;
  readonly host: HostEntry;
  /** Set once the connection is gone: the error every pending and later operation gets. */
  lostError(): ExecutorLostError | undefined;
  /** Runs `listener` when the connection is lost (at once if it already is); returns an unsubscribe. */
  onLost(listener: (error: ExecutorLostError) => void): () => void;
  /** Ends the connection on purpose; later operations get an error saying it was closed. */
  close(): Promise<void>;
}

/**
 * Tracks `client` (already 'ready'): a socket error, a keepalive timeout or an unexpected close marks it lost.
 * ssh2 emits the client's 'close' before it fails the open channels, so channel handlers see the lost state.
 */
export function trackSshConnection(client: Client, host: HostEntry): SshConnection {
  let lost: ExecutorLostError | undefined;
  let lastError: Error | undefined;
  let closing = false;
  const listeners = new Set<(error: ExecutorLostError) => void>();
  const markLost = (detail: string): void => {
    if (lost !== undefined) return;
    lost = new ExecutorLostError(host.name, detail, lastError === undefined ? undefined : { cause: lastError });
    for (const listener of listeners) listener(lost);
    listeners.clear();
  };
  const closed = new Promise<void>((resolve) => {
    client.once('close', () => {
      markLost(closing ? 'the executor was closed' : (lastError?.message ?? 'the connection was closed by the host'));
      resolve();
    });
  });
  client.on('error', (error: Error) => {
    lastError = error;
  });
  client.once('end', () => {
    if (!closing) markLost(lastError?.message ?? 'the host ended the connection');
  });
  return {
    client,
    host,
    lostError: () => lost,
    onLost: (listener) => {
      if (lost !== undefined) {
        listener(lost);
        return () => {
          /* already lost: nothing to unsubscribe */
        };
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      closing = true;
      client.end();
      const timer = setTimeout(() => client.destroy(), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}
