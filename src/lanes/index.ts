/**
 * src/lanes/: lanes: the library, test tasks, the router and the lanes server.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { createCatalogRuntime } from './catalog-runtime.ts';
export { CATALOG_SERVICE_NAME, type LaneCatalog, parseCatalogEntry, parseLaneCatalog } from './catalog.ts';
export { catalogView } from './catalog-api.ts';
export { loadCatalogRows, mergeCatalog, putCatalogService, removeCatalogService } from './catalog-store.ts';
export { type CatalogWatcher, watchLaneCatalog } from './catalog-watcher.ts';
export { formatResolution, resolutionTally } from './format-resolution.ts';
export {
  buildGatewayApiExport,
  type GatewayApiExport,
  type GatewayApiOptions,
  type GatewayRef,
} from './gateway-api-routes.ts';
export { gatewayApiSummary, renderGatewayApiYaml } from './gateway-api-yaml.ts';
export {
  BACKEND_NAME_TEMPLATE,
  DEFAULT_BACKEND_NAME,
  DNS_1035_LABEL,
  DNS_1123_LABEL,
  isGatewayHostname,
  isObjectName,
} from './kubernetes-names.ts';
export { renderHaproxyConfig } from './haproxy-config.ts';
export { MAX_DESCRIPTION, MAX_OWNER, type MetadataPatch, metadataPatchSchema } from './instance-metadata.ts';
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
export { findInstance, putInstance } from './library-store.ts';
export { libraryView } from './library-view.ts';
export { loadRouteTable } from './route-table.ts';
export { modifyInstance } from './modify-instance.ts';
export { INTERRUPTED_REPLACEMENT_MS, recoverInterruptedReplacements } from './recover-replacements.ts';
export { MAX_DRAIN_MS, replaceInstance } from './replace-instance.ts';
export { startAppLanes } from './start-app-lanes.ts';
export { DATA_PLANE_ENGINES } from './start-data-plane.ts';
export { startLanesServer } from './start-lanes-server.ts';
export { parseLaneSpec } from './task-spec.ts';
