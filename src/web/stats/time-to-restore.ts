/** Time to restore: from a failed release of an app + environment to the next successful one. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';
import { durationAggregates, durationRow, millisBetween, toSummary } from './duration-sql.ts';
import { parseRows } from './rows.ts';
import { rangeCondition, scopeColumns, scopeCondition, sqlList } from './scope-sql.ts';
import { FAILURE_STATUSES, type DurationSummary, type StatsScope } from './types.ts';
import { wholeDays } from './whole-days.ts';

export interface TimeToRestore extends DurationSummary {
  /** Failure streaks that began in the range. */
  incidents: number;
  /** Of those, streaks with no successful release after them yet (not in the figures). */
  unrestored: number;
}

const row = durationRow.extend({ incidents: z.number() });

/**
 * Time to restore of an incident: the `finished_at` of a failed release (status `failed` or `partial`) of an
 * app + environment (in a repo) → the `finished_at` of the next `succeeded` release of the same app + environment.
 * Consecutive failures are one incident, timed from its first failure; aborted releases neither start, end nor
 * interrupt one. An incident counts in the range its first failure finished in; its restore may come later.
 * A range of whole UTC days (the Statistics page's) reads the `restore_incidents` rollup, one row per incident kept
 * by a trigger on releases; any other range walks the releases of the scope.
 */
export async function timeToRestore(db: DbExecutor, scope: StatsScope): Promise<TimeToRestore> {
  if (scope.repos.length === 0) return { ...toSummary(undefined), incidents: 0, unrestored: 0 };
  const result = wholeDays(scope) ? await fromIncidents(db, scope) : await fromReleases(db, scope);
  const incidents = result?.incidents ?? 0;
  const summary = toSummary(result);
  return { ...summary, incidents, unrestored: incidents - summary.count };
}

/** The incidents that began in the range, from the `restore_incidents` rollup. */
async function fromIncidents(db: DbExecutor, scope: StatsScope): Promise<z.infer<typeof row> | undefined> {
  const [result] = parseRows(
    row,
    await db.execute(sql`
      with incidents as (
        select i.failed_at, i.restored_at from restore_incidents i
        where ${scopeCondition(scope, scopeColumns('i'))} and ${rangeCondition(scope, sql`i.failed_at`)}
      )
      select (select count(*)::int from incidents) as incidents, ${durationAggregates(millisBetween(sql`failed_at`, sql`restored_at`))}
      from incidents where restored_at is not null`),
  );
  return result;
}

/** The incidents that began in the range, from the releases of the scope (all of their history). */
async function fromReleases(db: DbExecutor, scope: StatsScope): Promise<z.infer<typeof row> | undefined> {
  const failure = sql`status in ${sqlList(FAILURE_STATUSES)}`;
  const [result] = parseRows(
    row,
    await db.execute(sql`
      with timeline as (
        -- Newest first within each app + environment, so that one pass (and the releases_timeline_idx order) gives
        -- both the release before each one (lead) and the earliest success after it (running min).
        select r.status, r.finished_at, lead(r.status) over latest_first as previous_status,
          min(case when r.status = 'succeeded' then r.finished_at end) over latest_first as restored_at
        from releases r
        where ${scopeCondition(scope, scopeColumns('r'))} and r.finished_at is not null
          and r.status in ('succeeded', ${sql.join(
            FAILURE_STATUSES.map((status) => sql`${status}`),
            sql`, `,
          )})
        window latest_first as (partition by r.repo_full_name, r.app, r.environment order by r.finished_at desc nulls last, r.id desc nulls last)
      ), incidents as (
        select finished_at, restored_at from timeline
        where ${failure} and (previous_status is null or previous_status not in ${sqlList(FAILURE_STATUSES)})
          and ${rangeCondition(scope, sql`finished_at`)}
      )
      select (select count(*)::int from incidents) as incidents, ${durationAggregates(millisBetween(sql`finished_at`, sql`restored_at`))}
      from incidents where restored_at is not null`),
  );
  return result;
}
