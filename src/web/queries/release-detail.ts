/**
 * Everything the release page shows, read for one viewer: null when the release does not exist or its repository is
 * not one the viewer may read (the page answers the same 404 for both). A release of a work order also names it; a
 * CLI release has its own audit rows (they carry its id).
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { auditLog, releases } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { type AuditEntryRow, type ReleaseRow, type ReleasesProgress, releasesProgress } from './order-detail.ts';

export interface ReleaseDetail extends ReleasesProgress {
  release: ReleaseRow;
}

/** The release and its progress, if the viewer may read its repository. */
export async function releaseDetail(
  db: DbExecutor,
  repos: readonly string[],
  releaseId: string,
): Promise<ReleaseDetail | null> {
  if (repos.length === 0) return null;
  const [release] = await db
    .select()
    .from(releases)
    .where(and(eq(releases.releaseId, releaseId), inArray(releases.repoFullName, [...repos])));
  if (release === undefined) return null;
  return { release, ...(await releasesProgress(db, [release])) };
}

/** The audit rows that name the release (a CLI run's start and end). */
export async function releaseAuditRows(db: DbExecutor, releaseId: string): Promise<AuditEntryRow[]> {
  return db.select().from(auditLog).where(sql`${auditLog.data}->>'releaseId' = ${releaseId}`).orderBy(asc(auditLog.id));
}
