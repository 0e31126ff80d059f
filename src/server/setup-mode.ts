/**
 * With no App yet, Probot's setup flow: a page that registers the App on GitHub from app.yml's manifest and
 * writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET into .env (restart afterwards, with the .env loaded).
 *
 * probot 14 exports this flow only through `run()` (`setupAppFactory` is internal, outside the package's
 * `exports`), so setup mode runs Probot's own server on PORT/HOST; `/healthz` is not served until the App exists.
 */
import { run, type ApplicationFunction } from 'probot';
import type { Logger } from 'pino';

/** The setup server, to stop on shutdown. */
export interface SetupServer {
  stop(): Promise<void>;
}

/**
 * Starts Probot's setup flow. `env` is copied so that the .env `run()` loads into `process.env` cannot turn this
 * into a second, differently configured App server.
 */
export async function startSetupMode(
  app: ApplicationFunction,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<SetupServer> {
  const server = await run(app, {
    env: { ...env, APP_ID: undefined, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: undefined },
    log,
  });
  return { stop: () => server.stop() };
}
