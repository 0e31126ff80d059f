/** A promise for the moment a signal aborts (a command that runs until Ctrl-C waits on it). */

/** Resolves when `signal` aborts (at once if it has already). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}
