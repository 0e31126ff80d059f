/**
 * From validated settings to a running process: Probot's setup flow (no App yet), or the App's server with the
 * database, migrations, queue and in-process workers. Stops in order: HTTP server (requests in flight finish),
 * webhook inbox (handlers running finish; deliveries not yet taken wait, stored, for the next start), workers,
 * queue, database.
 */
import type { ProbotOctokit } from 'probot';
import type { Logger } from 'pino';
import { createYardmasterApp, type AppDeps } from '../app.ts';
import { laneLimitsOf, startPolicy, storeSecretSource } from '../policy/index.ts';
import {
  openRuntime,
  type Runtime,
  type RuntimeConfig,
  startProcessWorkers,
  withEventSink,
  workerConnect,
} from '../runtime/index.ts';
import { createAppProbot } from './create-app-probot.ts';
import type { ServerConfig } from './env.ts';
import { githubWorkerWiring } from './github-worker-wiring.ts';
import { createGitHubConfigLoader } from '../github/index.ts';
import { githubWebUrl } from '../lib/github-web-url.ts';
import { parseSlackEnv, startSlack, withSlackReport } from '../slack/index.ts';
import { createMetrics, metricsHandler, METRICS_TOKEN_VARIABLE, parseMetricsToken } from '../metrics/index.ts';
import { startNotifications } from '../notify/index.ts';
import { parseLanesEnv, startAppLanes } from '../lanes/index.ts';
import { startDashboard } from '../web/start-dashboard.ts';
import type { RouteHandler } from '../http/index.ts';
import { loadPrivateKey } from './private-key.ts';
import { readinessHandler } from './readiness-route.ts';
import { startSetupMode } from './setup-mode.ts';
import { startAppServer } from './start-app-server.ts';

/** A started server, or why it could not start. */
export type StartResult =
  | { ok: true; mode: ServerConfig['mode']; stop(): Promise<void> }
  | { ok: false; problems: string[] };

type AppConfig = Extract<ServerConfig, { mode: 'app' }>;

/** What tests and benches may change. */
export interface StartOptions {
  /** Octokit class for the App's Probot (request validation in tests, no throttling in benches); Probot's own by default. */
  Octokit?: typeof ProbotOctokit;
}

async function startApp(
  config: AppConfig,
  runtimeConfig: RuntimeConfig,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  options: StartOptions,
): Promise<StartResult> {
  const key = await loadPrivateKey(config.privateKey);
  if (!key.ok) return { ok: false, problems: [key.problem] };
  const metricsToken = parseMetricsToken(env);
  if (!metricsToken.ok) return { ok: false, problems: [metricsToken.problem] };
  const probot = createAppProbot({
    appId: config.appId,
    privateKey: key.pem,
    webhookSecret: config.webhookSecret,
    githubApiUrl: config.githubApiUrl,
    log,
    ...(options.Octokit === undefined ? {} : { Octokit: options.Octokit }),
  });
  const publicUrl = runtimeConfig.publicUrl ?? `http://localhost:${config.port}`;
  // Before the database opens: a bad policy file refuses the start, with its errors by line.
  const policy = await startPolicy(runtimeConfig.policyFile, { artifactsDir: runtimeConfig.artifactsDir, log });
  if (!policy.ok) return { ok: false, problems: policy.problems };
  const runtime: Runtime = await openRuntime(runtimeConfig, log, env).catch((error: unknown) => {
    policy.stop();
    throw error;
  });
  try {
    const slackEnv = parseSlackEnv(env);
    if (!slackEnv.ok) {
      await runtime.close();
      policy.stop();
      return { ok: false, problems: slackEnv.problems };
    }
    const service = { db: runtime.database.db, queue: runtime.queue, policy: policy.source };
    const githubFor = (installationId: number) => probot.auth(installationId);
    const slack = slackEnv.settings.enabled
      ? await startSlack(slackEnv.settings, {
          service,
          githubFor,
          loadConfig: createGitHubConfigLoader(githubFor),
          publicUrl,
          githubWebUrl: githubWebUrl(config.githubApiUrl),
          log,
        })
      : undefined;
    const metrics = createMetrics({ queueDepth: () => runtime.queue.depth() });
    const workers = await startProcessWorkers(
      runtime,
      env,
      log,
      policy.source,
      withEventSink(
        withSlackReport(githubWorkerWiring(probot, runtime.database, publicUrl, log), slack?.report),
        (event) => {
          metrics.onWorkerEvent(event);
        },
      ),
    );
    if (!workers.ok) {
      await slack?.stop();
      await runtime.close();
      policy.stop();
      return { ok: false, problems: [workers.problem] };
    }
    const notifications = await startNotifications({
      db: runtime.database.db,
      queue: runtime.queue,
      loadConfig: createGitHubConfigLoader(githubFor),
      publicUrl,
      env,
      secrets: storeSecretSource(runtime.database.db, runtimeConfig.secretsKey),
      log,
      ...(slack === undefined ? {} : { slack: slack.client }),
    });
    const lanesEnv = await parseLanesEnv(env);
    if (!lanesEnv.ok) {
      await notifications.stop();
      await slack?.stop();
      await workers.workers.stop();
      await runtime.close();
      policy.stop();
      return { ok: false, problems: lanesEnv.problems };
    }
    const lanesSsh =
      lanesEnv.settings.enabled && Object.values(lanesEnv.settings.catalog).some((entry) => entry.ssh !== undefined)
        ? await workerConnect(env, runtimeConfig.acceptNewHostKeys, log)
        : undefined;
    if (lanesSsh !== undefined && !lanesSsh.ok)
      log.warn({ problem: lanesSsh.message }, 'lanes: no SSH identity, so services on lane hosts cannot start');
    const lanes = lanesEnv.settings.enabled
      ? await startAppLanes(
          runtime.database,
          lanesEnv.settings,
          log,
          lanesSsh?.ok === true ? lanesSsh.connect : undefined,
          (repo) => laneLimitsOf(policy.source.forRepo(repo)),
        )
      : undefined;
    const dashboard = await startDashboard({
      database: runtime.database,
      env,
      webhookSecret: config.webhookSecret,
      publicUrl,
      githubApiUrl: config.githubApiUrl,
      log,
    });
    if (!dashboard.ok) {
      await lanes?.server.close();
      await notifications.stop();
      await slack?.stop();
      await workers.workers.stop();
      await runtime.close();
      policy.stop();
      return { ok: false, problems: dashboard.problems };
    }
    const onOrderChanged = (workOrderId: number): void => {
      slack?.onOrderChanged(workOrderId);
      notifications.kick();
    };
    const deps: AppDeps = { service, publicUrl, onOrderChanged, ...(lanes === undefined ? {} : { lanes: lanes.app }) };
    // Redeliveries on: at start and after a database outage, GitHub is asked again for what it could not hand over.
    const yardmaster = createYardmasterApp(deps, {
      onAnswered: (event, outcome, seconds) => {
        metrics.webhookAnswered(event, outcome, seconds);
      },
      redeliveries: {},
    });
    const server = await startAppServer({
      probot,
      app: yardmaster.load,
      port: config.port,
      host: config.host,
      webhookPath: config.webhookPath,
      log,
      routes: new Map<string, RouteHandler>([
        ['/readyz', readinessHandler(() => runtime.readiness())],
        ['/metrics', metricsHandler(metrics, { token: metricsToken.token })],
        ...(slack?.routes ?? []),
        ...dashboard.routes,
      ]),
    }).catch(async (error: unknown) => {
      await dashboard.stop();
      await yardmaster.close();
      await lanes?.server.close();
      await notifications.stop();
      await slack?.stop();
      await workers.workers.stop();
      throw error;
    });
    if (metricsToken.token === undefined)
      log.warn(
        { metrics: 'open' },
        `/metrics answers anyone who can reach the server: set ${METRICS_TOKEN_VARIABLE} to require a bearer token`,
      );
    log.info(
      {
        port: server.port,
        webhookPath: server.webhookPath,
        appId: config.appId,
        workers: runtimeConfig.workers,
        slack: slack === undefined ? 'off' : 'on',
        dashboardSignIn: dashboard.signIn ? 'on' : 'off',
        metrics: metricsToken.token === undefined ? 'open' : 'bearer token',
      },
      'listening',
    );
    return {
      ok: true,
      mode: 'app',
      async stop() {
        await server.close();
        await dashboard.stop();
        await yardmaster.close();
        await slack?.stop();
        await lanes?.server.close();
        await workers.workers.stop();
        await notifications.stop();
        await runtime.close({ afterQueue: workers.idle });
        policy.stop();
      },
    };
  } catch (error) {
    await runtime.close();
    policy.stop();
    throw error;
  }
}

/** Starts what `config` describes. */
export async function startFromConfig(
  config: ServerConfig,
  runtimeConfig: RuntimeConfig,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  options: StartOptions = {},
): Promise<StartResult> {
  if (config.mode === 'app') return startApp(config, runtimeConfig, env, log, options);
  log.info({}, 'no APP_ID: serving the GitHub App setup flow (the database and workers start once the App exists)');
  // Probot's setup flow never loads the app function.
  const setup = await startSetupMode(() => undefined, env, log);
  return { ok: true, mode: 'setup', stop: () => setup.stop() };
}
