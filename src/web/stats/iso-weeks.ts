/** ISO weeks (Monday first, UTC) of a statistics range: the categories of the per-week figures. */
import type { StatsScope } from './types.ts';
import { DAY_MS, isoDay } from './whole-days.ts';

export interface IsoWeek {
  /** `YYYY-Www`, as the week's Thursday's year and week number (ISO 8601). */
  week: string;
  /** Its Monday, `YYYY-MM-DD`. */
  weekStart: string;
}

/** The ISO week that begins on the UTC midnight `monday`. */
export function isoWeekOf(monday: Date): IsoWeek {
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const number = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return { week: `${year}-W${String(number).padStart(2, '0')}`, weekStart: isoDay(monday) };
}

/** Every ISO week the range [from, to) touches, oldest first. */
export function scopeWeeks(scope: StatsScope): IsoWeek[] {
  const first = new Date(scope.from);
  first.setUTCHours(0, 0, 0, 0);
  // getUTCDay: Sunday 0 … Saturday 6; step back to Monday.
  const monday = first.getTime() - ((first.getUTCDay() + 6) % 7) * DAY_MS;
  const weeks: IsoWeek[] = [];
  for (let time = monday; time < scope.to.getTime(); time += 7 * DAY_MS) weeks.push(isoWeekOf(new Date(time)));
  return weeks;
}
