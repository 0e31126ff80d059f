/** The pure parts of the weekly and histogram statistics: ISO weeks of a range, percentiles from wait buckets. */
import { describe, expect, it } from 'vitest';
import { isoWeekOf, scopeWeeks } from '../../src/web/stats/iso-weeks.ts';
import { summarizeWaitHistogram } from '../../src/web/stats/wait-histogram.ts';

const day = (text: string): Date => new Date(`${text}T00:00:00Z`);

describe('ISO weeks', () => {
  it('names a week by its Thursday’s year and number', () => {
    expect(isoWeekOf(day('2026-11-02'))).toEqual({ week: '2026-W45', weekStart: '2026-11-02' });
    // 2020-12-28's Thursday is 2020-12-31: week 53 of 2020; 2024-12-30's is 2025-01-02: week 1 of 2025.
    expect(isoWeekOf(day('2020-12-28')).week).toBe('2020-W53');
    expect(isoWeekOf(day('2024-12-30')).week).toBe('2025-W01');
    expect(isoWeekOf(day('2026-01-05')).week).toBe('2026-W02');
  });

  it('lists every week a range touches, from the Monday before its start', () => {
    const weeks = scopeWeeks({ repos: [], from: day('2026-11-01'), to: day('2026-11-10') });
    expect(weeks).toEqual([
      { week: '2026-W44', weekStart: '2026-10-26' },
      { week: '2026-W45', weekStart: '2026-11-02' },
      { week: '2026-W46', weekStart: '2026-11-09' },
    ]);
    expect(scopeWeeks({ repos: [], from: day('2026-11-02'), to: day('2026-11-09') })).toHaveLength(1);
  });
});

describe('summarizeWaitHistogram', () => {
  it('is exact when each bucket holds equal waits (percentile_cont’s interpolation)', () => {
    const H = 3_600_000;
    // Waits 30 min, 1 h, 2 h, 3 h, 3 h (two in one bucket).
    const summary = summarizeWaitHistogram([
      { bucket: 300, n: 2, totalMs: 6 * H },
      { bucket: 100, n: 1, totalMs: 0.5 * H },
      { bucket: 200, n: 1, totalMs: H },
      { bucket: 250, n: 1, totalMs: 2 * H },
      { bucket: 260, n: 0, totalMs: 0 },
    ]);
    expect(summary.count).toBe(5);
    expect(summary.p50Ms).toBeCloseTo(2 * H, 6);
    expect(summary.p90Ms).toBeCloseTo(3 * H, 6);
    expect(summary.meanMs).toBeCloseTo(1.9 * H, 6);
  });

  it('interpolates between ranks and is empty without waits', () => {
    expect(
      summarizeWaitHistogram([
        { bucket: 1, n: 1, totalMs: 10 },
        { bucket: 2, n: 1, totalMs: 20 },
      ]),
    ).toEqual({
      count: 2,
      p50Ms: 15,
      p90Ms: 19,
      meanMs: 15,
    });
    expect(summarizeWaitHistogram([])).toEqual({ count: 0, p50Ms: null, p90Ms: null, meanMs: null });
    expect(summarizeWaitHistogram([{ bucket: 4, n: 0, totalMs: 0 }]).count).toBe(0);
  });
});
