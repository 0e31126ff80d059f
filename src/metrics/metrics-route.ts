/** `GET /metrics`: the registry in Prometheus's text format. */
import type { RouteHandler } from '../server/http-server.ts';
import type { Metrics } from './metrics.ts';

export function metricsHandler(metrics: Metrics): RouteHandler {
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const text = await metrics.registry.metrics();
    response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : text);
  };
}
