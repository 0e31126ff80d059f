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
 * Lead time of a work order: `work_orders.created_at` → `finished_at` of its first `succeeded` release (earliest
 * finished_at, then lowest id). An order counts in the range (and on the day) that first success falls in; later
 * successful releases of the same order do not count again, and releases without a work order are not orders.
 * Scope (repo, app, environment, project) is the release's.
 */
export async function leadTime(db: DbExecutor, scope: StatsScope): Promise<LeadTime> {
  if (scope.repos.length === 0) return { overall: toSummary(undefined), perDay: [] };
  const rows = parseRows(
    row,
    await db.execute(sql`
      with released as (
        select ${utcDate(sql`r.finished_at`)} as day, ${millisBetween(sql`w.created_at`, sql`r.finished_at`)} as ms
        from releases r
        join work_orders w on w.id = r.work_order_id
        where ${scopeCondition(scope, scopeColumns('r'))} and ${rangeCondition(scope, sql`r.finished_at`)}
          and r.status = 'succeeded'
          and not exists (
            select 1 from releases e
            where e.work_order_id = r.work_order_id and e.status = 'succeeded'
              and (e.finished_at < r.finished_at or (e.finished_at = r.finished_at and e.id < r.id)))
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
