/** The SQL conditions every statistics query shares: which repositories, app, environment, project and time range. */
import { sql, type SQL } from 'drizzle-orm';
import type { StatsScope } from './types.ts';

/** Columns of the row a scope applies to (a release, a work order), written as SQL fragments with their alias. */
export interface ScopeColumns {
  repo: SQL;
  app: SQL;
  environment: SQL;
}

/** `list` as a parenthesised SQL list of parameters, for `in (…)`. */
export function sqlList(list: readonly string[]): SQL {
  return sql`(${sql.join(
    list.map((item) => sql`${item}`),
    sql`, `,
  )})`;
}

/**
 * `repo in (…) and app = … and environment = … and <project matches>` for the row behind `columns`. Callers return
 * early on an empty repos list (`in ()` is not SQL).
 */
export function scopeCondition(scope: StatsScope, columns: ScopeColumns): SQL {
  const parts: SQL[] = [sql`${columns.repo} in ${sqlList(scope.repos)}`];
  if (scope.app !== undefined) parts.push(sql`${columns.app} = ${scope.app}`);
  if (scope.environment !== undefined) parts.push(sql`${columns.environment} = ${scope.environment}`);
  if (scope.project !== undefined) {
    parts.push(
      sql`exists (select 1 from apps p where p.repo_full_name = ${columns.repo} and p.name = ${columns.app} and p.project = ${scope.project})`,
    );
  }
  return sql.join(parts, sql` and `);
}

/** `column >= from and column < to` (timestamps passed as ISO text: both drivers read them the same way). */
export function rangeCondition(scope: StatsScope, column: SQL): SQL {
  return sql`${column} >= ${scope.from.toISOString()}::timestamptz and ${column} < ${scope.to.toISOString()}::timestamptz`;
}

/**
 * The scope columns of a `releases` or `work_orders` row aliased `alias` (both name them repo_full_name, app and
 * environment). The alias is always a constant of the query, never input.
 */
export function scopeColumns(alias: string): ScopeColumns {
  const a = sql.raw(alias);
  return { repo: sql`${a}.repo_full_name`, app: sql`${a}.app`, environment: sql`${a}.environment` };
}

/**
 * The UTC calendar day of a timestamptz column, as a `date`. Queries group by this (a date compares and hashes far
 * cheaper than text) and format it with {@link dayText} only in their output.
 */
export function utcDate(column: SQL): SQL {
  return sql`(${column} at time zone 'UTC')::date`;
}

/** A `date` expression as `YYYY-MM-DD` text (both drivers then return the same string). */
export function dayText(date: SQL): SQL {
  return sql`to_char(${date}, 'YYYY-MM-DD')`;
}
