/** ISO-8601 date-times with an explicit zone, as used by `schedule:`. */

// A zone is required: "02:00" on a server in another zone than the author's would release at the wrong hour.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an ISO-8601 date-time that carries a zone (`2026-11-24T02:00:00Z`, `2026-11-24T03:00+01:00`).
 *
 * @returns the instant, or `undefined` when the text is not such a date-time or names an impossible date.
 */
export function parseZonedDateTime(text: string): Date | undefined {
  const match = ISO_DATE_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  // Date.parse rolls 2026-02-30 over to March; compare against the calendar instead.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (Number.isNaN(second) ? 0 : (second ?? 0)) > 59) return undefined;
  const instant = new Date(text.trim().replace(' ', 'T'));
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}
