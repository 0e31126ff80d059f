/** The aggregate columns of a duration distribution, shared by the lead-time, approval-wait and restore queries. */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { nullableNumber } from './rows.ts';
import type { DurationSummary } from './types.ts';

/**
 * `count`, `p50`, `p90` and `mean` of `ms` (a double precision expression in milliseconds). percentile_cont
 * interpolates between the two middle values, so the median of 1 h and 3 h is 2 h.
 */
export function durationAggregates(ms: SQL): SQL {
  return sql`count(*)::int as count,
    (percentile_cont(0.5) within group (order by ${ms}))::float8 as p50,
    (percentile_cont(0.9) within group (order by ${ms}))::float8 as p90,
    (avg(${ms}))::float8 as mean`;
}

/** Milliseconds between two timestamptz expressions, as double precision. */
export function millisBetween(start: SQL, end: SQL): SQL {
  return sql`(extract(epoch from (${end} - ${start})) * 1000)::float8`;
}

/** The columns {@link durationAggregates} selects. */
export const durationRow = z.object({
  count: z.number(),
  p50: nullableNumber,
  p90: nullableNumber,
  mean: nullableNumber,
});

/** A parsed {@link durationRow} (or none: nothing measured) as a {@link DurationSummary}. */
export function toSummary(row: z.infer<typeof durationRow> | undefined): DurationSummary {
  if (row === undefined || row.count === 0) return { count: 0, p50Ms: null, p90Ms: null, meanMs: null };
  return { count: row.count, p50Ms: row.p50, p90Ms: row.p90, meanMs: row.mean };
}
