/** Batch sizes as written in plans: a host count (`3`) or a share of the hosts (`25%`). */
import type { BatchSize } from './types.ts';

const COUNT = /^\d+$/;
const PERCENT = /^(\d+)\s*%$/;

/**
 * Reads a batch size from a YAML value: a positive integer (`3`, also as the string `'3'`) or a percentage
 * from 1% to 100% (`'25%'`).
 *
 * @returns the batch size, or `undefined` when the value is neither.
 */
export function parseBatchSize(value: unknown): BatchSize | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 1 ? { kind: 'count', count: value } : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (COUNT.test(text)) return parseBatchSize(Number(text));
  const percent = PERCENT.exec(text)?.[1];
  if (percent === undefined) return undefined;
  const share = Number(percent);
  return share >= 1 && share <= 100 ? { kind: 'percent', percent: share } : undefined;
}

/** Formats a batch size the way a plan writes it: `3` or `25%`. */
export function formatBatchSize(size: BatchSize): string {
  return size.kind === 'count' ? String(size.count) : `${size.percent}%`;
}

/**
 * How many hosts one batch holds out of `hostCount`. A percentage rounds up so that every batch makes progress
 * (25% of 3 hosts is 1 host, never 0); the result is at least 1 and at most `hostCount` (when there are hosts).
 */
export function batchSizeToCount(size: BatchSize, hostCount: number): number {
  const wanted = size.kind === 'count' ? size.count : Math.ceil((hostCount * size.percent) / 100);
  return Math.max(1, Math.min(wanted, Math.max(hostCount, 1)));
}
