/** Lane instances for the data-plane tests: node:http servers on loopback that answer with what they were sent. */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { listenLoopback, type LoopbackServer } from './tcp-servers.ts';

export interface Echoed {
  instance: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An instance named `name`: every request is answered 200 with an `Echoed` (HEAD: its length, no body). */
export function startEchoInstance(name: string): Promise<LoopbackServer> {
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const echoed: Echoed = {
        instance: name,
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const body = JSON.stringify(echoed);
      // An instance's own error answer, when a test asks for one.
      const status = Number(incoming.headers['x-echo-status'] ?? 200);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(incoming.method === 'HEAD' ? undefined : body);
    });
  });
  return listenLoopback(server);
}

export interface ProxyAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request through a data plane on a connection of its own (so an engine's reload never meets a kept-alive
 * connection to a worker that is leaving). `body` pieces are sent chunked unless a content-length is given.
 */
export function sendThrough(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string[] } = {},
): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}${path}`,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    for (const piece of init.body ?? []) outgoing.write(piece);
    outgoing.end();
  });
}

/** What the instance saw, from a proxied answer. */
export function echoedOf(answer: ProxyAnswer): Echoed {
  return JSON.parse(answer.body) as Echoed;
}
