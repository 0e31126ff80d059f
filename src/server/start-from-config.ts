/**
 * From validated settings to a running process: Probot's setup flow (no App yet), or the App's server with the
 * database, migrations, queue and in-process workers (start-app.ts, step by step; stop-app.ts, the stop order).
 */
import type { Logger } from 'pino';
import type { RuntimeConfig } from '../runtime/index.ts';
import type { StartOptions, StartResult } from './app-parts.ts';
import type { ServerConfig } from './env.ts';
import { startSetupMode } from './setup-mode.ts';
import { startApp } from './start-app.ts';

export type { StartOptions, StartResult } from './app-parts.ts';

/** Starts what `config` describes. */
export async function startFromConfig(
  config: ServerConfig,
  runtimeConfig: RuntimeConfig,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  options: StartOptions = {},
): Promise<StartResult> {
  if (config.mode === 'app') return startApp({ config, runtimeConfig, env, log }, options);
  log.info({}, 'no APP_ID: serving the GitHub App setup flow (the database and workers start once the App exists)');
  // Probot's setup flow never loads the app function.
  const setup = await startSetupMode(() => undefined, env, log, { port: config.port, host: config.host });
  return { ok: true, mode: 'setup', stop: () => setup.stop() };
}
