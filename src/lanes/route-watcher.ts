/**
 * Keeps the router's route table current: loaded at start, reloaded on every NOTIFY on `yardmaster_lanes` (sent in
 * the transactions that change instances or lanes; PostgreSQL through a connection of its own, PGlite in-process),
 * each time that connection is made again (notifications sent while it was down are lost) and every 30 s in case
 * one was missed anyway. The last is rare insurance, kept rare: loading 10,000 lanes takes ~50 ms of CPU, which
 * every 5 s showed in the p99 of an engine on the same cores. Reloads are coalesced; the table is swapped whole and
 * handed to the data plane (data-plane.ts) — only when it differs from the one last handed over: an engine that
 * applies a table by reloading (nginx) would otherwise restart its workers, and close every kept-alive connection,
 * on each safety reload.
 */
import { listenChannel } from '../db/index.ts';
import type { Database } from '../db/types.ts';
import { coalescedTask } from '../lib/coalesced-task.ts';
import { LANE_CHANNEL } from './lane-audit.ts';
import { EMPTY_ROUTES, loadRouteTable, type RouteTable, sameRoutes } from './route-table.ts';

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
  const onError = options.onError ?? (() => undefined);
  const loader = coalescedTask(async () => {
    try {
      const loaded = await loadRouteTable(database.db);
      if (applied && sameRoutes(loaded, table)) return;
      await options.apply?.(loaded);
      table = loaded;
      applied = true;
    } catch (error) {
      onError(error);
    }
  });
  const reload = (): Promise<void> => loader.run();

  const unlisten = await listenChannel(database, LANE_CHANNEL, () => void reload());
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
