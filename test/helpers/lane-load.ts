/**
 * For route changes under load: instances that say who answered and when they took the request (optionally after
 * a delay, to hold a request in flight), and kept-alive clients that send through a data plane.
 */
import { Agent, createServer, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { listenLoopback, type LoopbackServer } from './tcp-servers.ts';

/** What a timed instance answers. */
export interface TimedAnswer {
  instance: string;
  /** performance.now() of this process when the request reached the instance. */
  receivedAt: number;
}

const MAX_DELAY_MS = 5_000;

/** An instance named `name`: answers 200 with a `TimedAnswer`, after `?delay=<ms>` (at most 5 s) when asked. */
export function startTimedInstance(name: string): Promise<LoopbackServer> {
  const server = createServer((incoming, response) => {
    const receivedAt = performance.now();
    incoming.resume();
    incoming.on('end', () => {
      const delay = Math.min(MAX_DELAY_MS, Number(/[?&]delay=(\d{1,5})\b/.exec(incoming.url ?? '')?.[1] ?? 0));
      const body = JSON.stringify({ instance: name, receivedAt } satisfies TimedAnswer);
      const answer = (): void => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  return listenLoopback(server);
}

export interface KeptAliveAnswer {
  status: number;
  route: string | undefined;
  body: string;
  /** Sends repeated because the kept-alive connection was closed by the other side before any answer came. */
  resent: number;
}

function sendOnce(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
): Promise<{ ok: true; answer: Omit<KeptAliveAnswer, 'resent'> } | { ok: false; error: Error; reused: boolean }> {
  return new Promise((resolve) => {
    const outgoing = request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const route = response.headers['x-yardmaster-route'];
        resolve({
          ok: true,
          answer: {
            status: response.statusCode ?? 0,
            route: typeof route === 'string' ? route : undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          },
        });
      });
      response.on('error', (error) => {
        resolve({ ok: false, error, reused: false });
      });
    });
    outgoing.on('error', (error) => {
      resolve({ ok: false, error, reused: outgoing.reusedSocket });
    });
    outgoing.end();
  });
}

/**
 * GET `url` over `agent` (keep-alive). A request whose reused connection the other side closed before any answer
 * is sent again on a fresh one, as HTTP clients do for idempotent requests (the race every keep-alive client has
 * with a server closing an idle connection; nginx closes them when a reload retires its workers); at most 3 times.
 * Throws for any other failure.
 */
export async function getKeptAlive(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
): Promise<KeptAliveAnswer> {
  for (let resent = 0; ; resent++) {
    const result = await sendOnce(agent, url, headers);
    if (result.ok) return { ...result.answer, resent };
    if (!result.reused || resent >= 3) throw result.error;
  }
}
