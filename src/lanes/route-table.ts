/** What the router routes by: the baseline's instance of each service, and each active lane's instances (service names in lower case: host names have no case). */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { laneInstances, laneMembers, lanes } from '../db/index.ts';
import type { DbExecutor } from '../db/types.ts';

export interface RouteTarget {
  version: string;
  endpoint: string;
}

export interface LaneRoutes {
  mode: 'fallback' | 'strict';
  services: ReadonlyMap<string, RouteTarget>;
}

export interface RouteTable {
  baseline: ReadonlyMap<string, RouteTarget>;
  lanes: ReadonlyMap<string, LaneRoutes>;
}

export const EMPTY_ROUTES: RouteTable = { baseline: new Map(), lanes: new Map() };

export async function loadRouteTable(db: DbExecutor): Promise<RouteTable> {
  const baselineRows = await db
    .select({ service: laneInstances.service, version: laneInstances.version, endpoint: laneInstances.endpoint })
    .from(laneInstances)
    .where(and(eq(laneInstances.baseline, true), eq(laneInstances.state, 'up')));
  const baseline = new Map<string, RouteTarget>();
  for (const row of baselineRows)
    if (row.endpoint !== null)
      baseline.set(row.service.toLowerCase(), { version: row.version, endpoint: row.endpoint });
  return { baseline, lanes: await loadLanes(db) };
}

/** The routes of the active lanes named (all active lanes without `names`); a name not active is left out. */
async function loadLanes(db: DbExecutor, names?: readonly string[]): Promise<Map<string, LaneRoutes>> {
  const named = names === undefined ? undefined : inArray(lanes.name, [...names]);
  const laneRows = await db
    .select({ name: lanes.name, mode: lanes.mode })
    .from(lanes)
    .where(and(isNull(lanes.endedAt), named));
  const memberRows = await db
    .select({
      lane: lanes.name,
      service: laneMembers.service,
      version: laneInstances.version,
      endpoint: laneInstances.endpoint,
    })
    .from(laneMembers)
    .innerJoin(lanes, eq(lanes.id, laneMembers.laneId))
    .innerJoin(laneInstances, eq(laneInstances.id, laneMembers.instanceId))
    .where(and(isNull(lanes.endedAt), eq(laneInstances.state, 'up'), named));
  const byLane = new Map<string, { mode: 'fallback' | 'strict'; services: Map<string, RouteTarget> }>();
  for (const row of laneRows) byLane.set(row.name, { mode: row.mode, services: new Map() });
  for (const row of memberRows)
    if (row.endpoint !== null)
      byLane.get(row.lane)?.services.set(row.service.toLowerCase(), { version: row.version, endpoint: row.endpoint });
  return byLane;
}

/**
 * `table` with the lanes named reloaded from the database (a lane no longer active leaves the table), or undefined
 * when they route as they did in `table` (nothing to hand over).
 */
export async function reloadLanes(
  db: DbExecutor,
  table: RouteTable,
  names: readonly string[],
): Promise<RouteTable | undefined> {
  const loaded = await loadLanes(db, names);
  if (names.every((name) => sameLane(loaded.get(name), table.lanes.get(name)))) return undefined;
  const merged = new Map(table.lanes);
  for (const name of names) {
    const lane = loaded.get(name);
    if (lane === undefined) merged.delete(name);
    else merged.set(name, lane);
  }
  return { baseline: table.baseline, lanes: merged };
}

function sameTargets(a: ReadonlyMap<string, RouteTarget>, b: ReadonlyMap<string, RouteTarget>): boolean {
  if (a.size !== b.size) return false;
  for (const [service, target] of a) {
    const other = b.get(service);
    if (other?.version !== target.version || other.endpoint !== target.endpoint) return false;
  }
  return true;
}

/** Whether a lane routes alike in two tables (absent from both, or the same mode and members). */
function sameLane(a: LaneRoutes | undefined, b: LaneRoutes | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.mode === b.mode && sameTargets(a.services, b.services);
}

/** Whether two tables route every request alike (same baseline, same lanes with the same modes and members). */
export function sameRoutes(a: RouteTable, b: RouteTable): boolean {
  if (a.lanes.size !== b.lanes.size || !sameTargets(a.baseline, b.baseline)) return false;
  for (const [name, lane] of a.lanes) if (!sameLane(lane, b.lanes.get(name))) return false;
  return true;
}
