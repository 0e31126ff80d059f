/** Lanes in the App's server process (YARDMASTER_LANES_PORT): the lanes server, and what the GitHub adapter needs. Wiring only. */
import type { Database } from '../db/types.ts';
import type { LaneDeps } from './lane-tasks.ts';
import type { LanesSettings } from './lanes-env.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectHost } from '../deploy/types.ts';
import { createCatalogRuntime } from './catalog-runtime.ts';
import { watchLaneCatalog } from './catalog-watcher.ts';
import { defaultLaneLimitsFor, type LaneLimitsFor } from './lane-limits.ts';
import { startLanesServer, type LanesServer } from './start-lanes-server.ts';

export async function startAppLanes(
  database: Database,
  settings: Extract<LanesSettings, { enabled: true }>,
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void },
  /** SSH for catalog services that run on lane hosts (the workers' identity). */
  connect?: ConnectHost,
  /** Each repository's lane limits for lanes opened from GitHub (the operator policy); default 72 h, 20 instances. */
  laneLimitsFor: LaneLimitsFor = defaultLaneLimitsFor,
  catalogOptions: {
    /** Where relative package paths of the catalog are read from (default: the temporary directory). */
    artifactsDir?: string;
    /** The operator's artifact rule for packages added through the lanes API (default: none allowed). */
    packageProblem?: (url: string) => string | undefined;
    /** The lease of the lanes sweep across servers (the server's YARDMASTER_LEASE_SECONDS; default 30 s). */
    leaseMs?: number;
  } = {},
): Promise<{ server: LanesServer; app: { deps: LaneDeps; routerUrl: string; limitsFor: LaneLimitsFor } }> {
  // The catalog file's entries with the database's over them, reloaded on every change (no restart).
  const watcher = await watchLaneCatalog(database, settings.catalog, {
    onProblems: (problems) => {
      log.warn({ problems }, 'lane catalog: entries left out');
    },
    onError: (error) => {
      log.warn({ err: error }, 'lane catalog not reloaded');
    },
  });
  const runtime = createCatalogRuntime({
    catalog: () => watcher.current(),
    routerUrl: settings.routerUrl,
    cacheDir: join(tmpdir(), 'yardmaster-lanes'),
    artifactsDir: catalogOptions.artifactsDir ?? tmpdir(),
    ...(connect === undefined ? {} : { connect }),
  });
  const deps: LaneDeps = { db: database.db, runtime, actor: 'yardmaster' };
  const server = await startLanesServer({
    database,
    deps,
    host: '0.0.0.0',
    routerPort: settings.routerPort,
    apiPort: settings.apiPort,
    token: settings.token,
    ...(settings.domain === undefined ? {} : { domain: settings.domain }),
    dataPlane: settings.dataPlane,
    catalog: {
      watcher,
      packageProblem: catalogOptions.packageProblem ?? (() => 'no artifact rule was given to the lanes API'),
    },
    ...(settings.haproxySocket === undefined ? {} : { haproxySocket: settings.haproxySocket }),
    ...(catalogOptions.leaseMs === undefined ? {} : { leaseMs: catalogOptions.leaseMs }),
    log,
  }).catch(async (error: unknown) => {
    await watcher.close();
    throw error;
  });
  log.info({ router: server.routerUrl, api: server.apiUrl }, 'lanes serving');
  return { server, app: { deps, routerUrl: settings.routerUrl, limitsFor: laneLimitsFor } };
}
