/**
 * The App's server, step by step: before the database (key, /metrics token, Probot, policy), the runtime (database,
 * migrations, queue), Slack, the workers, notifications, lanes, the dashboard, the webhook inbox and the HTTP server.
 * A step that refuses the start stops what the steps before it started (stop-app.ts says in which order).
 */
import type { AppDeps } from '../app.ts';
import { createMetrics } from '../metrics/index.ts';
import { startAppDashboard, createAppFunction, logListening, serveApp } from './app-http.ts';
import { startLanesIfEnabled } from './app-lanes.ts';
import type { AppConfig, AppContext, StartedParts, StartOptions, StartResult } from './app-parts.ts';
import { startAppSlack } from './app-slack.ts';
import { startAppNotifications, startAppWorkers } from './app-workers.ts';
import { openAppRuntime, prepareApp } from './prepare-app.ts';
import { closeRuntime, refuseStart, stopApp, stopStartedServices } from './stop-app.ts';

export async function startApp(
  base: Pick<AppContext, 'runtimeConfig' | 'env' | 'log'> & { config: AppConfig },
  options: StartOptions,
): Promise<StartResult> {
  const prepared = await prepareApp(base, options);
  if (!prepared.ok) return prepared;
  const { context, policy } = prepared.value;
  const parts: StartedParts = { policy, runtime: await openAppRuntime(context, policy) };
  try {
    return await startOnRuntime(context, parts);
  } catch (error) {
    await closeRuntime(parts);
    throw error;
  }
}

/** Every step after the runtime opened; `parts` records each started part for a refusal to stop. */
async function startOnRuntime(context: AppContext, parts: StartedParts): Promise<StartResult> {
  const { runtime, policy } = parts;
  const service: AppDeps['service'] = { db: runtime.database.db, queue: runtime.queue, policy: policy.source };
  const slack = await startAppSlack(context, service);
  if (!slack.ok) return refuseStart(parts, slack.problems);
  parts.slack = slack.value;
  const metrics = createMetrics({ queueDepth: () => runtime.queue.depth() });
  const workers = await startAppWorkers(context, { runtime, policy: policy.source, slack: slack.value, metrics });
  if (!workers.ok) return refuseStart(parts, workers.problems);
  parts.workers = workers.value;
  const notifications = await startAppNotifications(context, runtime, slack.value);
  parts.notifications = notifications;
  const lanes = await startLanesIfEnabled(context, runtime, policy.source);
  if (!lanes.ok) return refuseStart(parts, lanes.problems);
  parts.lanes = lanes.value;
  const dashboard = await startAppDashboard(context, runtime);
  if (!dashboard.ok) return refuseStart(parts, dashboard.problems);
  parts.dashboard = dashboard.value;
  const started = { slack: slack.value, notifications, lanes: lanes.value, metrics, dashboard: dashboard.value };
  const yardmaster = createAppFunction(context, { service, ...started });
  parts.yardmaster = yardmaster;
  const server = await serveApp(context, { runtime, yardmaster, ...started }).catch(async (error: unknown) => {
    await stopStartedServices(parts);
    throw error;
  });
  logListening(context, { server, ...started });
  const app = { policy, runtime, workers: workers.value, yardmaster, server, ...started };
  return { ok: true, mode: 'app', stop: () => stopApp(app) };
}
