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
  const accessToken =
    row.sealedAccessToken === null
      ? undefined
      : openToken(context.keys.encryptionKey, row.tokenHash, row.sealedAccessToken);
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
  context.log.warn(
    { login: row.login, error: result.message },
    'dashboard session keeps its repository list: re-reading it from GitHub failed',
  );
  await updateSessionRepos(
    context.db,
    row.tokenHash,
    undefined,
    new Date(now.getTime() - REPOS_RECHECK_MS + REPOS_RETRY_MS),
  );
  return row.repos;
}

/** How long a finished re-read still answers requests that read the session row before it was stored. */
const SETTLED_RECHECK_KEPT_MS = 30_000;

interface Recheck {
  /** `reposCheckedAt` of the row the re-read started from. */
  readonly from: number;
  readonly result: Promise<readonly string[] | null>;
}

/**
 * `viewer()` of {@link import('../types.ts').DashboardAuth}. Concurrent re-reads of one session share one round to
 * GitHub, including requests that read the stale row just before the re-read stored its answer: a re-read is keyed
 * by the `reposCheckedAt` it started from and kept a while after it settles.
 */
export function createViewerLookup(context: AuthContext): (request: IncomingMessage) => Promise<Viewer | null> {
  const rechecks = new Map<string, Recheck>();
  const shared = (row: SessionRow): Promise<readonly string[] | null> => {
    const from = row.reposCheckedAt.getTime();
    const known = rechecks.get(row.tokenHash);
    if (known?.from === from) return known.result;
    const started: Recheck = { from, result: recheck(context, row) };
    rechecks.set(row.tokenHash, started);
    const forget = (): void => {
      if (rechecks.get(row.tokenHash) === started) rechecks.delete(row.tokenHash);
    };
    void started.result.then(() => setTimeout(forget, SETTLED_RECHECK_KEPT_MS).unref(), forget);
    return started.result;
  };
  return async (request) => {
    const row = await sessionOf(context, request);
    if (row === undefined) return null;
    const stale = context.now().getTime() - row.reposCheckedAt.getTime() >= REPOS_RECHECK_MS;
    const repos = stale ? await shared(row) : row.repos;
    if (repos === null) return null;
    return { login: row.login, repos, csrfToken: csrfTokenFor(context, row.tokenHash) };
  };
}
