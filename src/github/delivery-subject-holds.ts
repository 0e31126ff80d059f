/**
 * Keeps a subject's deliveries in order while one of them waits to be tried again: the waiting delivery holds its
 * subject, later deliveries of that subject are parked behind it (by row, which is arrival order), and when it is done
 * the hold passes to the earliest parked one, and so on until none is left. Other subjects go on meanwhile, and the
 * wait takes no handling slot.
 */

/** A parked delivery: its row and whether it must be reclaimed (a stopped process may have left it `handling`). */
export interface ParkedRow {
  row: number;
  reclaim: boolean;
}

interface Hold {
  row: number;
  parked: ParkedRow[];
  timer: NodeJS.Timeout | undefined;
}

export interface SubjectHolds {
  /** True when `row` may be handled now (its subject is free or held by it); false when it was parked. */
  mayRun(subjectKey: string, row: number, reclaim: boolean): boolean;
  /** `row` holds its subject and is tried again at `at` (`retry` runs then); later deliveries of the subject wait. */
  hold(subjectKey: string, row: number, at: Date, retry: () => void): void;
  /** `row` is done: the subject passes to its earliest parked delivery, which is returned to run, or is free. */
  release(subjectKey: string, row: number): ParkedRow | undefined;
  /** The row holding `subjectKey`, if one does. */
  heldBy(subjectKey: string): number | undefined;
  /** Subjects held. */
  readonly size: number;
  /** Resolves at the next hold, release or retry. */
  changed(): Promise<void>;
  /** Cancels every retry timer (the rows stay stored: the next start takes them up). */
  clear(): void;
}

export function createSubjectHolds(): SubjectHolds {
  const holds = new Map<string, Hold>();
  let waiters: (() => void)[] = [];
  const notify = (): void => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };

  return {
    mayRun(subjectKey, row, reclaim) {
      const hold = holds.get(subjectKey);
      if (hold === undefined || hold.row === row) return true;
      if (!hold.parked.some((parked) => parked.row === row)) {
        hold.parked.push({ row, reclaim });
        hold.parked.sort((a, b) => a.row - b.row);
      }
      return false;
    },
    hold(subjectKey, row, at, retry) {
      const existing = holds.get(subjectKey);
      const hold: Hold = existing?.row === row ? existing : { row, parked: [], timer: undefined };
      if (existing !== undefined && existing.row !== row) {
        // Only the holder runs while a subject is held, so this does not happen; should it, neither row is lost.
        clearTimeout(existing.timer);
        hold.parked = [...existing.parked, { row: existing.row, reclaim: true }].sort((a, b) => a.row - b.row);
      }
      clearTimeout(hold.timer);
      hold.timer = setTimeout(
        () => {
          hold.timer = undefined;
          retry();
          notify();
        },
        Math.max(0, at.getTime() - Date.now()),
      );
      holds.set(subjectKey, hold);
      notify();
    },
    release(subjectKey, row) {
      const hold = holds.get(subjectKey);
      if (hold?.row !== row) return undefined;
      clearTimeout(hold.timer);
      const next = hold.parked.shift();
      if (next === undefined) holds.delete(subjectKey);
      else holds.set(subjectKey, { row: next.row, parked: hold.parked, timer: undefined });
      notify();
      return next;
    },
    heldBy: (subjectKey) => holds.get(subjectKey)?.row,
    get size() {
      return holds.size;
    },
    changed: () => new Promise((resolve) => waiters.push(resolve)),
    clear() {
      for (const hold of holds.values()) clearTimeout(hold.timer);
      notify();
    },
  };
}
