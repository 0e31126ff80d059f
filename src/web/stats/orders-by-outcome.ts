/** Work orders by outcome per ISO week: requested, rejected, succeeded, failed, rolled back, accepted. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition } from './scope-sql.ts';
import type { StatsScope } from './types.ts';

/** The outcomes counted, in the order the page shows them. */
export const ORDER_OUTCOMES = ['requested', 'rejected', 'succeeded', 'failed', 'rolled_back', 'accepted'] as const;
export type OrderOutcome = (typeof ORDER_OUTCOMES)[number];

export interface OrdersByOutcomeRow {
  /** ISO week, `YYYY-Www` (e.g. 2026-W45). */
  week: string;
  /** The Monday that begins it (UTC), `YYYY-MM-DD`. */
  weekStart: string;
  outcome: OrderOutcome;
  /** Distinct work orders. */
  count: number;
}

const row = z.object({
  week: z.string(),
  week_start: z.string(),
  outcome: z.enum(ORDER_OUTCOMES),
  count: z.number(),
});

/** The audit action of a state change (src/workorders/service/audit-actions.ts). */
const TRANSITION = 'work_order.transition';

/**
 * Per ISO week (UTC, Monday first) and outcome, how many work orders: `requested` were opened (`created_at`), and —
 * from the audit log's state changes, by the time of the change — were `rejected`, `succeeded` (a release
 * succeeded), `failed` (moved to failed by a failed release or a failed rollback), `rolled_back` (moved to failed by
 * a finished `/rollback`) and `accepted`. An order counts once per week and outcome however often it got there
 * (a retry that fails again). Only events within the range count, so the first and last week may be partial. Scope
 * is the work order's (its app and environment now). Only the weeks and outcomes that occurred; ordered by week and
 * outcome. Reads the transitions of the range through audit_log_transition_at_idx.
 */
export async function ordersByOutcome(db: DbExecutor, scope: StatsScope): Promise<OrdersByOutcomeRow[]> {
  if (scope.repos.length === 0) return [];
  const orders = scopeCondition(scope, scopeColumns('w'));
  const rows = parseRows(
    row,
    await db.execute(sql`
      with events as (
        select w.created_at as at, 'requested' as outcome, w.id from work_orders w
        where ${orders} and ${rangeCondition(scope, sql`w.created_at`)}
        union all
        select a.at, case
            when a.to_state <> 'failed' then a.to_state
            when a.data->>'cause' = 'rollback-finished' then 'rolled_back'
            else 'failed' end,
          w.id
        from audit_log a join work_orders w on w.id = a.work_order_id
        where a.action = ${TRANSITION} and a.to_state in ('rejected', 'succeeded', 'failed', 'accepted')
          and ${rangeCondition(scope, sql`a.at`)} and ${orders}
      ), weeks as (
        select date_trunc('week', at at time zone 'UTC') as week, outcome, count(distinct id)::int as count
        from events group by 1, 2
      )
      select to_char(week, 'IYYY-"W"IW') as week, to_char(week, 'YYYY-MM-DD') as week_start, outcome, count
      from weeks order by weeks.week, outcome`),
  );
  const order = (outcome: OrderOutcome): number => ORDER_OUTCOMES.indexOf(outcome);
  return rows
    .map(({ week_start: weekStart, ...rest }) => ({ ...rest, weekStart }))
    .toSorted((a, b) =>
      a.weekStart < b.weekStart ? -1 : a.weekStart > b.weekStart ? 1 : order(a.outcome) - order(b.outcome),
    );
}
