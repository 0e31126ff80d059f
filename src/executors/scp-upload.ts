/**
 * Upload by the scp protocol: we play the source side against `scp -t <path>` (the sink) run over exec.
 * Each step waits for the sink's answer: a 0 byte, or 1/2 followed by an error line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ClientChannel } from 'ssh2';
import { shellQuote } from './shell-quote.ts';
import type { SshConnection } from './ssh-connection.ts';
import { openExecChannel } from './ssh-exec.ts';

/** Reads the sink's one-byte acknowledgements (and error lines) from the channel's stdout. */
function ackReader(channel: ClientChannel): { next(): Promise<void>; fail(error: Error): void } {
  let buffered = Buffer.alloc(0);
  let waiter: { resolve(): void; reject(error: Error): void } | undefined;
  let failure: Error | undefined;
  const settle = (): void => {
    if (waiter === undefined) return;
    if (failure !== undefined) {
      waiter.reject(failure);
      waiter = undefined;
      return;
    }
    const first = buffered[0];
    if (first === undefined) return;
    if (first === 0) {
      buffered = buffered.subarray(1);
      const done = waiter;
      waiter = undefined;
      done.resolve();
      return;
    }
    const newline = buffered.indexOf(0x0a);
    if (newline === -1) return;
    const message = buffered.subarray(1, newline).toString('utf8');
    buffered = buffered.subarray(newline + 1);
    const done = waiter;
    waiter = undefined;
    done.reject(new Error(message === '' ? `scp protocol error (code ${first})` : message));
  };
  channel.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    settle();
  });
  return {
    next: () =>
      new Promise<void>((resolve, reject) => {
        waiter = { resolve, reject };
        settle();
      }),
    fail: (error) => {
      failure ??= error;
      settle();
    },
  };
}

function write(channel: ClientChannel, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.write(data, (error) => {
      if (error === undefined || error === null) resolve();
      else reject(error);
    });
  });
}

/**
 * Copies `localPath` to `remotePath` (a file path; its directory must exist) with `scp -t`. With `mode`,
 * the sink is run with -p so the mode is applied exactly (not filtered by the umask).
 */
export async function scpUpload(
  connection: SshConnection,
  localPath: string,
  remotePath: string,
  options: { mode?: number | undefined; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  options.signal?.throwIfAborted();
  const name = posix.basename(remotePath);
  if (name === '' || /[\n\r]/.test(remotePath)) throw new Error(`not a usable remote file path: ${remotePath}`);
  const { size } = await stat(localPath);
  const mode = (options.mode ?? 0o644) & 0o7777;
  const preserve = options.mode === undefined ? '' : '-p ';
  const channel = await openExecChannel(connection, `scp ${preserve}-t ${shellQuote(remotePath)}`);
  const acks = ackReader(channel);
  let stderr = '';
  channel.stderr.setEncoding('utf8');
  channel.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  channel.on('error', () => {
    /* the outcome is decided by the exit status */
  });
  const exited = new Promise<number | null>((resolve) => {
    channel.once('close', (code: number | null) => {
      acks.fail(connection.lostError() ?? new Error(`scp ended early${stderr === '' ? '' : `: ${stderr.trim()}`}`));
      resolve(typeof code === 'number' ? code : null);
    });
  });
  // Writes to a closed channel never call back: race every wait against the channel's end.
  const ended = exited.then((): never => {
    throw connection.lostError() ?? new Error(`scp ended early${stderr === '' ? '' : `: ${stderr.trim()}`}`);
  });
  ended.catch(() => {
    /* observed through guard() */
  });
  const guard = <T>(step: Promise<T>): Promise<T> => Promise.race([step, ended]);
  const onAbort = (): void => {
    acks.fail(options.signal?.reason instanceof Error ? options.signal.reason : new Error('upload aborted'));
    channel.close();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await acks.next();
    await guard(write(channel, `C${mode.toString(8).padStart(4, '0')} ${size} ${name}\n`));
    await acks.next();
    for await (const chunk of createReadStream(localPath)) {
      options.signal?.throwIfAborted();
      if (!channel.write(chunk)) await guard(new Promise<void>((resolve) => channel.once('drain', resolve)));
    }
    await guard(write(channel, Buffer.from([0])));
    await acks.next();
    channel.end();
    const code = await exited;
    const lost = connection.lostError();
    if (code === null && lost !== undefined) throw lost;
    if (code !== 0)
      throw new Error(`scp exited with ${code ?? 'no status'}${stderr === '' ? '' : `: ${stderr.trim()}`}`);
  } catch (error) {
    channel.close();
    const lost = connection.lostError();
    if (lost !== undefined) throw lost;
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw new Error(
      `scp upload of ${localPath} to ${connection.host.name}:${remotePath} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
