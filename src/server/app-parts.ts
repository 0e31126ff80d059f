/**
 * The App's start as data: what every step reads (the context, fixed before the database opens) and what has been
 * started so far (the parts, which the stop sequences in stop-app.ts take apart again).
 */
import type { Logger } from 'pino';
import type { Probot, ProbotOctokit } from 'probot';
import type { YardmasterApp } from '../app.ts';
import type { createMetrics } from '../metrics/index.ts';
import type { startNotifications } from '../notify/index.ts';
import type { startAppLanes } from '../lanes/index.ts';
import type { StartPolicyResult } from '../policy/index.ts';
import type { Runtime, RuntimeConfig, startProcessWorkers } from '../runtime/index.ts';
import type { startSlack } from '../slack/index.ts';
import type { StartedDashboard } from '../web/start-dashboard.ts';
import type { ServerConfig } from './env.ts';
import type { RunningServer } from './start-app-server.ts';

/** A started server, or why it could not start. */
export type StartResult =
  | { ok: true; mode: ServerConfig['mode']; stop(): Promise<void> }
  | { ok: false; problems: string[] };

/** What tests and benches may change. */
export interface StartOptions {
  /** Octokit class for the App's Probot (request validation in tests, no throttling in benches); default Probot's. */
  Octokit?: typeof ProbotOctokit;
}

export type AppConfig = Extract<ServerConfig, { mode: 'app' }>;

/** A step's value, or the problems that refuse the start. */
export type StepResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** What every step of the App's start reads. */
export interface AppContext {
  config: AppConfig;
  runtimeConfig: RuntimeConfig;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  probot: Probot;
  /** The server's public address (links in Slack, notifications and GitHub); localhost and the port by default. */
  publicUrl: string;
  /** The bearer token /metrics asks for; undefined = open. */
  metricsToken: string | undefined;
}

export type StartedPolicy = Extract<StartPolicyResult, { ok: true }>;
export type AppSlack = Awaited<ReturnType<typeof startSlack>>;
export type AppMetrics = ReturnType<typeof createMetrics>;
export type AppWorkers = Extract<Awaited<ReturnType<typeof startProcessWorkers>>, { ok: true }>;
export type AppNotifications = Awaited<ReturnType<typeof startNotifications>>;
export type AppLanes = Awaited<ReturnType<typeof startAppLanes>>;
export type AppDashboard = Extract<StartedDashboard, { ok: true }>;

/** What has been started so far, in start order; a field is set once its part runs. */
export interface StartedParts {
  readonly policy: StartedPolicy;
  readonly runtime: Runtime;
  slack?: AppSlack | undefined;
  workers?: AppWorkers;
  notifications?: AppNotifications;
  lanes?: AppLanes | undefined;
  dashboard?: AppDashboard;
  yardmaster?: YardmasterApp;
}

/** A started App: every part, and the HTTP server in front of them. */
export interface RunningApp {
  policy: StartedPolicy;
  runtime: Runtime;
  slack: AppSlack | undefined;
  workers: AppWorkers;
  notifications: AppNotifications;
  lanes: AppLanes | undefined;
  dashboard: AppDashboard;
  yardmaster: YardmasterApp;
  server: RunningServer;
}
