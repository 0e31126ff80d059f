/**
 * A TCP socket that sends what one tick writes as one `writev`. ssh2 writes every packet in four pieces (length,
 * ciphertext, final block, tag), and with TCP_NODELAY on (which exec round trips need) each piece was its own system
 * call and its own TCP segment: streaming a package cost four writes per 32 KiB, and the host's sshd as many wake-ups
 * and reads. Here a write is taken at once and leaves with the rest of its tick (before the socket ends); a lone
 * write (a command, a window adjust) waits for no more than the rest of its tick. ssh2 never waits for the socket to
 * drain (its channels' windows bound what is in flight), so taking writes at once changes no backpressure it had.
 */
import { Socket } from 'node:net';

type Callback = (error?: Error | null) => void;

export class CoalescingSocket extends Socket {
  #held: { chunk: Buffer; encoding: BufferEncoding }[] = [];

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: Callback): void {
    this.#held.push({ chunk, encoding });
    if (this.#held.length === 1) {
      process.nextTick(() => {
        this.#flush();
      });
    }
    callback();
  }

  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: Callback): void {
    this.#held.push(...chunks);
    this.#flush(callback);
  }

  override _final(callback: Callback): void {
    this.#flush();
    super._final(callback);
  }

  #flush(callback?: Callback): void {
    const chunks = this.#held;
    if (chunks.length === 0 || this.destroyed) {
      callback?.();
      return;
    }
    this.#held = [];
    const failed = (error?: Error | null): void => {
      if (error) this.destroy(error);
    };
    if (super._writev === undefined) for (const { chunk, encoding } of chunks) super._write(chunk, encoding, failed);
    else super._writev(chunks, failed);
    callback?.();
  }
}
