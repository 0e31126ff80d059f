/** The Statistics page's filters, parsed from the query string: bad values are reported and replaced by defaults. */
import { z } from 'zod';
import { queryReader } from '../queries/query-fields.ts';
import type { StatsScope } from './types.ts';
import { DAY_MS, isoDay } from './whole-days.ts';

/** The default range: the last 30 days, today included. */
export const DEFAULT_DAYS = 30;
/** The longest range a page asks for (two years): longer ones are refused rather than run. */
export const MAX_DAYS = 731;

/** What the filter form shows (the values in effect, as the form writes them). */
export interface StatsFilterValues {
  /** First day, `YYYY-MM-DD` (UTC). */
  from: string;
  /** Last day, included, `YYYY-MM-DD` (UTC). */
  to: string;
  project: string;
  app: string;
  environment: string;
}

export interface ParsedStatsFilters {
  values: StatsFilterValues;
  /** The scope for `repos`: from the first day's start to the end of the last day. */
  scope: StatsScope;
  /** One message per value that was ignored. */
  problems: string[];
}

const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-06')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'is not a date');
const name = z.string().trim().min(1).max(200, 'is too long');

function startOf(text: string): Date {
  return new Date(`${text}T00:00:00Z`);
}

/** The first day of the default range that ends on day `to`. */
function defaultFrom(to: string): string {
  return isoDay(new Date(startOf(to).getTime() - (DEFAULT_DAYS - 1) * DAY_MS));
}

/**
 * Filters from `query` for a viewer of `repos`, relative to `now` (for the default range). Empty fields do not
 * filter. A value that does not parse, a `from` after `to`, or a range longer than {@link MAX_DAYS} is reported in
 * `problems` and the default used instead; nothing here throws on input.
 */
export function parseStatsFilters(
  query: URLSearchParams,
  repos: readonly string[],
  now: Date = new Date(),
): ParsedStatsFilters {
  // Each message stands alone in the page's list, so it says the value was ignored; fields are named as the form labels them.
  const reader = queryReader(
    query,
    (key, message) => `${key.charAt(0).toUpperCase()}${key.slice(1)}: ${message}; ignored`,
  );
  const problems = reader.problems;
  const read = (key: string, schema: z.ZodType<string>): string | undefined => {
    let value: string | undefined;
    reader.take(key, schema, (parsed) => (value = parsed));
    return value;
  };
  const today = isoDay(now);
  let to = read('to', day) ?? today;
  let from = read('from', day) ?? defaultFrom(to);
  if (startOf(from) > startOf(to)) {
    problems.push(`From (${from}) is after To (${to}); showing the last ${DEFAULT_DAYS} days`);
    to = today;
    from = defaultFrom(to);
  } else if ((startOf(to).getTime() - startOf(from).getTime()) / DAY_MS + 1 > MAX_DAYS) {
    problems.push(`The range is longer than ${MAX_DAYS} days; showing the last ${DEFAULT_DAYS} days up to ${to}`);
    from = defaultFrom(to);
  }
  const project = read('project', name);
  const app = read('app', name);
  const environment = read('environment', name);
  const scope: StatsScope = { repos, from: startOf(from), to: new Date(startOf(to).getTime() + DAY_MS) };
  if (project !== undefined) scope.project = project;
  if (app !== undefined) scope.app = app;
  if (environment !== undefined) scope.environment = environment;
  return {
    values: { from, to, project: project ?? '', app: app ?? '', environment: environment ?? '' },
    scope,
    problems,
  };
}

/** Every UTC day of the scope's range, `YYYY-MM-DD`, oldest first (the charts' categories). */
export function scopeDays(scope: StatsScope): string[] {
  const days: string[] = [];
  for (let time = startOf(isoDay(scope.from)).getTime(); time < scope.to.getTime(); time += DAY_MS)
    days.push(isoDay(new Date(time)));
  return days;
}
