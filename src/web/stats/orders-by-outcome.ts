/** Work orders by outcome per ISO week: requested, rejected, succeeded, failed, rolled back, accepted. */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition } from './scope-sql.ts';
import type { StatsScope } from './types.ts';
import { dayRange, wholeDays } from './whole-days.ts';

/** The outcomes counted, in the order the page shows them. */
export const ORDER_OUTCOMES = ['requested', 'rejected', 'succeeded', 'failed', 'rolled_back', 'accepted'] as const;
export type OrderOutcome = (typeof ORDER_OUTCOMES)[number];

export interface OrdersByOutcomeRow {
  /** ISO week, `YYYY-Www` (e.g. 2026-W45). */
  week: string;
  /** The Monday that begins it (UTC), `YYYY-MM-DD`. */
  weekStart: string;
  outcome: OrderOutcome;
  /** Work orders that got there (an order that fails twice in the week counts twice). */
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

/** From the `order_outcome_day_counts` rollup: whole UTC days. */
function fromRollup(scope: StatsScope): SQL {
  return sql`
    with weeks as (
      select date_trunc('week', c.day) as week, c.outcome, sum(c.n)::int as count
      from order_outcome_day_counts c
      where ${scopeCondition(scope, scopeColumns('c'))} and ${dayRange(sql`c.day`, scope)}
      group by 1, 2
      having sum(c.n) > 0
    )
    select to_char(week, 'IYYY-"W"IW') as week, to_char(week, 'YYYY-MM-DD') as week_start, outcome, count
    from weeks`;
}

/** From the work orders and the audit log's state changes of the range (audit_log_transition_at_idx). */
function fromRows(scope: StatsScope): SQL {
  const orders = scopeCondition(scope, scopeColumns('w'));
  return sql`
    with events as (
      select w.created_at as at, 'requested' as outcome from work_orders w
      where ${orders} and ${rangeCondition(scope, sql`w.created_at`)}
      union all
      select a.at, order_outcome_of(a.to_state, a.data->>'cause')
      from audit_log a join work_orders w on w.id = a.work_order_id
      where a.action = ${TRANSITION} and a.to_state in ('rejected', 'succeeded', 'failed', 'accepted')
        and ${rangeCondition(scope, sql`a.at`)} and ${orders}
    ), weeks as (
      select date_trunc('week', at at time zone 'UTC') as week, outcome, count(*)::int as count
      from events group by 1, 2
    )
    select to_char(week, 'IYYY-"W"IW') as week, to_char(week, 'YYYY-MM-DD') as week_start, outcome, count
    from weeks`;
}

/**
 * Per ISO week (UTC, Monday first) and outcome, how many work orders were opened (`requested`, by `created_at`) or
 * — from the audit log's state changes, by the time of the change — were `rejected`, `succeeded` (a release
 * succeeded), `failed` (moved to failed by a failed release or a failed rollback), `rolled_back` (moved to failed by
 * a finished `/rollback`) or `accepted` (`order_outcome_of` in migration 0022 names the outcome of a change). Each
 * change counts: an order that fails, is retried and fails again counts twice. Only events within the range count,
 * so the first and last week may be partial. Scope is the work order's (its app and environment now). Only the
 * weeks and outcomes that occurred, ordered by week and outcome. A range of whole UTC days (the page's) reads the
 * `order_outcome_day_counts` rollup; any other range reads the rows.
 */
export async function ordersByOutcome(db: DbExecutor, scope: StatsScope): Promise<OrdersByOutcomeRow[]> {
  if (scope.repos.length === 0) return [];
  const rows = parseRows(row, await db.execute(wholeDays(scope) ? fromRollup(scope) : fromRows(scope)));
  const order = (outcome: OrderOutcome): number => ORDER_OUTCOMES.indexOf(outcome);
  return rows
    .map(({ week_start: weekStart, ...rest }) => ({ ...rest, weekStart }))
    .toSorted((a, b) =>
      a.weekStart < b.weekStart ? -1 : a.weekStart > b.weekStart ? 1 : order(a.outcome) - order(b.outcome),
    );
}
