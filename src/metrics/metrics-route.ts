/** `GET /metrics`: the registry in Prometheus's text format, behind a bearer token when one is set. */
import type { RouteHandler } from '../http/index.ts';
import type { Metrics } from './metrics.ts';
import { hasMetricsToken } from './metrics-token.ts';

/** `options.token`: the bearer token scrapes must send (metrics-token.ts); absent = open. */
export function metricsHandler(metrics: Metrics, options: { token?: string | undefined } = {}): RouteHandler {
  return async (request, response) => {
    if (options.token !== undefined && !hasMetricsToken(request, options.token)) {
      response
        .writeHead(401, {
          'www-authenticate': 'Bearer realm="yardmaster-metrics"',
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end('401: /metrics needs Authorization: Bearer <token>\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const text = await metrics.registry.metrics();
    response
      .writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' })
      .end(request.method === 'HEAD' ? undefined : text);
  };
}
