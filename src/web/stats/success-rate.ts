/** The share of finished releases that succeeded. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { finishedReleaseCounts } from './finished-release-counts.ts';
import type { StatsScope } from './types.ts';

export interface SuccessRate {
  /** Releases that finished in the range (succeeded, partial, failed or aborted). */
  finished: number;
  succeeded: number;
  /** succeeded / finished, 0–1; null when nothing finished. */
  rate: number | null;
}

const row = z.object({ finished: z.number(), succeeded: z.number() });

/**
 * Success rate: releases with status `succeeded` divided by all releases that finished (by `finished_at`) in the
 * range. `partial`, `failed` and `aborted` releases count against it.
 */
export async function successRate(db: DbExecutor, scope: StatsScope): Promise<SuccessRate> {
  if (scope.repos.length === 0) return { finished: 0, succeeded: 0, rate: null };
  const [counts] = parseRows(
    row,
    await db.execute(sql`
      select coalesce(sum(r.n), 0)::int as finished, coalesce(sum(r.n) filter (where r.status = 'succeeded'), 0)::int as succeeded
      from ${finishedReleaseCounts(scope)} r`),
  );
  const finished = counts?.finished ?? 0;
  const succeeded = counts?.succeeded ?? 0;
  return { finished, succeeded, rate: finished === 0 ? null : succeeded / finished };
}
