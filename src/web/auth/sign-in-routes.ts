/**
 * `GET /dashboard/login` (off to GitHub's authorize page) and `GET /dashboard/auth/callback` (back from it: code
 * traded for a token, the user and their repositories read, a session created).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { redirect, sendAuthPage } from './auth-responses.ts';
import { readCookie, serializeCookie } from './cookies.ts';
import { fetchReadableRepos, fetchUser } from './github-user-rest.ts';
import { loginUrl } from './login-redirect.ts';
import {
  decodeLoginState,
  encodeLoginState,
  LOGIN_STATE_COOKIE,
  LOGIN_STATE_SECONDS,
  newLoginState,
} from './login-state.ts';
import { exchangeCode } from './oauth-code-exchange.ts';
import { safeReturnPath } from './return-path.ts';
import { sealToken } from './sealed-token.ts';
import { sessionCookie, sessionCookieValue } from './session-cookie.ts';
import { sessionOf } from './session-lookup.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  insertSession,
  newSessionToken,
  sessionTokenHash,
} from './session-store.ts';
import type { AuthContext } from './types.ts';

/** The path GitHub sends the browser back to (register `<public URL>` + this as the App's callback URL). */
export const CALLBACK_PATH = '/dashboard/auth/callback';

const callbackQuery = z.object({
  code: z.string().min(1).max(512).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

function loginStateCookie(context: AuthContext, value: string, maxAgeSeconds: number): string {
  return serializeCookie(LOGIN_STATE_COOKIE, value, {
    path: '/dashboard',
    maxAgeSeconds,
    secure: context.secureCookies,
  });
}

/** The URL GitHub redirects back to. */
export function callbackUrl(context: AuthContext): string {
  return `${context.publicUrl}${CALLBACK_PATH}`;
}

/**
 * `GET /dashboard/login?return_to=…`: already signed in → straight to the return path; `signed_out` → a page with
 * a sign-in link (sending the browser on to GitHub would sign it in again at once); else → GitHub's authorize page.
 */
export async function handleLogin(
  context: AuthContext,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const returnTo = safeReturnPath(query.get('return_to'));
  if (query.has('signed_out')) {
    sendAuthPage(response, {
      status: 200,
      title: 'Signed out',
      message: 'You have signed out of the Yardmaster dashboard.',
      link: { href: loginUrl(returnTo), label: 'Sign in with GitHub' },
    });
    return;
  }
  if ((await sessionOf(context, request)) !== undefined) {
    redirect(response, 302, returnTo);
    return;
  }
  const state = newLoginState(returnTo, context.now());
  const authorize = new URL(`${context.githubWebUrl}/login/oauth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: context.clientId,
    redirect_uri: callbackUrl(context),
    state: state.state,
  }).toString();
  redirect(response, 302, authorize.toString(), [
    loginStateCookie(context, encodeLoginState(context.keys, state), LOGIN_STATE_SECONDS),
  ]);
}

/** `GET /dashboard/auth/callback?code&state`: see the module comment. The login-state cookie is cleared whatever happens. */
export async function handleCallback(
  context: AuthContext,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const clearState = loginStateCookie(context, '', 0);
  const parsed = callbackQuery.safeParse(Object.fromEntries(query));
  const pending = decodeLoginState(context.keys, readCookie(request, LOGIN_STATE_COOKIE), context.now());
  const retry = { href: loginUrl(pending?.returnTo ?? '/dashboard'), label: 'Sign in again' };
  if (!parsed.success) {
    sendAuthPage(response, {
      status: 400,
      title: 'Sign-in failed',
      message: 'The answer from GitHub is malformed.',
      link: retry,
      cookies: [clearState],
    });
    return;
  }
  const { code, state, error, error_description: description } = parsed.data;
  if (error !== undefined) {
    const message = `GitHub did not sign you in (${error}${description === undefined ? '' : `: ${description}`}).`;
    sendAuthPage(response, { status: 403, title: 'Sign-in cancelled', message, link: retry, cookies: [clearState] });
    return;
  }
  if (pending === undefined || state === undefined || state !== pending.state) {
    const message =
      'This sign-in cannot be verified: its state does not match the one this browser started with. It may have expired (after 10 minutes), or been started in another tab or browser. Please sign in again.';
    sendAuthPage(response, {
      status: 400,
      title: 'Sign-in could not be verified',
      message,
      link: retry,
      cookies: [clearState],
    });
    return;
  }
  if (code === undefined) {
    sendAuthPage(response, {
      status: 400,
      title: 'Sign-in failed',
      message: 'GitHub sent no sign-in code.',
      link: retry,
      cookies: [clearState],
    });
    return;
  }
  const failed = (message: string): void => {
    context.log.warn({ error: message }, 'dashboard sign-in failed at GitHub');
    sendAuthPage(response, {
      status: 502,
      title: 'GitHub did not complete the sign-in',
      message: `${message}. Please try again later.`,
      link: retry,
      cookies: [clearState],
    });
  };
  const exchanged = await exchangeCode({
    fetch: context.fetch,
    githubWebUrl: context.githubWebUrl,
    clientId: context.clientId,
    clientSecret: context.clientSecret,
    code,
    redirectUri: callbackUrl(context),
  });
  if (!exchanged.ok) {
    failed(exchanged.message);
    return;
  }
  const api = { fetch: context.fetch, githubApiUrl: context.githubApiUrl, accessToken: exchanged.accessToken };
  const user = await fetchUser(api);
  if (!user.ok) {
    failed(user.message);
    return;
  }
  const repos = await fetchReadableRepos(api);
  if (!repos.ok) {
    failed(repos.message);
    return;
  }

  const now = context.now();
  // The user token may expire before the session would (GitHub: 8 hours); past it GitHub answers 401 and the
  // session would end at its next check anyway, so it ends then.
  const seconds = Math.min(context.sessionSeconds, exchanged.expiresInSeconds ?? Number.POSITIVE_INFINITY);
  const token = newSessionToken();
  const tokenHash = sessionTokenHash(token);
  // A browser signing in again leaves no session behind under its old cookie.
  const previous = await sessionOf(context, request);
  if (previous !== undefined) await deleteSession(context.db, previous.tokenHash);
  await deleteExpiredSessions(context.db, now).catch((cleanupError: unknown) => {
    context.log.warn(
      { error: cleanupError instanceof Error ? cleanupError.message : String(cleanupError) },
      'removing expired dashboard sessions failed',
    );
  });
  await insertSession(context.db, {
    tokenHash,
    login: user.login,
    githubUserId: user.id,
    repos: repos.repos,
    sealedAccessToken: sealToken(context.keys.encryptionKey, tokenHash, exchanged.accessToken),
    reposCheckedAt: now,
    createdAt: now,
    expiresAt: new Date(now.getTime() + seconds * 1000),
  });
  context.log.info({ login: user.login, repos: repos.repos.length }, 'dashboard sign-in');
  redirect(response, 302, pending.returnTo, [
    sessionCookie(sessionCookieValue(context.keys, token), seconds, context.secureCookies),
    clearState,
  ]);
}
