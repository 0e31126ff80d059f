/** Change failure rate, per environment and overall. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { finishedReleaseCounts } from './finished-release-counts.ts';
import { sqlList } from './scope-sql.ts';
import { FAILURE_STATUSES, type StatsScope } from './types.ts';

export interface FailureRate {
  /** Releases that finished in the range. */
  finished: number;
  /** Of those, releases that failed or were (partly) rolled back. */
  failed: number;
  /** failed / finished, 0–1; null when nothing finished. */
  rate: number | null;
}

export interface ChangeFailureRate {
  overall: FailureRate;
  /** One entry per environment name with finished releases, by name. */
  byEnvironment: (FailureRate & { environment: string })[];
}

const row = z.object({ environment: z.string(), finished: z.number(), failed: z.number() });

function rate(finished: number, failed: number): FailureRate {
  return { finished, failed, rate: finished === 0 ? null : failed / finished };
}

/**
 * Change failure rate: releases that failed or were rolled back (status `failed` or `partial`, see
 * FAILURE_STATUSES) divided by all releases that finished in the range (aborted ones included in the divisor), per
 * environment name (across apps) and overall.
 */
export async function changeFailureRate(db: DbExecutor, scope: StatsScope): Promise<ChangeFailureRate> {
  if (scope.repos.length === 0) return { overall: rate(0, 0), byEnvironment: [] };
  const rows = parseRows(
    row,
    await db.execute(sql`
      select r.environment, sum(r.n)::int as finished,
        coalesce(sum(r.n) filter (where r.status in ${sqlList(FAILURE_STATUSES)}), 0)::int as failed
      from ${finishedReleaseCounts(scope)} r
      group by r.environment
      order by r.environment`),
  );
  const finished = rows.reduce((sum, entry) => sum + entry.finished, 0);
  const failed = rows.reduce((sum, entry) => sum + entry.failed, 0);
  return {
    overall: rate(finished, failed),
    byEnvironment: rows.map((entry) => ({ environment: entry.environment, ...rate(entry.finished, entry.failed) })),
  };
}
