/** Rows of `dashboard_sessions`: one per signed-in browser, keyed by the sha256 of the cookie's token. */
import { createHash, randomBytes } from 'node:crypto';
import { eq, lte } from 'drizzle-orm';
import { dashboardSessions } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

/** A session as stored (the GitHub token still sealed). */
export interface SessionRow {
  tokenHash: string;
  login: string;
  githubUserId: number;
  repos: string[];
  sealedAccessToken: string | null;
  reposCheckedAt: Date;
  expiresAt: Date;
}

/** A fresh session token: 32 random bytes, base64url. Only the browser keeps it; the row keeps its hash. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The row key of a session token: sha256, hex. */
export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Stores a new session. */
export async function insertSession(db: DbExecutor, row: SessionRow & { createdAt: Date }): Promise<void> {
  await db.insert(dashboardSessions).values({
    tokenHash: row.tokenHash,
    login: row.login,
    githubUserId: row.githubUserId,
    repos: row.repos,
    accessToken: row.sealedAccessToken,
    reposCheckedAt: row.reposCheckedAt,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  });
}

/** The session with this row key, expired or not. */
export async function findSession(db: DbExecutor, tokenHash: string): Promise<SessionRow | undefined> {
  const [row] = await db.select().from(dashboardSessions).where(eq(dashboardSessions.tokenHash, tokenHash)).limit(1);
  if (row === undefined) return undefined;
  return {
    tokenHash: row.tokenHash,
    login: row.login,
    githubUserId: row.githubUserId,
    repos: row.repos,
    sealedAccessToken: row.accessToken,
    reposCheckedAt: row.reposCheckedAt,
    expiresAt: row.expiresAt,
  };
}

/** Records a new look at the user's repositories (`repos` undefined: keep the list, move only the time). */
export async function updateSessionRepos(
  db: DbExecutor,
  tokenHash: string,
  repos: string[] | undefined,
  checkedAt: Date,
): Promise<void> {
  await db
    .update(dashboardSessions)
    .set(repos === undefined ? { reposCheckedAt: checkedAt } : { repos, reposCheckedAt: checkedAt })
    .where(eq(dashboardSessions.tokenHash, tokenHash));
}

/** Ends one session. */
export async function deleteSession(db: DbExecutor, tokenHash: string): Promise<void> {
  await db.delete(dashboardSessions).where(eq(dashboardSessions.tokenHash, tokenHash));
}

/** Removes every session expired at `now`; returns how many. */
export async function deleteExpiredSessions(db: DbExecutor, now: Date): Promise<number> {
  const removed = await db
    .delete(dashboardSessions)
    .where(lte(dashboardSessions.expiresAt, now))
    .returning({ tokenHash: dashboardSessions.tokenHash });
  return removed.length;
}
