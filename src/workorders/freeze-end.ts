/** When an environment's freeze ends, for deferring a start to the first minute it is allowed. */
import { activeFreeze, type FreezeWindow } from './freeze.ts';

const MINUTE_MS = 60_000;

/** How far ahead the end of a freeze is searched: beyond this, the caller simply looks again later. */
export const FREEZE_SEARCH_LIMIT_MS = 14 * 24 * 60 * MINUTE_MS;

/**
 * Not frozen at the instant asked about; or frozen by `window` until `until`. `exact` is false when no free minute
 * was found within the search limit, so `until` is only the time to look again.
 */
export type FreezeState = { frozen: false } | { frozen: true; window: string; until: Date; exact: boolean };

/**
 * Whether `at` is frozen and, if so, the first whole minute after it that no window freezes.
 *
 * Windows are read on their zones' wall clocks to the minute (see freeze.ts), so the first free minute is the exact
 * end even across daylight saving time; the search walks minute by minute because windows may overlap or chain.
 *
 * @throws RangeError when `at` is an invalid date.
 */
export function freezeState(
  windows: readonly FreezeWindow[],
  at: Date,
  limitMs: number = FREEZE_SEARCH_LIMIT_MS,
): FreezeState {
  const window = activeFreeze(windows, at);
  if (window === null) return { frozen: false };
  const limit = at.getTime() + limitMs;
  for (
    let minute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    minute <= limit;
    minute += MINUTE_MS
  ) {
    const candidate = new Date(minute);
    if (activeFreeze(windows, candidate) === null) return { frozen: true, window, until: candidate, exact: true };
  }
  return { frozen: true, window, until: new Date(limit), exact: false };
}
