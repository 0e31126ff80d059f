/** Wall-clock readings in an IANA time zone through Intl, so that daylight saving time is the platform's business. */

/** What a wall clock in some zone shows at an instant. */
export interface WallClock {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
  /** The local date and time as minutes since 1970-01-01 00:00 of the same calendar, for comparing local times. */
  localEpochMinute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The canonical name of a time zone Intl knows (`europe/berlin` → `Europe/Berlin`), or `undefined`. */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Minutes since 1970-01-01 00:00 of a calendar date and time, read as if it were UTC. */
export function localEpochMinute(year: number, month: number, day: number, minuteOfDay: number): number {
  return Date.UTC(year, month - 1, day) / 60_000 + minuteOfDay;
}

/**
 * What the wall clock in `zone` shows at `at`, to the minute.
 *
 * @throws RangeError for an invalid date or an unknown zone (zones come from `canonicalTimeZone`).
 */
export function wallClock(at: Date, zone: string): WallClock {
  if (Number.isNaN(at.getTime())) throw new RangeError('wallClock: invalid date');
  const parts = new Map(
    formatterFor(zone)
      .formatToParts(at)
      .map((part) => [part.type, Number(part.value)]),
  );
  const year = parts.get('year') ?? 1970;
  const month = parts.get('month') ?? 1;
  const day = parts.get('day') ?? 1;
  const minuteOfDay = (parts.get('hour') ?? 0) * 60 + (parts.get('minute') ?? 0);
  const weekday = (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
  return { weekday, minuteOfDay, localEpochMinute: localEpochMinute(year, month, day, minuteOfDay) };
}
