import { describe, expect, it } from 'vitest';
import { createSubjectHolds } from '../../src/github/delivery-subject-holds.ts';

describe('subject holds', () => {
  it('parks later deliveries of a held subject and passes the hold on in row order', async () => {
    const holds = createSubjectHolds();
    expect(holds.mayRun('repo#1', 10, false)).toBe(true);
    const retried: number[] = [];
    holds.hold('repo#1', 10, new Date(Date.now() + 5), () => retried.push(10));
    expect(holds.mayRun('repo#1', 14, false)).toBe(false);
    expect(holds.mayRun('repo#1', 12, true)).toBe(false);
    // Another subject goes on; the holder itself may run.
    expect(holds.mayRun('repo#2', 11, false)).toBe(true);
    expect(holds.mayRun('repo#1', 10, true)).toBe(true);
    await holds.changed();
    expect(retried).toEqual([10]);
    expect(holds.release('repo#1', 10)).toEqual({ row: 12, reclaim: true });
    expect(holds.mayRun('repo#1', 14, false)).toBe(false);
    expect(holds.mayRun('repo#1', 12, true)).toBe(true);
    expect(holds.release('repo#1', 12)).toEqual({ row: 14, reclaim: false });
    expect(holds.release('repo#1', 14)).toBeUndefined();
    expect(holds.size).toBe(0);
    expect(holds.mayRun('repo#1', 15, false)).toBe(true);
  });

  it('a release by a row that does not hold the subject changes nothing; clear cancels the retries', async () => {
    const holds = createSubjectHolds();
    let retried = false;
    holds.hold('repo#1', 10, new Date(Date.now() + 20), () => {
      retried = true;
    });
    expect(holds.release('repo#1', 11)).toBeUndefined();
    expect(holds.size).toBe(1);
    holds.clear();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(retried).toBe(false);
  });
});
