/**
 * The lanes service of a process: the router on its own port, the API (and registry) on another, and a sweeper
 * that marks silent registered instances down and ends lanes whose TTL ran out. Wiring only.
 */
import { createServer, type Server } from 'node:http';
import type { Database } from '../db/types.ts';
import { closeGracefully, listen } from '../http/index.ts';
import { createLaneRouter } from './lane-router.ts';
import { endExpiredLanes, type LaneDeps } from './lane-tasks.ts';
import { lanesApi } from './lanes-api.ts';
import { markSilentDown } from './registry-store.ts';
import { watchRoutes } from './route-watcher.ts';

export interface LanesServerOptions {
  database: Database;
  deps: LaneDeps;
  host?: string;
  routerPort: number;
  apiPort: number;
  /** The API's bearer token. */
  token: string;
  domain?: string;
  /** A registered instance silent this long is marked down (default 30 s). */
  silenceMs?: number;
  sweepMs?: number;
  log: { warn(fields: object, message: string): void };
}

export interface LanesServer {
  routerUrl: string;
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
  const watcher = await watchRoutes(options.database, {
    onError: (error) => {
      options.log.warn({ err: error }, 'lane routes not reloaded');
    },
  });
  const router = createLaneRouter({
    routes: () => watcher.routes(),
    ...(options.domain === undefined ? {} : { domain: options.domain }),
  });
  const api = lanesApi(options.deps, options.token);
  const apiServer = createServer((request, response) => {
    api(request, response).catch((error: unknown) => {
      options.log.warn({ err: error }, 'lanes API request failed');
      if (!response.headersSent)
        response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}\n');
      else response.destroy();
    });
  });
  const routerUrl = await listenAt(router, options.routerPort, host);
  const apiUrl = await listenAt(apiServer, options.apiPort, host);
  const sweep = async (): Promise<void> => {
    try {
      await markSilentDown(options.deps.db, options.silenceMs ?? 30_000);
      await endExpiredLanes(options.deps);
    } catch (error) {
      options.log.warn({ err: error }, 'lanes sweep failed');
    }
  };
  const timer = setInterval(() => void sweep(), options.sweepMs ?? 10_000);
  timer.unref();
  return {
    routerUrl,
    apiUrl,
    sweep,
    async close() {
      clearInterval(timer);
      // Requests in flight get a moment to finish, as on the main server.
      await Promise.all([router, apiServer].map((server) => closeGracefully(server, 5_000)));
      await watcher.close();
    },
  };
}
