/**
 * src/http/: HTTP plumbing shared by the servers: exact and prefix routes, body limits, listen and close.
 * What other folders use of it; they import from here or from its types.ts, not from the modules behind.
 */
export { SLACK_MAX_BYTES, WEBHOOK_MAX_BYTES, withBodyLimit } from './body-limit.ts';
export { createRoutedServer, healthHandler, requestUrl, type RouteHandler, type ServerLog } from './http-server.ts';
export { closeGracefully, listen } from './listen.ts';
