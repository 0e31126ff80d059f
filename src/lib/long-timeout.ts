/**
 * Timers for any length. Node's setTimeout takes at most 2^31-1 ms (about 24.8 days): a longer delay is replaced by
 * 1 ms with only a warning, so a 30-day timeout would fire at once. Plan and config durations are capped far below
 * that, but timers built from them must not depend on the cap being right.
 */

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A started timer; `clear()` stops it. */
export interface LongTimeout {
  clear(): void;
}

/**
 * Calls `callback` once, after `ms` (at least 0; Infinity or NaN means never), chaining timers of at most
 * {@link MAX_TIMER_MS} for longer delays. `unref` lets the process exit while it waits.
 */
export function setLongTimeout(callback: () => void, ms: number, options: { unref?: boolean } = {}): LongTimeout {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cleared = false;
  const wait = (left: number): void => {
    if (cleared || !(left < Number.POSITIVE_INFINITY)) return;
    const step = Math.min(Math.max(0, left), MAX_TIMER_MS);
    timer = setTimeout(() => {
      if (left > MAX_TIMER_MS) wait(left - MAX_TIMER_MS);
      else callback();
    }, step);
    if (options.unref === true) timer.unref();
  };
  wait(Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms);
  return {
    clear() {
      cleared = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
