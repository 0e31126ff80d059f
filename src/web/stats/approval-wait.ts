/** Approval wait: from a plan being submitted to its approval quorum being reached. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { durationAggregates, durationRow, millisBetween, toSummary } from './duration-sql.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition } from './scope-sql.ts';
import type { DurationSummary, StatsScope } from './types.ts';
import { summarizeWaitHistogram } from './wait-histogram.ts';
import { dayRange, wholeDays } from './whole-days.ts';

const bucketRow = z.object({ bucket: z.number(), n: z.number(), total_ms: z.number() });

/** From the `approval_wait_buckets` rollup: a few hundred buckets instead of every plan (see wait-histogram.ts). */
async function fromHistogram(db: DbExecutor, scope: StatsScope): Promise<DurationSummary> {
  const rows = parseRows(
    bucketRow,
    await db.execute(sql`
      select c.bucket, sum(c.n)::int as n, sum(c.total_ms)::float8 as total_ms
      from approval_wait_buckets c
      where ${scopeCondition(scope, scopeColumns('c'))} and ${dayRange(sql`c.day`, scope)}
      group by c.bucket`),
  );
  return summarizeWaitHistogram(rows.map((row) => ({ bucket: row.bucket, n: row.n, totalMs: row.total_ms })));
}

/**
 * Approval wait of a plan (a work order + digest): its first version's `created_at` → its `quorum_reached_at`,
 * which the work-order service stamps on that version in the transaction that approves the order (so it is the
 * quorum as the policy counted it: authors and non-approvers excluded, revocations subtracted; a quorum lost and
 * reached again keeps the first time). Counted in the range the quorum was reached in; plans that never reached
 * quorum are not counted. Scope is the work order's. A range of whole UTC days (the Statistics page's) reads the
 * `approval_wait_buckets` histogram: count and mean exact, percentiles within 4.5 % (wait-histogram.ts); any other
 * range reads the plans that reached quorum in it (plan_versions_quorum_reached_idx) for exact percentiles.
 */
export async function approvalWait(db: DbExecutor, scope: StatsScope): Promise<DurationSummary> {
  if (scope.repos.length === 0) return toSummary(undefined);
  if (wholeDays(scope)) return fromHistogram(db, scope);
  const [row] = parseRows(
    durationRow,
    await db.execute(sql`
      select ${durationAggregates(millisBetween(sql`v.created_at`, sql`v.quorum_reached_at`))}
      from plan_versions v
      join work_orders w on w.id = v.work_order_id
      where ${rangeCondition(scope, sql`v.quorum_reached_at`)} and ${scopeCondition(scope, scopeColumns('w'))}`),
  );
  return toSummary(row);
}
