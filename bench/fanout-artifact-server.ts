/**
 * The artifact store for `bench:fanout`'s pull runs: serves the files of one directory (argv[2]) over plain HTTP on
 * 127.0.0.1, in its own process so that its CPU time is not counted as the controller's. Prints `{"port":N}`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: fanout-artifact-server.ts <dir>');

const server = createServer((request, response) => {
  const name = basename(new URL(request.url ?? '/', 'http://localhost').pathname);
  const path = join(dir, name);
  void stat(path).then(
    async (info) => {
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': info.size });
      await pipeline(createReadStream(path), response).catch(() => {
        response.destroy();
      });
    },
    () => {
      response.writeHead(404).end();
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = address !== null && typeof address !== 'string' ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
