/** The `local` executor plugin: the same interface on this machine (single-host deploys, demos, tests). */
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HostEntry } from '../config/types.ts';
import { localExec } from './local-exec.ts';
import type { Executor, ExecutorPlugin } from './types.ts';

export interface LocalExecutorSettings {
  /** Time between SIGTERM and SIGKILL when a command is interrupted (default 2 s). */
  interruptGraceMs?: number;
}

function openLocalTcp(address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * An {@link Executor} for this machine. The host entry's address, port and user are ignored: commands run
 * as the current user. `putFile` copies the file (both methods are the same here).
 */
export function localExecutor(host: HostEntry, settings: LocalExecutorSettings = {}): Executor {
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new Error(`the executor for ${host.name} is closed`);
  };
  return {
    host,
    exec: async (command, options) => {
      ensureOpen();
      return localExec(command, options, settings.interruptGraceMs);
    },
    putFile: async (localPath, remotePath, options) => {
      ensureOpen();
      options.signal?.throwIfAborted();
      // A stream copy, unlike copyFile, can be aborted half-way.
      await pipeline(createReadStream(localPath), createWriteStream(remotePath), { signal: options.signal });
      if (options.mode !== undefined) await chmod(remotePath, options.mode);
    },
    openTcp: async (address, port) => {
      ensureOpen();
      return openLocalTcp(address, port);
    },
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}

/** A local plugin with other settings (e.g. a short interrupt grace in tests). */
export function createLocalExecutorPlugin(settings: LocalExecutorSettings = {}): ExecutorPlugin {
  return { kind: 'local', connect: (host) => Promise.resolve(localExecutor(host, settings)) };
}

/** The `local` plugin. Connecting always succeeds. */
export const localExecutorPlugin: ExecutorPlugin = createLocalExecutorPlugin();
