/**
 * Waiting for recorded requests in test servers (the fake GitHub API, the Slack API recorder): a wait resolves once
 * `find()` returns at least `count` records, checked now and whenever the server calls `recorded()`.
 */
export interface RecordWaiter {
  /** A record arrived: wake the waits. */
  recorded(): void;
  /** Resolves with what `find` returns once it has `count` entries; rejects after `timeoutMs` with `failure()`. */
  wait<T>(find: () => T[], count: number, timeoutMs: number, failure: () => string): Promise<T[]>;
}

export function createRecordWaiter(): RecordWaiter {
  const waiters = new Set<() => void>();
  return {
    recorded() {
      for (const wake of waiters) wake();
    },
    wait(find, count, timeoutMs, failure) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = find();
          if (found.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(failure()));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
