/**
 * The dashboard in the App's server: sign-in from the environment, one LISTEN for live views, and the routes
 * (`/dashboard/*`, `/orders/*`). Without an OAuth client the pages say how to configure one.
 */
import type { Database } from '../db/types.ts';
import { githubWebUrl } from '../lib/github-web-url.ts';
import type { RouteHandler } from '../http/index.ts';
import { createDashboardAuth } from './auth/create-dashboard-auth.ts';
import { parseDashboardAuthEnv } from './auth/dashboard-auth-env.ts';
import { createLocalDashboardAuth } from './auth/local-sign-in.ts';
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

export interface LocalDashboardOptions {
  database: Database;
  /** The local viewer's name on the pages. */
  login: string;
  log: DashboardAuthLog;
  /** See {@link DashboardDeps.liveRecheckMs}. */
  liveRecheckMs?: number;
}

export interface LocalDashboard {
  routes: [string, RouteHandler][];
  /** A new one-time sign-in token: the link is `/dashboard/?token=<it>`. */
  newSignInToken(): string;
  stop(): Promise<void>;
}

/**
 * The dashboard of `yardmaster dashboard`: no GitHub, sign-in with one-time links (auth/local-sign-in.ts), every
 * repository of the database visible to the one local viewer.
 */
export async function startLocalDashboard(options: LocalDashboardOptions): Promise<LocalDashboard> {
  const local = createLocalDashboardAuth({ db: options.database.db, login: options.login, log: options.log });
  const notifications = await listenDashboard(options.database);
  return {
    routes: [
      [
        '/dashboard/*',
        dashboardHandler({
          db: options.database.db,
          auth: local.auth,
          notifications,
          githubWebUrl: 'https://github.com',
          ...(options.liveRecheckMs === undefined ? {} : { liveRecheckMs: options.liveRecheckMs }),
        }),
      ],
      ['/orders/*', orderLinkRedirect],
    ],
    newSignInToken: () => local.newSignInToken(),
    stop: () => notifications.close(),
  };
}
