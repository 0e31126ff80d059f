/**
 * Standard input as `yardmaster secrets set` reads a value: a pipe or file is read to its end (bounded); a terminal
 * is put in raw mode so that what is typed is not echoed, and the line ends at Enter.
 */
import { Readable } from 'node:stream';
import { ReadStream } from 'node:tty';

/** Reads everything from a non-terminal stream, keeping at most `maxBytes` (more is `too-large`). */
async function readPiped(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += bytes.length;
    if (size > maxBytes) {
      // Stop reading: the writer gets EPIPE rather than this process buffering an unbounded value.
      if (stream instanceof Readable) stream.destroy();
      return 'too-large';
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** Reads one hidden line from a terminal: Enter ends it, Backspace erases, Ctrl-C or Ctrl-D on nothing cancels. */
function readHidden(
  tty: ReadStream,
  prompt: string,
  write: (text: string) => void,
  maxBytes: number,
): Promise<Buffer | 'too-large'> {
  write(prompt);
  return new Promise((resolve, reject) => {
    let typed = Buffer.alloc(0);
    const finish = (result: Buffer | 'too-large' | Error): void => {
      tty.off('data', onData);
      tty.setRawMode(false);
      tty.pause();
      write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      for (const byte of chunk) {
        if (byte === 0x0d || byte === 0x0a) {
          finish(typed);
          return;
        }
        if (byte === 0x03 || (byte === 0x04 && typed.length === 0)) {
          finish(new Error('cancelled'));
          return;
        }
        if (byte === 0x7f || byte === 0x08) {
          typed = typed.subarray(0, Math.max(0, typed.length - 1));
          continue;
        }
        typed = Buffer.concat([typed, Buffer.of(byte)]);
        if (typed.length > maxBytes) {
          finish('too-large');
          return;
        }
      }
    };
    tty.setRawMode(true);
    tty.resume();
    tty.on('data', onData);
  });
}

/** The `readSecret` of the process's own stdin (see `CliIo.readSecret`). */
export function stdinSecretReader(
  stdin: NodeJS.ReadStream,
  writePrompt: (text: string) => void,
): (prompt: string, maxBytes: number) => Promise<Buffer | 'too-large'> {
  return (prompt, maxBytes) => {
    if (stdin instanceof ReadStream && stdin.isTTY) return readHidden(stdin, prompt, writePrompt, maxBytes);
    return readPiped(stdin, maxBytes);
  };
}
