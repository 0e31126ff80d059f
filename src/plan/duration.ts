/** Durations as written in plans: `500ms`, `30s`, `2m`, `1h`, `1h30m`. */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/**
 * The longest duration a plan or the repo config may give (a timeout, a pause, an interval, a monitor window): 24h.
 * Far below setTimeout's 2^31-1 ms, past which a timer fires at once; no release step is meant to wait longer.
 */
export const MAX_DURATION_MS = 24 * UNIT_MS.h;

// Units must come largest first and at most once each, so `30s2m` or `1m1m` are typos, not sums.
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Parses a duration such as `30s`, `2m`, `1h`, `500ms` or `1h30m` into milliseconds.
 * A unit is required: a bare number is ambiguous (seconds? milliseconds?) and is rejected.
 *
 * @returns the duration in milliseconds, or `undefined` when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const [, hours, minutes, seconds, millis] = match;
  const parts: [string | undefined, number][] = [
    [hours, UNIT_MS.h],
    [minutes, UNIT_MS.m],
    [seconds, UNIT_MS.s],
    [millis, UNIT_MS.ms],
  ];
  if (parts.every(([digits]) => digits === undefined)) return undefined;
  let total = 0;
  for (const [digits, unit] of parts) {
    if (digits !== undefined) total += Number(digits) * unit;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Formats milliseconds as the shortest duration `parseDuration` reads back to the same value,
 * e.g. `90000` → `1m30s`, `500` → `500ms`, `0` → `0s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration in milliseconds: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
