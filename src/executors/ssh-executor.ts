/** The `ssh` executor plugin: one ssh2 connection per host, reused for every command and transfer. */
import type { Duplex } from 'node:stream';
import type { HostEntry } from '../config/types.ts';
import { scpUpload } from './scp-upload.ts';
import { openSftp, sftpFastPut } from './sftp-upload.ts';
import { DEFAULT_SSH_TUNING, openSshConnection, type SshTuning } from './ssh-connect.ts';
import type { SshConnection } from './ssh-connection.ts';
import { sshExec } from './ssh-exec.ts';
import type { ConnectOptions, Executor, ExecutorPlugin, PutFileOptions } from './types.ts';

function forwardOut(connection: SshConnection, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const lost = connection.lostError();
    if (lost !== undefined) {
      reject(lost);
      return;
    }
    connection.client.forwardOut('127.0.0.1', 0, address, port, (error, channel) => {
      if (!error) resolve(channel);
      else
        reject(
          connection.lostError() ??
            new Error(`cannot open ${address}:${port} from ${connection.host.name}: ${error.message}`, {
              cause: error,
            }),
        );
    });
  });
}

/**
 * Uploads by SFTP on a session of its own, ended afterwards: ending the session is the only way to stop
 * fastPut, and a private session means an abort cannot hurt another upload. Opening one costs a round trip.
 */
async function putBySftp(
  connection: SshConnection,
  localPath: string,
  remotePath: string,
  options: PutFileOptions,
): Promise<void> {
  const session = await openSftp(connection);
  const onAbort = (): void => {
    session.end();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    await sftpFastPut(session, connection, localPath, remotePath, { mode: options.mode });
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    session.end();
  }
}

/** An {@link Executor} over an open connection (see {@link openSshConnection}). */
export function sshExecutor(connection: SshConnection, tuning: SshTuning = DEFAULT_SSH_TUNING): Executor {
  return {
    host: connection.host,
    exec: (command, options) => sshExec(connection, command, options, tuning.interruptGraceMs),
    putFile: async (localPath, remotePath, options) => {
      options.signal?.throwIfAborted();
      if (options.method === 'scp') {
        await scpUpload(connection, localPath, remotePath, { mode: options.mode, signal: options.signal });
        return;
      }
      await putBySftp(connection, localPath, remotePath, options);
    },
    openTcp: (address, port) => forwardOut(connection, address, port),
    close: () => connection.close(),
  };
}

/** An ssh plugin with other settings (ciphers, keepalive, interrupt grace), e.g. for benchmarks and tests. */
export function createSshExecutorPlugin(tuning: Partial<SshTuning> = {}): ExecutorPlugin {
  const settings: SshTuning = { ...DEFAULT_SSH_TUNING, ...tuning };
  return {
    kind: 'ssh',
    connect: async (host: HostEntry, options: ConnectOptions) =>
      sshExecutor(await openSshConnection(host, options, settings), settings),
  };
}

/** The `ssh` plugin with the default settings. */
export const sshExecutorPlugin: ExecutorPlugin = createSshExecutorPlugin();
