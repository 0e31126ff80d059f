import { setLongTimeout } from '../lib/long-timeout.ts';

/** Waits for `ms` (any length: see setLongTimeout), resolving early (with false) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setLongTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      timer.clear();
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
