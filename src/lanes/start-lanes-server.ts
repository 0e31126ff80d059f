/**
 * The lanes service of a process: the data plane (the `node` engine, the lane router, unless another is chosen) on
 * its own port, fed each route table the watcher loads; the API (and registry) on another; and a sweeper that marks
 * silent registered instances down, ends lanes whose TTL ran out and stops old builds an interrupted replacement left
 * running (recover-replacements.ts); with a catalog, the API's catalog routes (the
 * catalog's watcher is closed with the server). Wiring only.
 */
import { createServer, type Server } from 'node:http';
import { startPeriodicJob } from '../db/index.ts';
import type { Database } from '../db/types.ts';
import { closeGracefully, listen } from '../http/index.ts';
import type { CatalogApi } from './catalog-api.ts';
import type { DataPlane, DataPlaneEngine } from './data-plane.ts';
import { endExpiredLanes, type LaneDeps } from './lane-tasks.ts';
import { lanesApi } from './lanes-api.ts';
import { startDataPlane } from './start-data-plane.ts';
import { markSilentDown } from './registry-store.ts';
import { recoverInterruptedReplacements } from './recover-replacements.ts';
import { watchRoutes } from './route-watcher.ts';

/** The lanes sweep, as a job shared by the servers. */
export const LANES_SWEEP_JOB = 'lanes.sweep';

export interface LanesServerOptions {
  database: Database;
  deps: LaneDeps;
  host?: string;
  routerPort: number;
  apiPort: number;
  /** The API's bearer token. */
  token: string;
  domain?: string;
  /** The engine that carries lane traffic (default `node`, the lane router; `haproxy`, `nginx`: start-data-plane.ts). */
  dataPlane?: DataPlaneEngine;
  /** `haproxy`: the runtime API socket of the operator's HAProxy to attach to (else Yardmaster runs one). */
  haproxySocket?: string;
  /** A registered instance silent this long is marked down (default 30 s). */
  silenceMs?: number;
  /** Between sweeps (TTL ends, silent instances; default 10 s), one server at a time (the periodic job `lanes.sweep`). */
  sweepMs?: number;
  /** The catalog the runtime reads (its watcher is closed with the server) and the API's catalog routes. */
  catalog?: CatalogApi;
  /** The lease of the sweep on one server (default 30 s): another server sweeps once it ran out. */
  leaseMs?: number;
  log: { warn(fields: object, message: string): void; debug?(fields: object, message: string): void };
}

export interface LanesServer {
  routerUrl: string;
  /** The engine carrying lane traffic (tests and benches read its pid and table back). */
  plane: DataPlane;
  apiUrl: string;
  /** One sweep now (tests). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

async function listenAt(server: Server, port: number, host: string): Promise<string> {
  return `http://${host}:${await listen(server, port, host)}`;
}

export async function startLanesServer(options: LanesServerOptions): Promise<LanesServer> {
  const host = options.host ?? '127.0.0.1';
  // An engine that restarted lost its routes: they are applied again at once, then reloaded from the database.
  let reloadFromDatabase: () => void = () => undefined;
  const plane: DataPlane = await startDataPlane(options.dataPlane ?? 'node', {
    host,
    port: options.routerPort,
    ...(options.domain === undefined ? {} : { domain: options.domain }),
    ...(options.haproxySocket === undefined ? {} : { haproxySocket: options.haproxySocket }),
    onRestart: () => {
      reloadFromDatabase();
    },
    log: options.log,
  });
  const watcher = await watchRoutes(options.database, {
    onError: (error) => {
      options.log.warn({ err: error }, 'lane routes not reloaded');
    },
    apply: (table) => plane.apply(table),
  }).catch(async (error: unknown) => {
    await plane.close();
    throw error;
  });
  reloadFromDatabase = () => void watcher.reload();
  const api = lanesApi(options.deps, options.token, options.catalog);
  const apiServer = createServer((request, response) => {
    api(request, response).catch((error: unknown) => {
      options.log.warn({ err: error }, 'lanes API request failed');
      if (!response.headersSent)
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}\n');
      else response.destroy();
    });
  });
  const routerUrl = plane.url;
  const apiUrl = await listenAt(apiServer, options.apiPort, host);
  const sweep = async (): Promise<void> => {
    try {
      await markSilentDown(options.deps.db, options.silenceMs ?? 30_000);
      await endExpiredLanes(options.deps);
      await recoverInterruptedReplacements(options.deps);
    } catch (error) {
      options.log.warn({ err: error }, 'lanes sweep failed');
    }
  };
  const periodic = startPeriodicJob({
    db: options.deps.db,
    name: LANES_SWEEP_JOB,
    periodMs: options.sweepMs ?? 10_000,
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    log: options.log,
    run: sweep,
  });
  return {
    routerUrl,
    plane,
    apiUrl,
    sweep,
    async close() {
      await periodic.stop();
      // Requests in flight get a moment to finish, as on the main server.
      await Promise.all([plane.close(), closeGracefully(apiServer, 5_000)]);
      await watcher.close();
      await options.catalog?.watcher.close();
    },
  };
}
