/** The server of a configured App: Probot's webhook middleware, `/healthz` and extra routes on one node:http server. */
import { createNodeMiddleware, type ApplicationFunction, type Probot } from 'probot';
import {
  WEBHOOK_MAX_BYTES,
  withBodyLimit,
  createRoutedServer,
  healthHandler,
  type RouteHandler,
  type ServerLog,
  closeGracefully,
  listen,
} from '../http/index.ts';

/** What {@link startAppServer} needs. */
export interface AppServerOptions {
  probot: Probot;
  /** The Probot app function to load (src/app.ts in production). */
  app: ApplicationFunction;
  port: number;
  /** Listen address; absent = every interface. */
  host?: string | undefined;
  webhookPath: string;
  log: ServerLog;
  /** How long requests in flight may take to finish on close (default 10 s). */
  closeGraceMs?: number;
  /** More exact-path routes (e.g. `/readyz`). */
  routes?: ReadonlyMap<string, RouteHandler>;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL to reach it from this machine. */
  url: string;
  port: number;
  webhookPath: string;
  /** Stops accepting requests and waits for those in flight (bounded). */
  close(): Promise<void>;
}

function reachableHost(host: string | undefined): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Loads `app` into `probot`, routes the webhook path to Probot's middleware and starts listening. */
export async function startAppServer(options: AppServerOptions): Promise<RunningServer> {
  const middleware = await createNodeMiddleware(options.app, {
    probot: options.probot,
    webhooksPath: options.webhookPath,
  });
  const webhooks: RouteHandler = async (request, response) => {
    await middleware(request, response, () => {
      response.writeHead(404).end();
    });
  };
  const server = createRoutedServer(
    new Map<string, RouteHandler>([
      ...(options.routes ?? new Map<string, RouteHandler>()),
      ['/healthz', healthHandler],
      // Probot reads the whole body before checking its signature: read it here, at most GitHub's 25 MB.
      [options.webhookPath, withBodyLimit(webhooks, WEBHOOK_MAX_BYTES)],
    ]),
    options.log,
  );
  const port = await listen(server, options.port, options.host);
  return {
    url: `http://${reachableHost(options.host)}:${port}`,
    port,
    webhookPath: options.webhookPath,
    close: () => closeGracefully(server, options.closeGraceMs ?? 10_000),
  };
}
