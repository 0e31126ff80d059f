/**
 * The lane catalog a lanes server starts versions from: the catalog file's entries (YARDMASTER_LANES_CATALOG,
 * `--catalog`) with the database's `lane_catalog` rows over them (a row replaces the file's entry for its service),
 * and the versions' packages added through the lanes API (`lane_catalog_packages`) merged into their ssh services.
 * Loaded at start, reloaded on every `NOTIFY yardmaster_lane_catalog` and every 30 s in case one was missed, so a
 * change reaches every server without a restart. A load that fails keeps the catalog in force.
 */
import { listenChannel } from '../db/index.ts';
import type { Database } from '../db/types.ts';
import { coalescedTask } from '../lib/coalesced-task.ts';
import type { LaneCatalog } from './catalog.ts';
import { loadCatalogRows, mergeCatalog } from './catalog-store.ts';
import { LANE_CATALOG_CHANNEL } from './lane-audit.ts';

export interface CatalogWatcher {
  /** The catalog in force. */
  current(): LaneCatalog;
  /** Reloads now; resolves once the catalog in force is at least as new as the database when called. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export async function watchLaneCatalog(
  database: Database,
  fileCatalog: LaneCatalog,
  options: {
    safetyReloadMs?: number;
    onProblems?: (problems: string[]) => void;
    onError?: (error: unknown) => void;
  } = {},
): Promise<CatalogWatcher> {
  let catalog: LaneCatalog = { ...fileCatalog };
  const loader = coalescedTask(async () => {
    try {
      const loaded = await loadCatalogRows(database.db);
      if (loaded.problems.length > 0) options.onProblems?.(loaded.problems);
      catalog = mergeCatalog(fileCatalog, loaded.catalog, loaded.packages);
    } catch (error) {
      options.onError?.(error);
    }
  });
  const reload = (): Promise<void> => loader.run();
  const unlisten = await listenChannel(database, LANE_CATALOG_CHANNEL, () => void reload());
  await reload();
  const timer = setInterval(() => void reload(), options.safetyReloadMs ?? 30_000);
  timer.unref();
  let closed = false;
  return {
    current: () => catalog,
    reload,
    /** Stops listening; a second call does nothing (the lanes server and its starter may both close it). */
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await unlisten();
      await loader.settled();
    },
  };
}
