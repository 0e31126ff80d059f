/**
 * A task that is never run twice at once: a call while it runs makes it run once more before that run's promise
 * resolves (so every caller sees a run that started after its call), and many such calls make one more run, not many.
 */
export interface CoalescedTask {
  run(): Promise<void>;
  /** Resolves once no run is under way. */
  settled(): Promise<void>;
}

/** `task` must not throw (it handles its own failures). */
export function coalescedTask(task: () => Promise<void>): CoalescedTask {
  let current: Promise<void> | undefined;
  let again = false;
  return {
    run() {
      if (current !== undefined) {
        again = true;
        return current;
      }
      current = (async () => {
        do {
          again = false;
          await task();
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- run() sets it while the task runs
        } while (again);
        current = undefined;
      })();
      return current;
    },
    settled: () => current ?? Promise.resolve(),
  };
}
