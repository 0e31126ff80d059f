/**
 * Runs tasks one at a time per key (in the order they were added) and at most `concurrency` at a time overall:
 * deliveries about one issue are handled in the order GitHub sent them, different issues side by side.
 */

/** A runner of keyed tasks. */
export interface KeyedSerialRunner {
  /** Queues `task` behind the tasks already queued for `key`. A task that throws is passed to `onError`. */
  add(key: string, task: () => Promise<void>): void;
  /** Tasks queued or running. */
  readonly pending: number;
  /** Resolves once no task is queued or running (tasks added meanwhile are waited for too). */
  idle(): Promise<void>;
}

export function createKeyedSerialRunner(concurrency: number, onError: (error: unknown) => void): KeyedSerialRunner {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`concurrency must be a positive integer, not ${concurrency}`);
  const tails = new Map<string, Promise<void>>();
  const waitingForSlot: (() => void)[] = [];
  let running = 0;
  let pending = 0;
  let idleWaiters: (() => void)[] = [];

  const takeSlot = (): Promise<void> => {
    if (running < concurrency) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waitingForSlot.push(resolve));
  };
  const releaseSlot = (): void => {
    const next = waitingForSlot.shift();
    if (next === undefined) running--;
    else next();
  };
  const settled = (): void => {
    pending--;
    if (pending > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  return {
    add(key, task) {
      pending++;
      const previous = tails.get(key) ?? Promise.resolve();
      const run = async (): Promise<void> => {
        await previous;
        await takeSlot();
        try {
          await task();
        } catch (error) {
          onError(error);
        } finally {
          releaseSlot();
        }
      };
      // `onError` is the caller's; even if it throws, the key's line and the count go on.
      const tail = run()
        .catch(() => undefined)
        .finally(() => {
          if (tails.get(key) === tail) tails.delete(key);
          settled();
        });
      tails.set(key, tail);
    },
    get pending() {
      return pending;
    },
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
