/** Lanes in the server process (YARDMASTER_LANES_PORT): the lanes server, and what the GitHub adapter needs. Wiring only. */
import type { Database } from '../db/types.ts';
import type { LaneDeps } from './lane-tasks.ts';
import type { LanesSettings } from './lanes-env.ts';
import { createProcessRuntime } from './process-runtime.ts';
import { startLanesServer, type LanesServer } from './start-lanes-server.ts';

export async function startServerLanes(
  database: Database,
  settings: Extract<LanesSettings, { enabled: true }>,
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void },
): Promise<{ server: LanesServer; app: { deps: LaneDeps; routerUrl: string } }> {
  const deps: LaneDeps = { db: database.db, runtime: createProcessRuntime({ catalog: settings.catalog, routerUrl: settings.routerUrl }), actor: 'yardmaster' };
  const server = await startLanesServer({
    database,
    deps,
    host: '0.0.0.0',
    routerPort: settings.routerPort,
    apiPort: settings.apiPort,
    token: settings.token,
    ...(settings.domain === undefined ? {} : { domain: settings.domain }),
    log,
  });
  log.info({ router: server.routerUrl, api: server.apiUrl }, 'lanes serving');
  return { server, app: { deps, routerUrl: settings.routerUrl } };
}
