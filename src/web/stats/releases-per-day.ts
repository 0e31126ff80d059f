/** Finished releases per day, environment and result. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { finishedReleaseCounts } from './finished-release-counts.ts';
import { dayText } from './scope-sql.ts';
import { FINISHED_STATUSES, type FinishedStatus, type StatsScope } from './types.ts';

export interface ReleasesPerDayRow {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  environment: string;
  status: FinishedStatus;
  count: number;
}

const row = z.object({
  day: z.string(),
  environment: z.string(),
  status: z.enum(FINISHED_STATUSES),
  count: z.number(),
});

/**
 * Finished releases (status succeeded, partial, failed or aborted) counted by the UTC day they finished on, their
 * environment and their status; only combinations that occurred, ordered by day, environment, status. A release
 * counts on the day of its `finished_at` within the scope's range; queued and running releases are not counted.
 */
export async function releasesPerDay(db: DbExecutor, scope: StatsScope): Promise<ReleasesPerDayRow[]> {
  if (scope.repos.length === 0) return [];
  return parseRows(
    row,
    await db.execute(sql`
      select ${dayText(sql`day`)} as day, environment, status, count
      from (
        select r.day, r.environment, r.status, sum(r.n)::int as count
        from ${finishedReleaseCounts(scope)} r
        group by 1, 2, 3
      ) days
      order by days.day, environment, status`),
  );
}
