/** Approval wait: from a plan being submitted to its approval quorum being reached. */
import { sql } from 'drizzle-orm';
import type { DbExecutor } from '../../db/types.ts';
import { durationAggregates, durationRow, millisBetween, toSummary } from './duration-sql.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition } from './scope-sql.ts';
import type { DurationSummary, StatsScope } from './types.ts';

/**
 * Approval wait of a plan (a work order + digest): the first `plan_versions.created_at` with that digest → the
 * approval that completed the quorum, i.e. the first `approved` verdict of the N-th distinct approver for that digest,
 * where N is the environment's `approvals_needed` (at least 1; 1 when the environment is unknown). Counted in the
 * range the quorum was reached in; plans that never reached quorum are not counted. Revocations are not
 * subtracted (a quorum that was reached and later revoked still waited that long). Scope is the work order's.
 *
 * This reads the recorded votes, not the policy: unlike workorders/quorum.ts it does not drop an approval row by
 * the plan's author or by someone who is not an approver, should one have been recorded, and it compares logins
 * as written (not lowercased). Cost: it reads every approval before `to` of the whole table
 * (the quorum vote may be in the range while earlier votes are not), in index order without sorting.
 */
export async function approvalWait(db: DbExecutor, scope: StatsScope): Promise<DurationSummary> {
  if (scope.repos.length === 0) return toSummary(undefined);
  const [row] = parseRows(
    durationRow,
    await db.execute(sql`
      with votes as (
        -- Each approver's first approval of the plan (a second one by the same person adds nothing to the quorum).
        -- Grouped in approvals_quorum_idx order, so this and the next step stream without sorting.
        select a.work_order_id, a.digest, a.actor, min(a.created_at) as at
        from approvals a
        where a.verdict = 'approved' and a.created_at < ${scope.to.toISOString()}::timestamptz
        group by a.work_order_id, a.digest, a.actor
      ), quorums as (
        select work_order_id, digest, array_agg(at order by at) as times
        from votes
        group by work_order_id, digest
      ), plans as (
        select p.work_order_id, p.digest, min(p.created_at) as planned_at
        from plan_versions p
        group by p.work_order_id, p.digest
      ), reached as (
        select p.planned_at, q.times[greatest(coalesce(e.approvals_needed, 1), 1)] as at
        from quorums q
        join plans p on p.work_order_id = q.work_order_id and p.digest = q.digest
        join work_orders w on w.id = q.work_order_id
        left join environments e on e.repo_full_name = w.repo_full_name and e.app = w.app and e.name = w.environment
        where ${scopeCondition(scope, scopeColumns('w'))}
      ), waits as (
        -- A quorum larger than the votes cast indexes past the array: null, so not reached, so not in the range.
        select ${millisBetween(sql`planned_at`, sql`at`)} as ms from reached where ${rangeCondition(scope, sql`at`)}
      )
      select ${durationAggregates(sql`ms`)} from waits`),
  );
  return toSummary(row);
}
