/**
 * For the benches' helper processes: listen on a free port of 127.0.0.1, print `{"port":N}` for the parent, and
 * stop on SIGTERM (connections closed, exit 0).
 */
import type { Server } from 'node:http';

export function serveAnnounced(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(
      `${JSON.stringify({ port: address !== null && typeof address === 'object' ? address.port : 0 })}\n`,
    );
  });
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
