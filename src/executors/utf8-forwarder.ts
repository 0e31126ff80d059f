import { StringDecoder } from 'node:string_decoder';

/** Feeds byte chunks to a string callback without splitting multibyte UTF-8 characters across chunks. */
export interface Utf8Forwarder {
  write(chunk: Buffer | string): void;
  /** Flushes a trailing incomplete sequence (as U+FFFD). */
  end(): void;
}

/** A {@link Utf8Forwarder} to `callback`; with no callback, chunks are dropped (but still consumed). */
export function utf8Forwarder(callback: ((chunk: string) => void) | undefined): Utf8Forwarder {
  const decoder = new StringDecoder('utf8');
  const emit = (text: string): void => {
    if (text !== '' && callback !== undefined) callback(text);
  };
  return {
    write: (chunk) => {
      emit(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    },
    end: () => {
      emit(decoder.end());
    },
  };
}
