/**
 * The dashboard's local sign-in (`yardmaster dashboard`): no GitHub. The process prints a URL with a one-time token
 * (`/dashboard/?token=…`, as Jupyter does); the first visit with it opens a normal session (a `dashboard_sessions`
 * row keyed by the sha256 of the cookie's token) and the token is spent. The local viewer sees every repository the
 * database knows, read again on every request. Session cookies are signed with a secret made at start, so they end
 * with the process.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestUrl } from '../../http/index.ts';
import { sameText } from '../../lib/same-text.ts';
import { allRepositories } from '../queries/all-repositories.ts';
import type { DashboardAuth } from '../types.ts';
import { redirect, sendAuthPage } from './auth-responses.ts';
import { handleLogout } from './logout-route.ts';
import { safeReturnPath } from './return-path.ts';
import { sessionCookie, sessionCookieValue } from './session-cookie.ts';
import { sessionKeys } from './session-keys.ts';
import { csrfTokenFor, sessionOf } from './session-lookup.ts';
import { insertSession, newSessionToken, sessionTokenHash } from './session-store.ts';
import type { AuthContext, DashboardAuthLog } from './types.ts';

/** The query parameter of the sign-in link. */
export const LOCAL_TOKEN_PARAM = 'token';

export interface LocalAuthOptions {
  db: AuthContext['db'];
  /** The viewer's name on the pages (e.g. `local:alice`). */
  login: string;
  /** Session length; default 12. */
  sessionHours?: number;
  now?: () => Date;
  log?: DashboardAuthLog;
}

/** The local sign-in: a {@link DashboardAuth} and the maker of one-time links. */
export interface LocalDashboardAuth {
  auth: DashboardAuth;
  /** A new one-time sign-in token (only its hash is kept). */
  newSignInToken(): string;
}

const SILENT: DashboardAuthLog = { info: () => undefined, warn: () => undefined };

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The request's path and query without the sign-in token. */
function withoutToken(url: URL): string {
  const query = new URLSearchParams(url.searchParams);
  query.delete(LOCAL_TOKEN_PARAM);
  const search = query.toString();
  return safeReturnPath(`${url.pathname}${search === '' ? '' : `?${search}`}`);
}

export function createLocalDashboardAuth(options: LocalAuthOptions): LocalDashboardAuth {
  const context: AuthContext = {
    db: options.db,
    // No OAuth client: the GitHub fields stay empty and unused (only the session and sign-out modules read this).
    clientId: '',
    clientSecret: '',
    keys: sessionKeys(randomBytes(32).toString('base64url')),
    publicUrl: '',
    githubWebUrl: '',
    githubApiUrl: '',
    sessionSeconds: Math.round((options.sessionHours ?? 12) * 3600),
    secureCookies: false,
    fetch: globalThis.fetch,
    now: options.now ?? (() => new Date()),
    log: options.log ?? SILENT,
  };
  /** Hashes of the tokens not yet used. */
  const pending = new Set<string>();

  async function signIn(request: IncomingMessage, response: ServerResponse, url: URL, token: string): Promise<void> {
    const onward = withoutToken(url);
    const hash = hashOf(token);
    if (!pending.has(hash)) {
      if ((await sessionOf(context, request)) !== undefined) {
        redirect(response, 302, onward);
        return;
      }
      context.log.warn({}, 'dashboard: a sign-in link was refused (already used, or not of this process)');
      sendAuthPage(response, {
        status: 403,
        title: 'Sign-in link refused',
        message:
          'This sign-in link was already used, or is not one of this dashboard. Each link works once: run `yardmaster dashboard` again for a new one.',
      });
      return;
    }
    pending.delete(hash);
    const sessionToken = newSessionToken();
    const now = context.now();
    await insertSession(context.db, {
      tokenHash: sessionTokenHash(sessionToken),
      login: options.login,
      githubUserId: 0,
      repos: [],
      sealedAccessToken: null,
      reposCheckedAt: now,
      createdAt: now,
      expiresAt: new Date(now.getTime() + context.sessionSeconds * 1000),
    });
    context.log.info({ login: options.login }, 'dashboard sign-in with a one-time link');
    redirect(response, 302, onward, [
      sessionCookie(sessionCookieValue(context.keys, sessionToken), context.sessionSeconds, false),
    ]);
  }

  const auth: DashboardAuth = {
    async handle(request, response, path) {
      const url = requestUrl(request) ?? new URL('http://localhost/dashboard');
      const method = (request.method ?? 'GET').toUpperCase();
      const token = url.searchParams.get(LOCAL_TOKEN_PARAM);
      // GET only: a HEAD (a link preview) does not spend the token.
      if (token !== null && method === 'GET') {
        await signIn(request, response, url, token);
        return true;
      }
      const route = path === '/dashboard' || path.startsWith('/dashboard/') ? path : `/dashboard${path}`;
      if (route === '/dashboard/login') {
        const signedOut = url.searchParams.has('signed_out');
        sendAuthPage(response, {
          status: signedOut ? 200 : 401,
          title: signedOut ? 'Signed out' : 'Sign in',
          message:
            'This dashboard signs in with the one-time link that `yardmaster dashboard` printed on its terminal (…/dashboard/?token=…). Each link works once: run the command again for a new one.',
        });
        return true;
      }
      if (route === '/dashboard/logout') {
        if (method === 'POST') await handleLogout(context, request, response);
        else
          sendAuthPage(response, {
            status: 405,
            title: 'Method not allowed',
            message: 'POST only.',
            headers: { allow: 'POST' },
          });
        return true;
      }
      return false;
    },
    async viewer(request) {
      const row = await sessionOf(context, request);
      if (row === undefined) return null;
      return {
        login: row.login,
        repos: await allRepositories(context.db),
        csrfToken: csrfTokenFor(context, row.tokenHash),
        everything: true,
      };
    },
    csrfOk: (who, token) => token !== undefined && sameText(who.csrfToken, token),
  };

  return {
    auth,
    newSignInToken() {
      const token = randomBytes(32).toString('base64url');
      pending.add(hashOf(token));
      return token;
    },
  };
}
