/** From a validated configuration to a running server: the App's, or Probot's setup flow. */
import type { ApplicationFunction } from 'probot';
import type { Logger } from 'pino';
import { createAppProbot } from './create-app-probot.ts';
import type { ServerConfig } from './env.ts';
import { loadPrivateKey } from './private-key.ts';
import { startSetupMode } from './setup-mode.ts';
import { startAppServer } from './start-app-server.ts';

/** A started server, or why it could not start. */
export type StartResult = { ok: true; mode: ServerConfig['mode']; stop(): Promise<void> } | { ok: false; problems: string[] };

/** Starts what `config` describes with `app` as the Probot app function. */
export async function startFromConfig(
  config: ServerConfig,
  app: ApplicationFunction,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
): Promise<StartResult> {
  if (config.mode === 'setup') {
    log.info({}, 'no APP_ID: serving the GitHub App setup flow');
    const setup = await startSetupMode(app, env, log);
    return { ok: true, mode: 'setup', stop: () => setup.stop() };
  }
  const key = await loadPrivateKey(config.privateKey);
  if (!key.ok) return { ok: false, problems: [key.problem] };
  const probot = createAppProbot({
    appId: config.appId,
    privateKey: key.pem,
    webhookSecret: config.webhookSecret,
    githubApiUrl: config.githubApiUrl,
    log,
  });
  const server = await startAppServer({ probot, app, port: config.port, host: config.host, webhookPath: config.webhookPath, log });
  log.info({ port: server.port, webhookPath: server.webhookPath, appId: config.appId }, 'listening');
  return { ok: true, mode: 'app', stop: () => server.close() };
}
