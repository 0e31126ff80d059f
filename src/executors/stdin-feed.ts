import type { Readable, Writable } from 'node:stream';

/** What a command may get on standard input (see `ExecOptions.stdin`). */
export type StdinSource = string | Buffer | Readable | undefined;

/**
 * Writes `stdin` to a command's input and closes it: at once when absent, after the bytes for a string or
 * Buffer, at the end of a Readable (piped, with backpressure). Returns a detach function for when the command
 * has ended: a Readable that was not fully read is unpiped and destroyed, so its file descriptor is released.
 * `onError` gets read errors of the source.
 */
export function feedStdin(target: Writable, stdin: StdinSource, onError: (error: Error) => void): () => void {
  if (stdin === undefined) {
    target.end();
    return () => {
      /* nothing was fed: nothing to detach */
    };
  }
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    target.end(stdin);
    return () => {
      /* written in one piece: nothing to detach */
    };
  }
  stdin.once('error', onError);
  stdin.pipe(target);
  return () => {
    stdin.off('error', onError);
    stdin.unpipe(target);
    if (!stdin.readableEnded) stdin.destroy();
  };
}
