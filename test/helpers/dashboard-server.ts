/**
 * The dashboard on a real HTTP server for tests: the routes `startDashboard` gives the App's server, signing in
 * through a local GitHub OAuth stand-in, over a test database.
 */
import { createRoutedServer, type RouteHandler } from '../../src/http/http-server.ts';
import { closeGracefully, listen } from '../../src/http/listen.ts';
import { freePorts } from '../../src/lib/free-port.ts';
import { startDashboard } from '../../src/web/start-dashboard.ts';
import type { Database } from '../../src/db/types.ts';
import { startGitHubOAuthStandIn, type GitHubOAuthStandIn, type StandInUser } from './github-oauth-stand-in.ts';

export const DASHBOARD_SESSION_SECRET = 'dashboard-test-session-secret-0123456789abcdef';

export interface DashboardServer {
  base: string;
  standIn: GitHubOAuthStandIn;
  close(): Promise<void>;
}

/** Starts the stand-in and the dashboard (plus any `extraRoutes`) on 127.0.0.1. */
export async function startDashboardServer(
  database: Database,
  users: readonly StandInUser[],
  options: { liveRecheckMs?: number; extraRoutes?: [string, RouteHandler][] } = {},
): Promise<DashboardServer> {
  const standIn = await startGitHubOAuthStandIn({ users });
  const [port = 0] = await freePorts(1);
  const base = `http://127.0.0.1:${port}`;
  standIn.expectRedirectUri(`${base}/dashboard/auth/callback`);
  const started = await startDashboard({
    database,
    env: { GITHUB_CLIENT_ID: standIn.clientId, GITHUB_CLIENT_SECRET: standIn.clientSecret, DASHBOARD_SESSION_SECRET },
    webhookSecret: 'unused',
    publicUrl: base,
    githubApiUrl: standIn.apiUrl,
    log: { info: () => undefined, warn: () => undefined },
    ...(options.liveRecheckMs === undefined ? {} : { liveRecheckMs: options.liveRecheckMs }),
  });
  if (!started.ok) throw new Error(started.problems.join('; '));
  const server = createRoutedServer(new Map([...(options.extraRoutes ?? []), ...started.routes]), {
    error: (fields, message) => {
      console.error(message, fields);
    },
  });
  await listen(server, port, '127.0.0.1');
  return {
    base,
    standIn,
    async close() {
      await closeGracefully(server, 2_000);
      await started.stop();
      await standIn.close();
    },
  };
}
