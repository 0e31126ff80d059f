/**
 * The dashboard in the App's server: sign-in from the environment, one LISTEN for live views, and the routes
 * (`/dashboard/*`, `/orders/*`). Without an OAuth client the pages say how to configure one.
 * The settings are checked and the LISTEN opened at start; the handlers (pages, queries, sign-in) are imported on
 * the first request of their route (lazy-route.ts), which keeps them out of the server's start.
 */
import type { Database } from '../db/types.ts';
import { githubWebUrl } from '../lib/github-web-url.ts';
import type { RouteHandler } from '../http/index.ts';
import { parseDashboardAuthEnv } from './auth/dashboard-auth-env.ts';
import type { DashboardAuthLog } from './auth/types.ts';
import { lazyRoute } from './lazy-route.ts';
import { listenDashboard } from './live/dashboard-notifications.ts';

const loadHandlers = () => import('./dashboard-handler.ts');
const orderLinkRedirect = lazyRoute(async () => (await loadHandlers()).orderLinkRedirect);

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
      routes: [['/dashboard/*', lazyRoute(async () => (await loadHandlers()).dashboardNotConfigured)], redirect],
      stop: () => Promise.resolve(),
    };
  }
  const signIn = settings.settings;
  const web = githubWebUrl(options.githubApiUrl);
  const notifications = await listenDashboard(options.database);
  const dashboard = lazyRoute(async () => {
    const [{ dashboardHandler }, { createDashboardAuth }] = await Promise.all([
      loadHandlers(),
      import('./auth/create-dashboard-auth.ts'),
    ]);
    const auth = createDashboardAuth({
      db: options.database.db,
      clientId: signIn.clientId,
      clientSecret: signIn.clientSecret,
      sessionSecret: signIn.sessionSecret,
      sessionHours: signIn.sessionHours,
      publicUrl: options.publicUrl,
      githubWebUrl: web,
      githubApiUrl: options.githubApiUrl,
      log: options.log,
    });
    return dashboardHandler({
      db: options.database.db,
      auth,
      notifications,
      githubWebUrl: web,
      ...(options.liveRecheckMs === undefined ? {} : { liveRecheckMs: options.liveRecheckMs }),
    });
  });
  return {
    ok: true,
    signIn: true,
    routes: [['/dashboard/*', dashboard], redirect],
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
  const [{ dashboardHandler }, { createLocalDashboardAuth }] = await Promise.all([
    loadHandlers(),
    import('./auth/local-sign-in.ts'),
  ]);
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
