/** Lead time: from a work order being opened to its first successful release. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { durationAggregates, durationRow, millisBetween, toSummary } from './duration-sql.ts';
import { parseRows } from './rows.ts';
import { dayText, rangeCondition, scopeColumns, scopeCondition, utcDate } from './scope-sql.ts';
import type { DurationSummary, StatsScope } from './types.ts';

export interface LeadTime {
  overall: DurationSummary;
  /** Days with at least one order released, by day (UTC, `YYYY-MM-DD`). */
  perDay: (DurationSummary & { day: string })[];
}

const row = durationRow.extend({ day: z.string().nullable() });

/**
 * Lead time of a work order: `work_orders.created_at` → `released_at`, the finish of its first `succeeded` release
 * (stamped on the order with that release's result). An order counts in the range (and on the day) that first
 * success falls in; later successful releases of the same order do not count again, and releases without a work
 * order are not orders. Scope (repo, app, environment, project) is the order's, which its releases share. Reads only
 * the orders released in the range (work_orders_released_at_idx).
 */
export async function leadTime(db: DbExecutor, scope: StatsScope): Promise<LeadTime> {
  if (scope.repos.length === 0) return { overall: toSummary(undefined), perDay: [] };
  const rows = parseRows(
    row,
    await db.execute(sql`
      with released as (
        select ${utcDate(sql`w.released_at`)} as day, ${millisBetween(sql`w.created_at`, sql`w.released_at`)} as ms
        from work_orders w
        where ${rangeCondition(scope, sql`w.released_at`)} and ${scopeCondition(scope, scopeColumns('w'))}
      )
      select ${dayText(sql`day`)} as day, ${durationAggregates(sql`ms`)}
      from released
      group by grouping sets ((released.day), ())
      order by released.day nulls first`),
  );
  const overall = rows.find((entry) => entry.day === null);
  return {
    overall: toSummary(overall),
    perDay: rows.flatMap((entry) => (entry.day === null ? [] : [{ day: entry.day, ...toSummary(entry) }])),
  };
}
