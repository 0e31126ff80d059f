/**
 * src/lanes/: lanes: the library, test tasks, the router and the lanes server.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { createCatalogRuntime } from './catalog-runtime.ts';
export { type LaneCatalog, parseLaneCatalog } from './catalog.ts';
export { formatResolution, resolutionTally } from './format-resolution.ts';
export { renderHaproxyConfig } from './haproxy-config.ts';
export { pullLaneName, repoLaneId } from './lane-id.ts';
export {
  DEFAULT_LANE_LIMITS,
  defaultLaneLimitsFor,
  formatTtl,
  type LaneLimits,
  type LaneLimitsFor,
  MAX_OPERATOR_LANE_TTL_MS,
} from './lane-limits.ts';
export { lanesOfPull } from './lane-store.ts';
export {
  endLane,
  type LaneDeps,
  removeVersion,
  resolveTask,
  startBaseline,
  type TaskResolution,
} from './lane-tasks.ts';
export { laneVersionProblem } from './lane-version.ts';
export { parseLanesEnv } from './lanes-env.ts';
export { putInstance } from './library-store.ts';
export { libraryView } from './library-view.ts';
export { startAppLanes } from './start-app-lanes.ts';
export { DATA_PLANE_ENGINES } from './start-data-plane.ts';
export { startLanesServer } from './start-lanes-server.ts';
export { parseLaneSpec } from './task-spec.ts';
