import { describe, expect, it } from 'vitest';
import { activeFreeze, parseFreezeWindow, parseFreezeWindows, type FreezeWindow } from '../../src/workorders/freeze.ts';

function windowOf(text: string): FreezeWindow {
  const result = parseFreezeWindow(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse: ${result.message}`);
  return result.window;
}

function messageOf(text: string): string {
  const result = parseFreezeWindow(text);
  if (result.ok) throw new Error(`expected "${text}" to be refused`);
  return result.message;
}

/** Whether `text` freezes the instant `iso`. */
function frozen(text: string, iso: string): boolean {
  return activeFreeze([windowOf(text)], new Date(iso)) !== null;
}

const DAY = 1440;

describe('parseFreezeWindow', () => {
  it('reads weekly windows as minutes of the week from Monday 00:00', () => {
    expect(windowOf('Fri 18:00-Mon 06:00')).toEqual({
      text: 'Fri 18:00-Mon 06:00',
      zone: 'UTC',
      span: { kind: 'weekly', start: 4 * DAY + 18 * 60, end: 6 * 60 },
    });
    expect(windowOf('Sat-Sun').span).toEqual({ kind: 'weekly', start: 5 * DAY, end: 7 * DAY });
    expect(windowOf('saturday - SUNDAY').span).toEqual({ kind: 'weekly', start: 5 * DAY, end: 7 * DAY });
    expect(windowOf('Sun').span).toEqual({ kind: 'weekly', start: 6 * DAY, end: 7 * DAY });
    expect(windowOf('Fri 18:00-Sun').span).toEqual({ kind: 'weekly', start: 4 * DAY + 18 * 60, end: 7 * DAY });
    expect(windowOf('Thu 9:30 – Thu 24:00').span).toEqual({ kind: 'weekly', start: 3 * DAY + 570, end: 4 * DAY });
  });

  it('reads daily and absolute windows', () => {
    expect(windowOf('22:00-06:00').span).toEqual({ kind: 'daily', start: 22 * 60, end: 6 * 60 });
    const christmas = windowOf('2026-12-24 00:00-2026-12-27 00:00').span;
    expect(christmas.kind).toBe('absolute');
    expect(christmas.end - christmas.start).toBe(3 * DAY);
    expect(windowOf('2026-12-24-2026-12-26').span).toEqual(christmas);
    const newYearsEve = windowOf('2026-12-31').span;
    expect(newYearsEve.end - newYearsEve.start).toBe(DAY);
  });

  it('takes a trailing IANA zone, in any case, and defaults to UTC', () => {
    expect(windowOf('Fri 18:00-Mon 06:00 Europe/Berlin').zone).toBe('Europe/Berlin');
    expect(windowOf('Sat-Sun europe/berlin')).toMatchObject({ zone: 'Europe/Berlin', text: 'Sat-Sun europe/berlin' });
    expect(windowOf('Sat - Sun').zone).toBe('UTC');
    expect(windowOf('Fri 18:00-Mon 06:00 UTC').zone).toBe('UTC');
    expect(windowOf('22:00-06:00 America/Port-au-Prince').zone).toBe('America/Port-au-Prince');
  });

  it('explains what is wrong', () => {
    expect(messageOf('Fri 18:00-Mon 06:00 Europe/Berln')).toBe(
      '"Europe/Berln" is not a time zone; use an IANA name like Europe/Berlin',
    );
    expect(messageOf('Fro 18:00-Mon 06:00')).toBe(
      '"Fro" is not a day; did you mean Fri? (use Mon, Tue, Wed, Thu, Fri, Sat or Sun)',
    );
    expect(messageOf('Fri 25:00-Mon 06:00')).toBe('"25:00" is not a time of day (00:00 to 24:00)');
    expect(messageOf('Fri 18:60-Mon 06:00')).toBe('"18:60" is not a time of day (00:00 to 24:00)');
    expect(messageOf('2026-02-30 00:00-2026-03-02 00:00')).toBe('"2026-02-30" is not a date');
    expect(messageOf('Fri 18:00-2026-12-27')).toBe('both ends must be days of the week, dates, or times of day');
    expect(messageOf('2026-12-27-2026-12-24')).toBe('the window ends before it starts');
    expect(messageOf('Mon 06:00-Mon 06:00')).toBe('the window starts where it ends');
    expect(messageOf('24:00-06:00')).toBe('24:00 can only end a window');
    expect(messageOf('Fri 18:00')).toMatch(/^"Fri 18:00" has no end; write a range like "Fri 18:00-Mon 06:00"/);
    expect(messageOf('weekends')).toMatch(/^"weekends" is not a day/);
    expect(messageOf('Fri 1800-Mon 0600')).toMatch(/^"Fri 1800-Mon 0600" is not a freeze window; write it like/);
    expect(messageOf('')).toMatch(/is not a freeze window/);
  });
});

describe('parseFreezeWindows', () => {
  it('names the window that does not parse', () => {
    expect(parseFreezeWindows(['Sat-Sun', 'Fri 18:00-Mon 6'])).toEqual({
      ok: false,
      index: 1,
      message:
        'freeze[1]: "Fri 18:00-Mon 6" is not a freeze window; write it like "Fri 18:00-Mon 06:00", "Sat-Sun" or "2026-12-24 00:00-2026-12-27 00:00 Europe/Berlin"',
    });
    const parsed = parseFreezeWindows(['Sat-Sun', '22:00-06:00']);
    expect(parsed.ok && parsed.windows.map((window) => window.text)).toEqual(['Sat-Sun', '22:00-06:00']);
  });
});

describe('activeFreeze', () => {
  it('covers a weekend window that wraps the end of the week, half-open', () => {
    const text = 'Fri 18:00-Mon 06:00';
    expect(frozen(text, '2026-11-20T17:59:59Z')).toBe(false); // Friday
    expect(frozen(text, '2026-11-20T18:00:00Z')).toBe(true);
    expect(frozen(text, '2026-11-22T23:59:00Z')).toBe(true); // Sunday, just before midnight
    expect(frozen(text, '2026-11-23T00:00:00Z')).toBe(true); // Monday, just after
    expect(frozen(text, '2026-11-23T05:59:59Z')).toBe(true);
    expect(frozen(text, '2026-11-23T06:00:00Z')).toBe(false);
    expect(frozen(text, '2026-11-25T12:00:00Z')).toBe(false); // Wednesday
  });

  it('covers a window across Sunday midnight', () => {
    const text = 'Sun 22:00-Mon 02:00';
    expect(frozen(text, '2026-11-22T21:59:00Z')).toBe(false);
    expect(frozen(text, '2026-11-22T22:00:00Z')).toBe(true);
    expect(frozen(text, '2026-11-23T01:59:00Z')).toBe(true);
    expect(frozen(text, '2026-11-23T02:00:00Z')).toBe(false);
    expect(frozen(text, '2026-11-21T23:00:00Z')).toBe(false); // Saturday night is not Sunday night
  });

  it('reads weekly windows on the wall clock of their zone, across a daylight saving change', () => {
    // Europe/Berlin moves to CEST (UTC+2) on Sunday 2026-03-29; the freeze still ends at 06:00 local on Monday.
    const text = 'Fri 18:00-Mon 06:00 Europe/Berlin';
    expect(frozen(text, '2026-03-27T16:59:00Z')).toBe(false); // Fri 17:59 CET
    expect(frozen(text, '2026-03-27T17:00:00Z')).toBe(true); // Fri 18:00 CET
    expect(frozen(text, '2026-03-30T03:59:00Z')).toBe(true); // Mon 05:59 CEST
    expect(frozen(text, '2026-03-30T04:00:00Z')).toBe(false); // Mon 06:00 CEST; a fixed +01:00 would still say frozen
    expect(frozen('Fri 18:00-Mon 06:00', '2026-03-30T04:00:00Z')).toBe(true); // the same instant in UTC is 04:00
  });

  it('covers whole days and daily windows across midnight', () => {
    expect(frozen('Sat-Sun', '2026-11-21T00:00:00Z')).toBe(true);
    expect(frozen('Sat-Sun', '2026-11-22T23:59:00Z')).toBe(true);
    expect(frozen('Sat-Sun', '2026-11-23T00:00:00Z')).toBe(false);
    expect(frozen('Sat-Sun', '2026-11-20T23:59:00Z')).toBe(false);
    expect(frozen('22:00-06:00', '2026-11-25T23:30:00Z')).toBe(true);
    expect(frozen('22:00-06:00', '2026-11-26T05:00:00Z')).toBe(true);
    expect(frozen('22:00-06:00', '2026-11-26T12:00:00Z')).toBe(false);
  });

  it('covers absolute windows in their zone', () => {
    const text = '2026-12-24 00:00-2026-12-27 00:00 America/New_York';
    expect(frozen(text, '2026-12-24T04:59:00Z')).toBe(false); // 23:59 on the 23rd in New York
    expect(frozen(text, '2026-12-24T05:00:00Z')).toBe(true);
    expect(frozen(text, '2026-12-27T04:59:00Z')).toBe(true);
    expect(frozen(text, '2026-12-27T05:00:00Z')).toBe(false);
    expect(frozen('2026-12-31', '2026-12-31T12:00:00Z')).toBe(true);
    expect(frozen('2026-12-31', '2027-01-01T00:00:00Z')).toBe(false);
  });

  it('returns the text of the first window that applies', () => {
    const windows = [windowOf('2026-12-24-2026-12-26'), windowOf('Sat-Sun'), windowOf('Thu 18:00-Thu 20:00')];
    expect(activeFreeze(windows, new Date('2026-12-26T10:00:00Z'))).toBe('2026-12-24-2026-12-26'); // a Saturday
    expect(activeFreeze(windows, new Date('2026-11-19T19:00:00Z'))).toBe('Thu 18:00-Thu 20:00');
    expect(activeFreeze(windows, new Date('2026-11-19T20:00:00Z'))).toBeNull();
    expect(activeFreeze([], new Date('2026-11-21T10:00:00Z'))).toBeNull();
  });

  it('refuses an invalid date rather than calling it unfrozen', () => {
    expect(() => activeFreeze([windowOf('Sat-Sun')], new Date('not a date'))).toThrow(RangeError);
  });
});
