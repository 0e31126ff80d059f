/** Whether a scope's range is whole UTC days, which the day rollups can answer. */
import type { StatsScope } from './types.ts';

const DAY_MS = 86_400_000;

/** True when both ends of the range are UTC midnights. */
export function wholeDays(scope: StatsScope): boolean {
  return scope.from.getTime() % DAY_MS === 0 && scope.to.getTime() % DAY_MS === 0;
}

/** The UTC day of a midnight, `YYYY-MM-DD`. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
