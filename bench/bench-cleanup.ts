/** How every bench stops: one cleanup, run once, on success, on Ctrl-C/SIGTERM, and when it overruns its time. */

/**
 * Wraps `release` so that it runs at most once, and runs it (then exits) on SIGINT/SIGTERM and, when
 * `timeoutMs` is given, after that long. Returns the once-only cleanup for the bench's normal end.
 */
export function benchCleanup(name: string, release: () => Promise<void>, timeoutMs?: number): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= release();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  if (timeoutMs !== undefined) {
    setTimeout(() => {
      console.error(`\n${name} did not finish within ${timeoutMs} ms: cleaning up`);
      void cleanup().finally(() => process.exit(1));
    }, timeoutMs).unref();
  }
  return cleanup;
}
