/** Small loopback servers for tests, and listening on loopback with connections that close goes down at once. */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';

export interface LoopbackServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral port of 127.0.0.1; `close` destroys open connections (keep-alive ones too) and stops. */
export function listenLoopback(server: Server, sockets = new Set<Socket>()): Promise<LoopbackServer> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no TCP address'));
        return;
      }
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

/** An HTTP server on 127.0.0.1 answering every request with 200 and `body` (plus the request path). */
export function startHttpServer(body: string): Promise<LoopbackServer> {
  const server = createHttpServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    response.end(`${body} ${request.method ?? ''} ${request.url ?? ''}`);
  });
  return listenLoopback(server);
}

/** A TCP server that accepts connections and never says a word (an SSH handshake against it times out). */
export function startSilentServer(): Promise<LoopbackServer> {
  return listenLoopback(createTcpServer());
}
