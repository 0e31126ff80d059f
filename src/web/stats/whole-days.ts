/** UTC days: the unit of the day rollups and of the Statistics page's range. */
import { sql, type SQL } from 'drizzle-orm';
import type { StatsScope } from './types.ts';

export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a UTC day. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whether the scope's range is whole UTC days (both ends at midnight), which the day rollups can answer. */
export function wholeDays(scope: StatsScope): boolean {
  return scope.from.getTime() % DAY_MS === 0 && scope.to.getTime() % DAY_MS === 0;
}

/** `day >= <first day> and day < <day after the last>` for a rollup's `date` column, over a whole-day scope. */
export function dayRange(day: SQL, scope: StatsScope): SQL {
  return sql`${day} >= ${isoDay(scope.from)}::date and ${day} < ${isoDay(scope.to)}::date`;
}
