/** What each person did in the range: orders requested, plans authored, approvals given, releases deployed. */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition, sqlList } from './scope-sql.ts';
import { dayRange, wholeDays } from './whole-days.ts';
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

const count = z.object({ person: z.string(), n: z.number() });

type Tally = Omit<PersonActivity, 'person'>;
const NONE: Tally = { ordersRequested: 0, plansAuthored: 0, approvalsGiven: 0, releasesDeployed: 0 };

const KIND_TALLY = {
  requested: 'ordersRequested',
  authored: 'plansAuthored',
  approved: 'approvalsGiven',
  deployed: 'releasesDeployed',
} as const;
const rolled = z.object({
  person: z.string(),
  kind: z.enum(['requested', 'authored', 'approved', 'deployed']),
  n: z.number(),
});

/** From the `person_day_counts` rollup: whole UTC days over whole repositories (no app, environment or project). */
async function fromRollup(db: DbExecutor, scope: StatsScope): Promise<[keyof Tally, z.infer<typeof count>[]][]> {
  const rows = parseRows(
    rolled,
    await db.execute(sql`
      select c.person, c.kind, sum(c.n)::int as n from person_day_counts c
      where c.repo_full_name in ${sqlList(scope.repos)} and ${dayRange(sql`c.day`, scope)}
      group by c.person, c.kind
      having sum(c.n) > 0`),
  );
  return rows.map((row) => [KIND_TALLY[row.kind], [{ person: row.person, n: row.n }]]);
}

/**
 * From the `person_scope_day_counts` rollup: whole UTC days narrowed to a project, app or environment (the order's
 * scope; the release's for releases deployed).
 */
async function fromScopeRollup(db: DbExecutor, scope: StatsScope): Promise<[keyof Tally, z.infer<typeof count>[]][]> {
  const rows = parseRows(
    rolled,
    await db.execute(sql`
      select c.person, c.kind, sum(c.n)::int as n from person_scope_day_counts c
      where ${scopeCondition(scope, scopeColumns('c'))} and ${dayRange(sql`c.day`, scope)}
      group by c.person, c.kind
      having sum(c.n) > 0`),
  );
  return rows.map((row) => [KIND_TALLY[row.kind], [{ person: row.person, n: row.n }]]);
}

/** The four counts from the rows themselves, as four queries side by side (each on its own pooled connection). */
async function fromRows(db: DbExecutor, scope: StatsScope): Promise<[keyof Tally, z.infer<typeof count>[]][]> {
  const orders = scopeCondition(scope, scopeColumns('w'));
  const counted = async (key: keyof Tally, query: SQL): Promise<[keyof Tally, z.infer<typeof count>[]]> => [
    key,
    parseRows(count, await db.execute(query)),
  ];
  return Promise.all([
    counted(
      'ordersRequested',
      sql`
      select w.requester as person, count(*)::int as n from work_orders w
      where ${orders} and ${rangeCondition(scope, sql`w.created_at`)} group by w.requester`,
    ),
    counted(
      'plansAuthored',
      sql`
      select p.author as person, count(*)::int as n from plan_versions p join work_orders w on w.id = p.work_order_id
      where ${orders} and ${rangeCondition(scope, sql`p.created_at`)} group by p.author`,
    ),
    counted(
      'approvalsGiven',
      sql`
      select a.actor as person, count(*)::int as n from approvals a join work_orders w on w.id = a.work_order_id
      where ${orders} and a.verdict = 'approved' and ${rangeCondition(scope, sql`a.created_at`)} group by a.actor`,
    ),
    counted(
      'releasesDeployed',
      sql`
      select w.deployer as person, count(*)::int as n from releases r join work_orders w on w.id = r.work_order_id
      where ${scopeCondition(scope, scopeColumns('r'))} and ${rangeCondition(scope, sql`r.finished_at`)}
        and r.status in ${sqlList(FINISHED_STATUSES)} and w.deployer is not null
      group by w.deployer`,
    ),
  ]);
}

/**
 * Per login, within the range: work orders opened (`work_orders.requester`, by created_at), plan versions written
 * (`plan_versions.author`, by created_at), approvals given (`approvals` rows with verdict `approved`, by created_at)
 * and releases deployed (finished releases whose work order names the login as `deployer`, by finished_at). Scope
 * is the work order's (the release's for releases). The {@link PERSON_ACTIVITY_LIMIT} busiest people, by the sum.
 * Whole UTC days over whole repositories read the `person_day_counts` rollup (which counts a release for the
 * deployer its order named when it finished); whole days narrowed to a project, app or environment read
 * `person_scope_day_counts` (which follows a change of deployer); any other range counts the rows.
 */
export async function personActivity(db: DbExecutor, scope: StatsScope): Promise<PersonActivity[]> {
  if (scope.repos.length === 0) return [];
  const narrowed = scope.app !== undefined || scope.environment !== undefined || scope.project !== undefined;
  const tallies = !wholeDays(scope)
    ? await fromRows(db, scope)
    : narrowed
      ? await fromScopeRollup(db, scope)
      : await fromRollup(db, scope);
  const people = new Map<string, Tally>();
  for (const [key, rows] of tallies) {
    for (const entry of rows) people.set(entry.person, { ...(people.get(entry.person) ?? NONE), [key]: entry.n });
  }
  const total = (tally: Tally): number =>
    tally.ordersRequested + tally.plansAuthored + tally.approvalsGiven + tally.releasesDeployed;
  return [...people]
    .map(([person, tally]) => ({ person, ...tally }))
    .toSorted((a, b) => total(b) - total(a) || (a.person < b.person ? -1 : a.person > b.person ? 1 : 0))
    .slice(0, PERSON_ACTIVITY_LIMIT);
}
