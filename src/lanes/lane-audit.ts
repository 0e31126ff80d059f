/** The audit log's action words for the lane library. */
export const LANE_AUDIT = {
  instanceAdded: 'lane.instance_added',
  instanceChanged: 'lane.instance_changed',
  instanceRemoved: 'lane.instance_removed',
  /** Routes switched from a version's old build to its new one (replace-instance.ts). */
  instanceReplaced: 'lane.instance_replaced',
  /** A new build did not come up (or its old one went away meanwhile): nothing switched, the old one stays. */
  replaceFailed: 'lane.replace_failed',
  laneUp: 'lane.up',
  laneDown: 'lane.down',
  /** A repository's lane spec refused: outside its namespace, TTL or instance quota. */
  laneRefused: 'lane.refused',
  /** The operator's catalog in the database: a service's entry set or replaced, a version's package added, removed. */
  catalogChanged: 'lane.catalog_changed',
  catalogRemoved: 'lane.catalog_removed',
} as const;

/** The NOTIFY channel the router listens on: a route changed. */
export const LANE_CHANNEL = 'yardmaster_lanes';
/** A payload on LANE_CHANNEL naming the one lane whose routes changed (`lane:<name>`); any other payload: all. */
export const LANE_PAYLOAD_PREFIX = 'lane:';

/** The NOTIFY channel every lanes server listens on to reload the catalog (`lane_catalog` changed). */
export const LANE_CATALOG_CHANNEL = 'yardmaster_lane_catalog';

/**
 * The repository a lane's audit rows concern: the one whose pull request opened it (null for lanes opened from the
 * CLI or the lanes API, which are the operator's). The dashboard shows these rows only to that repository's readers.
 */
export function laneAuditRepo(lane: { repoFullName: string | null }): { repo: string | null } {
  return { repo: lane.repoFullName };
}
