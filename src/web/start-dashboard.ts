/**
 * The dashboard in the App's server: sign-in from the environment, one LISTEN for live views, and the routes
 * (`/dashboard/*`, `/orders/*`). Without an OAuth client the pages say how to configure one.
 */
import type { Database } from '../db/types.ts';
import { githubWebUrl } from '../lib/github-web-url.ts';
import type { RouteHandler } from '../http/index.ts';
import { createDashboardAuth } from './auth/create-dashboard-auth.ts';
import { parseDashboardAuthEnv } from './auth/dashboard-auth-env.ts';
import type { DashboardAuthLog } from './auth/types.ts';
import { dashboardHandler, dashboardNotConfigured, orderLinkRedirect } from './dashboard-handler.ts';
import { listenDashboard } from './live/dashboard-notifications.ts';

export interface DashboardStartOptions {
  database: Database;
  env: Readonly<Record<string, string | undefined>>;
  webhookSecret: string;
  publicUrl: string;
  githubApiUrl: string;
  log: DashboardAuthLog;
  /** See {@link DashboardDeps.liveRecheckMs}. */
  liveRecheckMs?: number;
}

export type StartedDashboard =
  | { ok: true; routes: [string, RouteHandler][]; signIn: boolean; stop(): Promise<void> }
  | { ok: false; problems: string[] };

export async function startDashboard(options: DashboardStartOptions): Promise<StartedDashboard> {
  const settings = parseDashboardAuthEnv(options.env, options.webhookSecret);
  if (!settings.ok) return settings;
  const redirect: [string, RouteHandler] = ['/orders/*', orderLinkRedirect];
  if (settings.settings === undefined) {
    return {
      ok: true,
      signIn: false,
      routes: [['/dashboard/*', dashboardNotConfigured], redirect],
      stop: () => Promise.resolve(),
    };
  }
  const web = githubWebUrl(options.githubApiUrl);
  const auth = createDashboardAuth({
    db: options.database.db,
    clientId: settings.settings.clientId,
    clientSecret: settings.settings.clientSecret,
    sessionSecret: settings.settings.sessionSecret,
    sessionHours: settings.settings.sessionHours,
    publicUrl: options.publicUrl,
    githubWebUrl: web,
    githubApiUrl: options.githubApiUrl,
    log: options.log,
  });
  const notifications = await listenDashboard(options.database);
  return {
    ok: true,
    signIn: true,
    routes: [
      [
        '/dashboard/*',
        dashboardHandler({
          db: options.database.db,
          auth,
          notifications,
          githubWebUrl: web,
          ...(options.liveRecheckMs === undefined ? {} : { liveRecheckMs: options.liveRecheckMs }),
        }),
      ],
      redirect,
    ],
    stop: () => notifications.close(),
  };
}
