import { describe, expect, it } from 'vitest';
import { batchSizeToCount, formatBatchSize, parseBatchSize } from '../../src/plan/batch-size.ts';

describe('parseBatchSize', () => {
  it('reads counts given as numbers or digit strings', () => {
    expect(parseBatchSize(3)).toEqual({ kind: 'count', count: 3 });
    expect(parseBatchSize('4')).toEqual({ kind: 'count', count: 4 });
  });

  it('reads percentages from 1% to 100%', () => {
    expect(parseBatchSize('25%')).toEqual({ kind: 'percent', percent: 25 });
    expect(parseBatchSize('1%')).toEqual({ kind: 'percent', percent: 1 });
    expect(parseBatchSize('100%')).toEqual({ kind: 'percent', percent: 100 });
  });

  it.each([0, -1, 2.5, '0', '0%', '101%', '2.5%', '%', 'half', '', null, undefined, true, [3]])(
    'rejects %j',
    (value) => {
      expect(parseBatchSize(value)).toBeUndefined();
    },
  );
});

describe('formatBatchSize', () => {
  it('writes sizes the way plans do', () => {
    expect(formatBatchSize({ kind: 'count', count: 3 })).toBe('3');
    expect(formatBatchSize({ kind: 'percent', percent: 25 })).toBe('25%');
  });
});

describe('batchSizeToCount', () => {
  it('rounds percentages up so every batch holds at least one host', () => {
    expect(batchSizeToCount({ kind: 'percent', percent: 25 }, 10)).toBe(3);
    expect(batchSizeToCount({ kind: 'percent', percent: 25 }, 3)).toBe(1);
    expect(batchSizeToCount({ kind: 'percent', percent: 100 }, 7)).toBe(7);
  });

  it('caps counts at the number of hosts', () => {
    expect(batchSizeToCount({ kind: 'count', count: 5 }, 2)).toBe(2);
    expect(batchSizeToCount({ kind: 'count', count: 2 }, 9)).toBe(2);
  });
});
