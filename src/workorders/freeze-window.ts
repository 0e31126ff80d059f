/**
 * Freeze window syntax (`freeze:` of an environment). A window is a range, optionally followed by a time zone:
 *
 * - weekly: `Fri 18:00-Mon 06:00`, `Sat-Sun`, `Fri 18:00-Sun`; may wrap the end of the week;
 * - daily: `22:00-06:00`, every day; may wrap midnight;
 * - absolute: `2026-12-24 00:00-2026-12-27 00:00`, `2026-12-24-2026-12-26`;
 * - a single day or date stands for that whole day: `Sun`, `2026-12-31`;
 * - then an IANA zone, default UTC: `Fri 18:00-Mon 06:00 Europe/Berlin`.
 *
 * Days are `Mon`…`Sun` or their full English names, in any case. A day or date without a time starts at 00:00 and,
 * at the end of a range, includes that whole day. `24:00` may end a range. Windows are half-open (the end minute is
 * no longer frozen) and read on the zone's wall clock, so `Mon 06:00` stays 06:00 local across daylight saving time.
 */
import { closestMatch } from '../plan/index.ts';
import { canonicalTimeZone, localEpochMinute } from './zoned-clock.ts';

/** A span of wall-clock minutes; `start > end` wraps (weekly: the week end, daily: midnight). */
export type FreezeSpan =
  | { kind: 'weekly'; start: number; end: number }
  | { kind: 'daily'; start: number; end: number }
  | { kind: 'absolute'; start: number; end: number };

/** A parsed freeze window; `text` is kept for messages ("frozen: Fri 18:00-Mon 06:00"). */
export interface FreezeWindow {
  text: string;
  zone: string;
  span: FreezeSpan;
}

/** A window, or a message saying what is wrong with the text. */
export type FreezeWindowResult = { ok: true; window: FreezeWindow } | { ok: false; message: string };

/** Minutes in a day and in a week (weeks start on Monday). */
export const DAY_MINUTES = 1440;
export const WEEK_MINUTES = 7 * DAY_MINUTES;

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_ALIASES: Readonly<Record<string, number>> = { tues: 1, thur: 3, thurs: 3 };
const POINT = /(?:([A-Za-z]+)(?:\s+(\d{1,2}:\d{2}))?|(\d{4}-\d{2}-\d{2})(?:\s+(\d{1,2}:\d{2}))?|(\d{1,2}:\d{2}))/;
const RANGE = new RegExp(`^${POINT.source}(?:\\s*[-–—]\\s*${POINT.source})?$`);
const ZONE = /^(?:[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*|[+-]\d{2}:?\d{2})$/;
const EXAMPLE = 'like "Fri 18:00-Mon 06:00", "Sat-Sun" or "2026-12-24 00:00-2026-12-27 00:00 Europe/Berlin"';

type Point =
  | { kind: 'weekly'; day: number; minute?: number }
  | { kind: 'absolute'; date: number; minute?: number }
  | { kind: 'daily'; minute: number };

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

function parseDay(word: string): Checked<number> {
  const lower = word.toLowerCase();
  const index = DAYS.findIndex((day) => day === lower || day.slice(0, 3) === lower);
  const day = index === -1 ? DAY_ALIASES[lower] : index;
  if (day !== undefined) return { ok: true, value: day };
  const guess = closestMatch(
    lower,
    DAYS.map((name) => name.slice(0, 3)),
  );
  const hint = guess === undefined ? '' : `; did you mean ${guess.charAt(0).toUpperCase()}${guess.slice(1)}?`;
  return { ok: false, message: `"${word}" is not a day${hint} (use Mon, Tue, Wed, Thu, Fri, Sat or Sun)` };
}

function parseTime(text: string): Checked<number> {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  if (hours > 24 || minutes > 59 || (hours === 24 && minutes > 0)) {
    return { ok: false, message: `"${text}" is not a time of day (00:00 to 24:00)` };
  }
  return { ok: true, value: hours * 60 + minutes };
}

function parseDate(text: string): Checked<number> {
  const [year = 0, month = 0, day = 0] = text.split('-').map(Number);
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (year < 1970 || day < 1 || day > daysInMonth) return { ok: false, message: `"${text}" is not a date` };
  return { ok: true, value: localEpochMinute(year, month, day, 0) };
}

/** Reads one end of a range from the five capture groups of POINT. */
function parsePoint(groups: readonly (string | undefined)[]): Checked<Point> {
  const [dayWord, dayTime, dateText, dateTime, bareTime] = groups;
  const time = dayTime ?? dateTime ?? bareTime;
  const minute = time === undefined ? undefined : parseTime(time);
  if (minute !== undefined && !minute.ok) return minute;
  const at = minute === undefined ? {} : { minute: minute.value };
  if (dayWord !== undefined) {
    const day = parseDay(dayWord);
    return day.ok ? { ok: true, value: { kind: 'weekly', day: day.value, ...at } } : day;
  }
  if (dateText !== undefined) {
    const date = parseDate(dateText);
    return date.ok ? { ok: true, value: { kind: 'absolute', date: date.value, ...at } } : date;
  }
  return { ok: true, value: { kind: 'daily', minute: minute?.value ?? 0 } };
}

/** Where a point lies on its scale; a day or date without a time ends a range at the end of that day. */
function position(point: Point, end: boolean): number {
  switch (point.kind) {
    case 'weekly':
      return point.day * DAY_MINUTES + (point.minute ?? (end ? DAY_MINUTES : 0));
    case 'absolute':
      return point.date + (point.minute ?? (end ? DAY_MINUTES : 0));
    case 'daily':
      return point.minute;
  }
}

function buildSpan(from: Point, to: Point): Checked<FreezeSpan> {
  if (from.kind !== to.kind)
    return { ok: false, message: 'both ends must be days of the week, dates, or times of day' };
  if (from.minute === DAY_MINUTES) return { ok: false, message: '24:00 can only end a window' };
  const start = position(from, false);
  const end = position(to, true);
  if (start === end) return { ok: false, message: 'the window starts where it ends' };
  if (from.kind === 'absolute' && end < start) return { ok: false, message: 'the window ends before it starts' };
  return { ok: true, value: { kind: from.kind, start, end } };
}

function splitZone(text: string): { range: string; zone: string | undefined } {
  const match = /^(.*\S)\s+(\S+)$/.exec(text);
  const zone = match?.[2];
  // A last word that is a day belongs to the range: `Sat - Sun`.
  if (match === null || zone === undefined || !ZONE.test(zone) || parseDay(zone).ok)
    return { range: text, zone: undefined };
  return { range: match[1] ?? text, zone };
}

/** Parses one freeze window (syntax at the top of this file). Never throws. */
export function parseFreezeWindow(text: string): FreezeWindowResult {
  const trimmed = text.trim();
  const { range, zone: zoneText } = splitZone(trimmed);
  let zone = 'UTC';
  if (zoneText !== undefined) {
    const canonical = canonicalTimeZone(zoneText);
    if (canonical === undefined) {
      return { ok: false, message: `"${zoneText}" is not a time zone; use an IANA name like Europe/Berlin` };
    }
    zone = canonical;
  }
  const match = RANGE.exec(range);
  if (match === null) return { ok: false, message: `"${trimmed}" is not a freeze window; write it ${EXAMPLE}` };
  const from = parsePoint(match.slice(1, 6));
  if (!from.ok) return from;
  const single = match[6] === undefined && match[8] === undefined && match[10] === undefined;
  if (single) {
    if (from.value.kind === 'daily' || from.value.minute !== undefined) {
      return { ok: false, message: `"${trimmed}" has no end; write a range ${EXAMPLE}` };
    }
    const span = buildSpan(from.value, from.value);
    return span.ok ? { ok: true, window: { text: trimmed, zone, span: span.value } } : span;
  }
  const to = parsePoint(match.slice(6, 11));
  if (!to.ok) return to;
  const span = buildSpan(from.value, to.value);
  return span.ok ? { ok: true, window: { text: trimmed, zone, span: span.value } } : span;
}
