/** Small HTTP helpers of the image check: a free port, waiting for a URL to answer 200, a GitHub API stand-in. */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

/** A TCP port nobody listens on at the moment (127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Polls `url` every 20 ms until it answers 200 and returns when (performance.now()); fails after `timeoutMs` or as
 * soon as `gone()` says the process serving it has ended.
 */
export async function waitFor200(url: string, timeoutMs: number, gone: () => boolean): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (answered) return performance.now();
    if (gone()) throw new Error(`${url}: the process ended before it answered 200`);
    if (performance.now() > deadline) throw new Error(`${url}: no 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Stands in for GitHub's API (GITHUB_API_URL): every request gets an empty list, and is counted. */
export async function startGitHubStandIn(): Promise<{
  url: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
