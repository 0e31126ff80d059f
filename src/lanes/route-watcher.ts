/**
 * Keeps the router's route table current: loaded at start, reloaded on every NOTIFY on `yardmaster_lanes` (sent in
 * the transactions that change instances or lanes; PostgreSQL through a connection of its own, PGlite in-process),
 * each time that connection is made again (notifications sent while it was down are lost) and every 30 s in case
 * one was missed anyway. A notification naming one lane (`lane:<name>`: a lane opened, re-specified, tagged or
 * ended) reloads that lane alone; any other reloads the whole table (loading 10,000 lanes takes ~50 ms of CPU, and
 * a lane's change is most of the changes). The safety reload is rare insurance, kept rare: every 5 s it showed in
 * the p99 of an engine on the same cores. Reloads are coalesced (the lanes named meanwhile are reloaded together, or
 * the whole table if anything asked for it); the table is swapped whole and handed to the data plane (data-plane.ts)
 * — only when it differs from the one last handed over: an engine that applies a table by reloading (nginx) would
 * otherwise restart its workers, and close every kept-alive connection, on each safety reload.
 */
import { listenChannel } from '../db/index.ts';
import type { Database } from '../db/types.ts';
import { coalescedTask } from '../lib/coalesced-task.ts';
import { LANE_CHANNEL, LANE_PAYLOAD_PREFIX } from './lane-audit.ts';
import { EMPTY_ROUTES, loadRouteTable, reloadLanes, type RouteTable, sameRoutes } from './route-table.ts';

/** More lanes named between two reloads than this: the whole table is loaded (cheaper than a query naming them). */
const MAX_NAMED_LANES = 1_000;

export interface RouteWatcher {
  routes(): RouteTable;
  /** Reloads now (and resolves once the table in use is at least as new as the database when called). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function watchRoutes(
  database: Database,
  options: {
    safetyReloadMs?: number;
    onError?: (error: unknown) => void;
    /** Hands each table loaded to the data plane (reload() resolves once it has taken it). */
    apply?: (table: RouteTable) => Promise<void>;
  } = {},
): Promise<RouteWatcher> {
  let table: RouteTable = EMPTY_ROUTES;
  // The first table loaded is always handed over: an engine may start with routes of its own.
  let applied = false;
  // What the next run reloads: the whole table, else the lanes named since the last run.
  let whole = true;
  const named = new Set<string>();
  const onError = options.onError ?? (() => undefined);
  const loader = coalescedTask(async () => {
    const lanes = whole || !applied || named.size > MAX_NAMED_LANES ? undefined : [...named];
    whole = false;
    named.clear();
    try {
      const loaded =
        lanes === undefined ? await loadRouteTable(database.db) : await reloadLanes(database.db, table, lanes);
      if (loaded === undefined || (lanes === undefined && applied && sameRoutes(loaded, table))) return;
      await options.apply?.(loaded);
      table = loaded;
      applied = true;
    } catch (error) {
      // What this run was to bring in is not in force: the next run reloads everything.
      whole = true;
      onError(error);
    }
  });
  const reload = (): Promise<void> => {
    whole = true;
    return loader.run();
  };

  const unlisten = await listenChannel(database, LANE_CHANNEL, (payload) => {
    if (payload?.startsWith(LANE_PAYLOAD_PREFIX) === true) named.add(payload.slice(LANE_PAYLOAD_PREFIX.length));
    else whole = true;
    void loader.run();
  });
  await reload();
  const timer = setInterval(() => void reload(), options.safetyReloadMs ?? 30_000);
  timer.unref();
  return {
    routes: () => table,
    reload,
    async close() {
      clearInterval(timer);
      await unlisten();
      await loader.settled();
    },
  };
}
