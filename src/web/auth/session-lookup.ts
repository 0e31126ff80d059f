/**
 * The session behind a request, and the viewer it makes: a correctly signed cookie, an unexpired row, and the
 * user's repositories re-read from GitHub once they are ten minutes old (401 there ends the session).
 */
import type { IncomingMessage } from 'node:http';
import type { Viewer } from '../types.ts';
import { fetchReadableRepos } from './github-user-rest.ts';
import { openToken } from './sealed-token.ts';
import { sessionTokenOf } from './session-cookie.ts';
import { deleteSession, findSession, sessionTokenHash, updateSessionRepos, type SessionRow } from './session-store.ts';
import type { AuthContext } from './types.ts';

/** How old the repository list may get before it is read again. */
export const REPOS_RECHECK_MS = 10 * 60 * 1000;
/** After a failed re-read (GitHub down, rate limited), when to try again. */
export const REPOS_RETRY_MS = 60 * 1000;

/** The CSRF token of a session: HMAC(sessionSecret, `csrf:` + row key), base64url. */
export function csrfTokenFor(context: AuthContext, tokenHash: string): string {
  return context.keys.sign('csrf', tokenHash);
}

/** The request's session row if its cookie is valid and the row unexpired; an expired row is deleted on the way. */
export async function sessionOf(context: AuthContext, request: IncomingMessage): Promise<SessionRow | undefined> {
  const token = sessionTokenOf(context.keys, request);
  if (token === undefined) return undefined;
  const hash = sessionTokenHash(token);
  const row = await findSession(context.db, hash);
  if (row === undefined) return undefined;
  if (row.expiresAt.getTime() <= context.now().getTime()) {
    await deleteSession(context.db, hash);
    return undefined;
  }
  return row;
}

/** Re-reads the repositories; `null` when the session has ended (access revoked, token unreadable). */
async function recheck(context: AuthContext, row: SessionRow): Promise<readonly string[] | null> {
  const accessToken = row.sealedAccessToken === null ? undefined : openToken(context.keys.encryptionKey, row.tokenHash, row.sealedAccessToken);
  if (accessToken === undefined) {
    context.log.warn({ login: row.login }, 'dashboard session ended: its GitHub token cannot be read');
    await deleteSession(context.db, row.tokenHash);
    return null;
  }
  const result = await fetchReadableRepos({ fetch: context.fetch, githubApiUrl: context.githubApiUrl, accessToken });
  const now = context.now();
  if (result.ok) {
    await updateSessionRepos(context.db, row.tokenHash, result.repos, now);
    return result.repos;
  }
  if (result.reason === 'unauthorized') {
    context.log.info({ login: row.login }, 'dashboard session ended: GitHub no longer accepts its token');
    await deleteSession(context.db, row.tokenHash);
    return null;
  }
  context.log.warn({ login: row.login, error: result.message }, 'dashboard session keeps its repository list: re-reading it from GitHub failed');
  await updateSessionRepos(context.db, row.tokenHash, undefined, new Date(now.getTime() - REPOS_RECHECK_MS + REPOS_RETRY_MS));
  return row.repos;
}

/** `viewer()` of {@link import('../types.ts').DashboardAuth}; concurrent re-reads of one session share one round to GitHub. */
export function createViewerLookup(context: AuthContext): (request: IncomingMessage) => Promise<Viewer | null> {
  const rechecks = new Map<string, Promise<readonly string[] | null>>();
  return async (request) => {
    const row = await sessionOf(context, request);
    if (row === undefined) return null;
    let repos: readonly string[] | null = row.repos;
    if (context.now().getTime() - row.reposCheckedAt.getTime() >= REPOS_RECHECK_MS) {
      let pending = rechecks.get(row.tokenHash);
      if (pending === undefined) {
        pending = recheck(context, row).finally(() => rechecks.delete(row.tokenHash));
        rechecks.set(row.tokenHash, pending);
      }
      repos = await pending;
    }
    if (repos === null) return null;
    return { login: row.login, repos, csrfToken: csrfTokenFor(context, row.tokenHash) };
  };
}
