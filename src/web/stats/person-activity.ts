/** What each person did in the range: orders requested, plans authored, approvals given, releases deployed. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition, sqlList } from './scope-sql.ts';
import { FINISHED_STATUSES, type StatsScope } from './types.ts';

export interface PersonActivity {
  /** A GitHub login. */
  person: string;
  ordersRequested: number;
  plansAuthored: number;
  approvalsGiven: number;
  releasesDeployed: number;
}

/** How many people the query returns at most (the busiest). */
export const PERSON_ACTIVITY_LIMIT = 25;

const row = z.object({
  person: z.string(),
  orders_requested: z.number(),
  plans_authored: z.number(),
  approvals_given: z.number(),
  releases_deployed: z.number(),
});

/**
 * Per login, within the range: work orders opened (`work_orders.requester`, by created_at), plan versions written
 * (`plan_versions.author`, by created_at), approvals given (`approvals` rows with verdict `approved`, by created_at)
 * and releases deployed (finished releases whose work order names the login as `deployer`, by finished_at). Scope
 * is the work order's (the release's for releases). The {@link PERSON_ACTIVITY_LIMIT} busiest people, by the sum.
 */
export async function personActivity(db: DbExecutor, scope: StatsScope): Promise<PersonActivity[]> {
  if (scope.repos.length === 0) return [];
  const orders = scopeCondition(scope, scopeColumns('w'));
  const rows = parseRows(
    row,
    await db.execute(sql`
      with activity as (
        select w.requester as person, count(*) as orders, 0 as plans, 0 as approvals, 0 as releases
        from work_orders w
        where ${orders} and ${rangeCondition(scope, sql`w.created_at`)}
        group by w.requester
        union all
        select p.author, 0, count(*), 0, 0
        from plan_versions p join work_orders w on w.id = p.work_order_id
        where ${orders} and ${rangeCondition(scope, sql`p.created_at`)}
        group by p.author
        union all
        select a.actor, 0, 0, count(*), 0
        from approvals a join work_orders w on w.id = a.work_order_id
        where ${orders} and a.verdict = 'approved' and ${rangeCondition(scope, sql`a.created_at`)}
        group by a.actor
        union all
        select w.deployer, 0, 0, 0, count(*)
        from releases r join work_orders w on w.id = r.work_order_id
        where ${scopeCondition(scope, scopeColumns('r'))} and ${rangeCondition(scope, sql`r.finished_at`)}
          and r.status in ${sqlList(FINISHED_STATUSES)} and w.deployer is not null
        group by w.deployer
      )
      select person, sum(orders)::int as orders_requested, sum(plans)::int as plans_authored,
        sum(approvals)::int as approvals_given, sum(releases)::int as releases_deployed
      from activity
      group by person
      order by sum(orders + plans + approvals + releases) desc, person
      limit ${PERSON_ACTIVITY_LIMIT}`),
  );
  return rows.map((entry) => ({
    person: entry.person,
    ordersRequested: entry.orders_requested,
    plansAuthored: entry.plans_authored,
    approvalsGiven: entry.approvals_given,
    releasesDeployed: entry.releases_deployed,
  }));
}
