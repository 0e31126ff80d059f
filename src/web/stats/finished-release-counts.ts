/**
 * The finished releases of a scope, counted per UTC day, repository, app, environment and status — the source every
 * counting statistic aggregates (`sum(r.n)`). For a range of whole UTC days (the Statistics page's) it reads the
 * `release_day_counts` rollup, a few rows per day; any other range counts the releases themselves.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rangeCondition, scopeColumns, scopeCondition, sqlList, utcDate } from './scope-sql.ts';
import { FINISHED_STATUSES, type StatsScope } from './types.ts';
import { dayRange, wholeDays } from './whole-days.ts';

/** A derived table `(day, repo_full_name, app, environment, status, n)`; alias it in the query. */
export function finishedReleaseCounts(scope: StatsScope): SQL {
  if (wholeDays(scope)) {
    return sql`(select c.day, c.repo_full_name, c.app, c.environment, c.status, c.n
      from release_day_counts c
      where ${scopeCondition(scope, scopeColumns('c'))} and ${dayRange(sql`c.day`, scope)} and c.n > 0)`;
  }
  return sql`(select ${utcDate(sql`f.finished_at`)} as day, f.repo_full_name, f.app, f.environment, f.status, count(*)::int as n
    from releases f
    where ${scopeCondition(scope, scopeColumns('f'))} and ${rangeCondition(scope, sql`f.finished_at`)} and f.status in ${sqlList(FINISHED_STATUSES)}
    group by 1, 2, 3, 4, 5)`;
}
