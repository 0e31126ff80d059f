/** `/readyz`: 200 `ready` when the check passes, 503 with the reason otherwise. */
import type { RouteHandler } from '../http/index.ts';

/** The check behind the route. */
export type ReadinessCheck = () => Promise<{ ready: true } | { ready: false; reason: string }>;

/** A handler that runs `check` on every GET/HEAD. */
export function readinessHandler(check: ReadinessCheck): RouteHandler {
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const result = await check();
    const headers = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
    if (result.ready) response.writeHead(200, headers).end('ready\n');
    else response.writeHead(503, headers).end(`not ready: ${result.reason}\n`);
  };
}
