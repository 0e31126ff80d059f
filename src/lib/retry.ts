/**
 * Runs a call again when it fails for a reason that may pass (the caller says which), waiting longer each time:
 * `baseDelayMs`, then 4×, 16×, … The last failure, or one that retrying cannot fix, is thrown.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Tries in all, at least 1. */
  attempts: number;
  /** Whether a failure may pass on its own (a timeout, a 5xx). */
  retriable(error: unknown): boolean;
  /** The wait before the second try (default 200 ms); each later wait is four times the one before. */
  baseDelayMs?: number;
}

export async function retry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.attempts || !options.retriable(error)) throw error;
      await sleep(base * 4 ** (attempt - 1));
    }
  }
}
