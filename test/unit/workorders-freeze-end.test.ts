import { describe, expect, it } from 'vitest';
import { parseFreezeWindows } from '../../src/workorders/freeze.ts';
import { freezeState } from '../../src/workorders/freeze-end.ts';
import { startAfterFor } from '../../src/workorders/start-time.ts';

function windows(...texts: string[]) {
  const parsed = parseFreezeWindows(texts);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.windows;
}

describe('freezeState', () => {
  it('is not frozen outside every window', () => {
    expect(freezeState(windows('Fri 18:00-Mon 06:00'), new Date('2026-03-04T12:00:00Z'))).toEqual({ frozen: false });
  });

  it('ends a weekend freeze at its last minute, on the zone wall clock', () => {
    expect(freezeState(windows('Fri 18:00-Mon 06:00'), new Date('2026-03-07T12:34:56Z'))).toEqual({
      frozen: true,
      window: 'Fri 18:00-Mon 06:00',
      until: new Date('2026-03-09T06:00:00Z'),
      exact: true,
    });
    // 06:00 in Berlin is 05:00 UTC in March (before daylight saving time starts).
    expect(freezeState(windows('Fri 18:00-Mon 06:00 Europe/Berlin'), new Date('2026-03-07T12:00:00Z'))).toMatchObject({
      until: new Date('2026-03-09T05:00:00Z'),
    });
  });

  it('follows chained windows to the first free minute', () => {
    const state = freezeState(windows('22:00-23:00', '23:00-01:00'), new Date('2026-03-04T22:30:00Z'));
    expect(state).toMatchObject({
      frozen: true,
      window: '22:00-23:00',
      until: new Date('2026-03-05T01:00:00Z'),
      exact: true,
    });
  });

  it('gives up at the search limit for a window that never ends', () => {
    const at = new Date('2026-03-04T12:00:00Z');
    expect(freezeState(windows('Mon-Sun'), at, 3_600_000)).toEqual({
      frozen: true,
      window: 'Mon-Sun',
      until: new Date(at.getTime() + 3_600_000),
      exact: false,
    });
  });
});

describe('startAfterFor', () => {
  const now = new Date('2026-03-04T12:00:00Z');
  it('prefers the plan schedule over the requested time, and only a future one', () => {
    const plan = new Date('2026-03-05T02:00:00Z');
    const form = new Date('2026-03-06T02:00:00Z');
    expect(startAfterFor(plan, form, now)).toEqual(plan);
    expect(startAfterFor(undefined, form, now)).toEqual(form);
    expect(startAfterFor(new Date('2026-03-01T00:00:00Z'), form, now)).toBeUndefined();
    expect(startAfterFor(undefined, null, now)).toBeUndefined();
  });
});
