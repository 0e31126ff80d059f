/**
 * A route whose handler is built on its first request: the dashboard's pages, queries and charts (some 70 modules)
 * are imported when someone first opens one, not at the server's start. A failed load is retried by the next request.
 */
import type { RouteHandler } from '../http/index.ts';

export function lazyRoute(load: () => Promise<RouteHandler>): RouteHandler {
  let loading: Promise<RouteHandler> | undefined;
  return async (request, response) => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const handler = await loading;
    await handler(request, response);
  };
}
