/** Shared types of the dashboard's statistics queries. */
import type { ReleaseRowStatus } from '../../db/vocabulary.ts';

/**
 * What a statistic is computed over. Only rows of `repos` are ever counted (an empty list yields empty results);
 * the time range is half-open, `from` ≤ t < `to`; `project`, `app` and `environment` narrow it further when set.
 * `project` is the apps table's project of the row's repo + app.
 */
export interface StatsScope {
  repos: readonly string[];
  from: Date;
  to: Date;
  project?: string;
  app?: string;
  environment?: string;
}

/** A distribution of durations in milliseconds; the figures are null when nothing was measured. */
export interface DurationSummary {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  meanMs: number | null;
}

/** A release status the engine ends a release with (queued and running releases are not finished). */
export const FINISHED_STATUSES = [
  'succeeded',
  'partial',
  'failed',
  'aborted',
] as const satisfies readonly ReleaseRowStatus[];
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/**
 * Releases that count as a change failure: `failed` (stopped, the hosts it touched rolled back) and `partial` (some
 * hosts failed and were rolled back). `aborted` is a person's decision, not a failure of the change.
 */
export const FAILURE_STATUSES = ['failed', 'partial'] as const satisfies readonly FinishedStatus[];
