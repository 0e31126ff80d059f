/** Whether an environment is frozen at a given instant. */
import { DAY_MINUTES, WEEK_MINUTES, parseFreezeWindow, type FreezeSpan, type FreezeWindow } from './freeze-window.ts';
import { wallClock } from './zoned-clock.ts';

export { parseFreezeWindow, type FreezeWindow, type FreezeWindowResult } from './freeze-window.ts';

/** All windows of an environment, or the first one that does not parse (with its position). */
export type FreezeWindowsResult = { ok: true; windows: FreezeWindow[] } | { ok: false; index: number; message: string };

/** Parses an environment's `freeze:` list; the message names the window that is wrong. */
export function parseFreezeWindows(texts: readonly string[]): FreezeWindowsResult {
  const windows: FreezeWindow[] = [];
  for (const [index, text] of texts.entries()) {
    const parsed = parseFreezeWindow(text);
    if (!parsed.ok) return { ok: false, index, message: `freeze[${index}]: ${parsed.message}` };
    windows.push(parsed.window);
  }
  return { ok: true, windows };
}

function within(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

function spanContains(span: FreezeSpan, at: Date, zone: string): boolean {
  const clock = wallClock(at, zone);
  switch (span.kind) {
    case 'weekly':
      return within((clock.weekday * DAY_MINUTES + clock.minuteOfDay) % WEEK_MINUTES, span.start, span.end);
    case 'daily':
      return within(clock.minuteOfDay, span.start, span.end);
    case 'absolute':
      return clock.localEpochMinute >= span.start && clock.localEpochMinute < span.end;
  }
}

/**
 * The text of the first window that freezes `at`, or `null` when none does.
 *
 * @throws RangeError when `at` is an invalid date: an unknown time must not read as "not frozen".
 */
export function activeFreeze(windows: readonly FreezeWindow[], at: Date): string | null {
  for (const window of windows) {
    if (spanContains(window.span, at, window.zone)) return window.text;
  }
  return null;
}
