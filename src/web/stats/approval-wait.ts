/** Approval wait: from a plan being submitted to its approval quorum being reached. */
import { sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/types.ts';
import { durationAggregates, durationRow, millisBetween, toSummary } from './duration-sql.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition } from './scope-sql.ts';
import type { DurationSummary, StatsScope } from './types.ts';

/**
 * Approval wait of a plan (a work order + digest): its first version's `created_at` → its `quorum_reached_at`,
 * which the work-order service stamps on that version in the transaction that approves the order (so it is the
 * quorum as the policy counted it: authors and non-approvers excluded, revocations subtracted; a quorum lost and
 * reached again keeps the first time). Counted in the range the quorum was reached in; plans that never reached
 * quorum are not counted. Scope is the work order's. Reads only the plans that reached quorum in the range
 * (plan_versions_quorum_reached_idx).
 */
export async function approvalWait(db: DbExecutor, scope: StatsScope): Promise<DurationSummary> {
  if (scope.repos.length === 0) return toSummary(undefined);
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
