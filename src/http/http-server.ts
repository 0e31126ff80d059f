/**
 * The process's one HTTP server: exact-path routes (webhooks, Slack, health) and prefix routes (a key ending in
 * `/*` answers that path and everything below it: the dashboard), 404 for the rest, 500 (logged, no details to the
 * client) for a handler that throws.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Answers requests to one path. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Where errors of handlers go. */
export interface ServerLog {
  error(fields: object, message: string): void;
}

/** The request's URL (path and query; the host is a placeholder), or undefined when it does not parse. */
export function requestUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function pathnameOf(request: IncomingMessage): string {
  return requestUrl(request)?.pathname ?? '';
}

function answer(response: ServerResponse, status: number, text: string): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/** The handler of `path`: its exact route, else the longest prefix route (`/dashboard/*` takes `/dashboard` too). */
function routeOf(
  routes: ReadonlyMap<string, RouteHandler>,
  prefixes: readonly string[],
  path: string,
): RouteHandler | undefined {
  const exact = routes.get(path);
  if (exact !== undefined) return exact;
  const prefix = prefixes.find((candidate) => path.startsWith(candidate) || path === candidate.slice(0, -1));
  return prefix === undefined ? undefined : routes.get(`${prefix}*`);
}

/** A server (not yet listening) that sends each request to the handler of its path. */
export function createRoutedServer(routes: ReadonlyMap<string, RouteHandler>, log: ServerLog): Server {
  const prefixes = [...routes.keys()]
    .filter((key) => key.endsWith('/*'))
    .map((key) => key.slice(0, -1))
    .toSorted((a, b) => b.length - a.length);
  return createServer((request, response) => {
    const handler = routeOf(routes, prefixes, pathnameOf(request));
    if (handler === undefined) {
      answer(response, 404, 'not found');
      return;
    }
    Promise.resolve()
      .then(() => handler(request, response))
      .catch((error: unknown) => {
        log.error({ err: error, path: pathnameOf(request) }, 'request handler failed');
        answer(response, 500, 'internal error');
      });
  });
}

/** `/healthz`: 200 `ok` while the process serves requests. */
export const healthHandler: RouteHandler = (request, response) => {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('ok\n');
};
