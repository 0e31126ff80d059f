/** Graceful shutdown on SIGTERM (containers) and SIGINT (a terminal). */

/** Where shutdown progress goes. */
export interface ShutdownLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * On the first signal runs `stop` and exits 0 (1 if `stop` fails); a second signal exits 1 at once, for an
 * operator who does not want to wait.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  log: ShutdownLog,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.info({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => {
        log.info({}, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
