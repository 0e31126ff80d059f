/**
 * `bench:lanes` only: a minimal upstream service (answers `ok <name>` to everything, keep-alive), as its own process.
 * Prints `{"port":N}`; stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { serveAnnounced } from './serve-announced.ts';

const name = process.env.UPSTREAM_NAME ?? 'upstream';
const body = Buffer.from(`ok ${name}\n`);
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () =>
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body),
  );
});
server.keepAliveTimeout = 60_000;
serveAnnounced(server);
