/**
 * The App's HTTP side: the dashboard, the Probot app function (webhook inbox with redeliveries), the server with its
 * routes (/readyz, /metrics, Slack's, the dashboard's), and the log lines that say how it listens.
 */
import { type AppDeps, createYardmasterApp, type YardmasterApp } from '../app.ts';
import type { RouteHandler } from '../http/index.ts';
import { METRICS_TOKEN_VARIABLE, metricsHandler } from '../metrics/index.ts';
import type { Runtime } from '../runtime/index.ts';
import { startDashboard } from '../web/start-dashboard.ts';
import type {
  AppContext,
  AppDashboard,
  AppLanes,
  AppMetrics,
  AppNotifications,
  AppSlack,
  StepResult,
} from './app-parts.ts';
import { readinessHandler } from './readiness-route.ts';
import { type RunningServer, startAppServer } from './start-app-server.ts';

export async function startAppDashboard(context: AppContext, runtime: Runtime): Promise<StepResult<AppDashboard>> {
  const { config, env, publicUrl, log } = context;
  const dashboard = await startDashboard({
    database: runtime.database,
    env,
    webhookSecret: config.webhookSecret,
    publicUrl,
    githubApiUrl: config.githubApiUrl,
    log,
  });
  if (!dashboard.ok) return { ok: false, problems: dashboard.problems };
  return { ok: true, value: dashboard };
}

/** The Probot app function: an order's change is told to Slack and kicks the notifications. */
export function createAppFunction(
  context: AppContext,
  parts: {
    service: AppDeps['service'];
    slack: AppSlack | undefined;
    notifications: AppNotifications;
    lanes: AppLanes | undefined;
    metrics: AppMetrics;
  },
): YardmasterApp {
  const { slack, notifications, lanes, metrics } = parts;
  const onOrderChanged = (workOrderId: number): void => {
    slack?.onOrderChanged(workOrderId);
    notifications.kick();
  };
  const deps: AppDeps = {
    service: parts.service,
    publicUrl: context.publicUrl,
    onOrderChanged,
    ...(lanes === undefined ? {} : { lanes: lanes.app }),
  };
  // Redeliveries on: at start and after a database outage, GitHub is asked again for what it could not hand over.
  return createYardmasterApp(deps, {
    onAnswered: (event, outcome, seconds) => {
      metrics.webhookAnswered(event, outcome, seconds);
    },
    redeliveries: {},
    // Several servers on one database: a subject's claim lasts this long unless renewed; stalled subjects (a dead
    // server's) are looked for three times per lease, at most every 5 s.
    leaseMs: context.runtimeConfig.leaseMs,
    stallSweepMs: Math.min(5_000, Math.max(500, Math.floor(context.runtimeConfig.leaseMs / 3))),
  });
}

export async function serveApp(
  context: AppContext,
  parts: {
    runtime: Runtime;
    yardmaster: YardmasterApp;
    metrics: AppMetrics;
    slack: AppSlack | undefined;
    dashboard: AppDashboard;
  },
): Promise<RunningServer> {
  const { config, probot, log, metricsToken } = context;
  const { runtime, slack } = parts;
  return startAppServer({
    probot,
    app: parts.yardmaster.load,
    port: config.port,
    host: config.host,
    webhookPath: config.webhookPath,
    log,
    routes: new Map<string, RouteHandler>([
      ['/readyz', readinessHandler(() => runtime.readiness())],
      ['/metrics', metricsHandler(parts.metrics, { token: metricsToken })],
      ...(slack?.routes ?? []),
      ...parts.dashboard.routes,
    ]),
  });
}

/** The warning about an open /metrics, then the `listening` line with what runs. */
export function logListening(
  context: AppContext,
  parts: { server: RunningServer; slack: AppSlack | undefined; dashboard: AppDashboard },
): void {
  const { config, runtimeConfig, log, metricsToken } = context;
  const { server, slack, dashboard } = parts;
  if (metricsToken === undefined)
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
      metrics: metricsToken === undefined ? 'open' : 'bearer token',
    },
    'listening',
  );
}
