/**
 * With no App yet, Probot's setup flow: a page that registers the App on GitHub from app.yml's manifest and
 * writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET into .env (restart afterwards, with the .env loaded).
 *
 * probot 14 exports this flow only through `run()` (`setupAppFactory` is internal, outside the package's
 * `exports`), and `run()` starts its own server whose routes cannot be extended once started. So setup mode serves
 * PORT/HOST itself: `/healthz` (200, alive), `/readyz` (503: no App to serve webhooks for), `/dashboard` (503, what to
 * configure), and passes every other request to Probot's setup server on a loopback port.
 */
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { run, type ApplicationFunction } from 'probot';
import type { Logger } from 'pino';
import { closeGracefully, createRoutedServer, healthHandler, listen, type RouteHandler } from '../http/index.ts';
import { readinessHandler } from './readiness-route.ts';

/** The setup server, to stop on shutdown. */
export interface SetupServer {
  /** The port setup mode answers on (PORT, or the one chosen for PORT=0). */
  port: number;
  stop(): Promise<void>;
}

/** What `/readyz` says in setup mode. */
export const SETUP_NOT_READY = 'setup mode: no GitHub App yet (APP_ID is not set)';

const SETUP_DASHBOARD_TEXT = `Yardmaster is in setup mode: there is no GitHub App yet, so there is no dashboard here.

To configure it:
  1. Open /probot on this server to register the GitHub App from app.yml; it writes APP_ID, PRIVATE_KEY and
     WEBHOOK_SECRET (and the OAuth client GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET) into .env.
     Or set them yourself: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET.
  2. For sign-in to the dashboard: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the App's OAuth client).
  3. Restart (npm start reads .env). See docs/operations.md.

Without GitHub: \`npx yardmaster dashboard\` serves the dashboard on 127.0.0.1 from the same database.
`;

/** `/dashboard` in setup mode: what to configure. */
const setupDashboard: RouteHandler = (_request, response) => {
  response
    .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .end(SETUP_DASHBOARD_TEXT);
};

/** A free loopback port for Probot's server (which takes 0 as "3000"). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/** Passes a request on to the server on 127.0.0.1:`port`, the Host header kept (Probot builds its URLs from it). */
function proxyTo(port: number): RouteHandler {
  return (request, response) =>
    new Promise<void>((resolve) => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('end', resolve);
          answer.on('error', () => {
            response.destroy();
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        if (!response.headersSent)
          response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end('setup flow unavailable\n');
        else response.destroy();
        resolve();
      });
      request.pipe(upstream);
    });
}

/**
 * Starts the setup mode on `port`/`host`. `env` is copied so that the .env `run()` loads into `process.env` cannot
 * turn this into a second, differently configured App server.
 */
export async function startSetupMode(
  app: ApplicationFunction,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  where: { port: number; host: string | undefined },
): Promise<SetupServer> {
  const innerPort = await freeLoopbackPort();
  const probot = await run(app, {
    env: {
      ...env,
      APP_ID: undefined,
      PRIVATE_KEY: undefined,
      PRIVATE_KEY_PATH: undefined,
      PORT: String(innerPort),
      HOST: '127.0.0.1',
    },
    // Probot's own lines name its inner loopback address: only its warnings and errors are shown.
    log: log.child({ name: 'probot-setup' }, { level: 'warn' }),
  });
  const server = createRoutedServer(
    new Map<string, RouteHandler>([
      ['/healthz', healthHandler],
      ['/readyz', readinessHandler(() => Promise.resolve({ ready: false, reason: SETUP_NOT_READY }))],
      ['/dashboard/*', setupDashboard],
      ['/*', proxyTo(innerPort)],
    ]),
    log,
  );
  let port: number;
  try {
    // Probot's own default: the setup flow writes credentials into .env, so it is not offered to the network unasked.
    port = await listen(server, where.port, where.host ?? 'localhost');
  } catch (error) {
    await probot.stop();
    throw error;
  }
  const shown = `http://${where.host ?? 'localhost'}:${port}`;
  log.info({ port }, `Listening on ${shown}`);
  log.info({}, `setup mode: open ${shown}/probot to register the GitHub App (${shown}/dashboard says what to set)`);
  return {
    port,
    stop: async () => {
      await closeGracefully(server, 5000);
      await probot.stop();
    },
  };
}
