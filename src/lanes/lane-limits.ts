/**
 * What the operator allows a repository's lanes: how long one may live and how many library instances the
 * repository's active lanes may hold together. Applied to lanes opened from GitHub; the operator's own CLI and API
 * are not limited by them.
 */

export interface LaneLimits {
  /** The longest `ttl` a lane spec may ask for (and the most a spec without `ttl` gets). */
  maxTtlMs: number;
  /** The distinct service versions (other than `baseline`) the repository's active lanes may name together. */
  maxInstances: number;
}

/** The limits of a repository, by `owner/name` (the operator policy's `max_lane_ttl`, `max_lane_instances`). */
export type LaneLimitsFor = (repoFullName: string) => LaneLimits;

/** Without a policy: lanes live at most 72 hours, and a repository's lanes hold at most 20 instances. */
export const DEFAULT_LANE_LIMITS: LaneLimits = { maxTtlMs: 72 * 3_600_000, maxInstances: 20 };

/** The limits every repository gets without a policy. */
export const defaultLaneLimitsFor: LaneLimitsFor = () => DEFAULT_LANE_LIMITS;

/** The TTL a spec without `ttl` gets: 24 hours, or the limit when it is shorter. */
export const DEFAULT_LANE_TTL_MS = 24 * 3_600_000;

/**
 * The ceiling of any lane's TTL, the operator's included: 30 days (a lane is a test task's; it also keeps the expiry
 * a date the database can store).
 */
export const MAX_OPERATOR_LANE_TTL_MS = 30 * 24 * 3_600_000;

/** A duration as the spec would write it (`72h`, `90m`, `45s`), for messages. */
export function formatTtl(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.ceil(ms / 1000)}s`;
}
