/**
 * The dashboard's sign-in: GitHub OAuth (the App's user authorization), sessions in signed http-only cookies
 * backed by `dashboard_sessions`, CSRF tokens per session, and the repositories each user may see.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestUrl } from '../../http/index.ts';
import type { DashboardAuth } from '../types.ts';
import { sendAuthPage } from './auth-responses.ts';
import { handleLogout } from './logout-route.ts';
import { sameText } from '../../lib/same-text.ts';
import { sessionKeys } from './session-keys.ts';
import { createViewerLookup } from './session-lookup.ts';
import { CALLBACK_PATH, handleCallback, handleLogin } from './sign-in-routes.ts';
import type { AuthContext, DashboardAuthLog, DashboardAuthOptions } from './types.ts';

const SILENT: DashboardAuthLog = { info: () => undefined, warn: () => undefined };

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The routes' full paths, given either the full path or the path below `/dashboard`. */
function fullPath(path: string): string {
  return path === '/dashboard' || path.startsWith('/dashboard/') ? path : `/dashboard${path === '/' ? '' : path}`;
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  sendAuthPage(response, {
    status: 405,
    title: 'Method not allowed',
    message: `This address answers ${allow} only.`,
    headers: { allow },
  });
}

/**
 * Creates the sign-in side of the dashboard. `handle` answers `/dashboard/login`, `/dashboard/auth/callback` and
 * `/dashboard/logout` (its `path` may be the full path or the path below `/dashboard`).
 */
export function createDashboardAuth(options: DashboardAuthOptions): DashboardAuth {
  const publicUrl = withoutTrailingSlash(options.publicUrl);
  const context: AuthContext = {
    db: options.db,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    keys: sessionKeys(options.sessionSecret),
    publicUrl,
    githubWebUrl: withoutTrailingSlash(options.githubWebUrl),
    githubApiUrl: withoutTrailingSlash(options.githubApiUrl),
    sessionSeconds: Math.round((options.sessionHours ?? 8) * 3600),
    secureCookies: publicUrl.startsWith('https:'),
    fetch: options.fetch ?? globalThis.fetch,
    now: options.now ?? (() => new Date()),
    log: options.log ?? SILENT,
  };
  const viewer = createViewerLookup(context);

  async function handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
    const route = fullPath(path);
    const method = (request.method ?? 'GET').toUpperCase();
    const query = requestUrl(request)?.searchParams ?? new URLSearchParams();
    switch (route) {
      case '/dashboard/login':
        if (method === 'GET') await handleLogin(context, request, response, query);
        else methodNotAllowed(response, 'GET');
        return true;
      case CALLBACK_PATH:
        if (method === 'GET') await handleCallback(context, request, response, query);
        else methodNotAllowed(response, 'GET');
        return true;
      case '/dashboard/logout':
        if (method === 'POST') await handleLogout(context, request, response);
        else methodNotAllowed(response, 'POST');
        return true;
      default:
        return false;
    }
  }

  return {
    handle,
    viewer,
    csrfOk: (who, token) => token !== undefined && sameText(who.csrfToken, token),
  };
}
