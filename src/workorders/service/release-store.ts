/** Releases and host runs of an order, as the worker stored them. */
import { asc, desc, eq } from 'drizzle-orm';
import { hostRuns, releases } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

export type ReleaseRow = typeof releases.$inferSelect;
export type HostRunRow = typeof hostRuns.$inferSelect;

/** The order's most recent release run (a release or a rollback), if any. */
export async function latestRelease(db: DbExecutor, workOrderId: number): Promise<ReleaseRow | undefined> {
  const [row] = await db
    .select()
    .from(releases)
    .where(eq(releases.workOrderId, workOrderId))
    .orderBy(desc(releases.id))
    .limit(1);
  return row;
}

/** A release by its release id. */
export async function releaseById(db: DbExecutor, releaseId: string): Promise<ReleaseRow | undefined> {
  const [row] = await db.select().from(releases).where(eq(releases.releaseId, releaseId)).limit(1);
  return row;
}

/** Every host run of a release, by attempt then host. */
export async function hostRunsOf(db: DbExecutor, releaseId: string): Promise<HostRunRow[]> {
  return db
    .select()
    .from(hostRuns)
    .where(eq(hostRuns.releaseId, releaseId))
    .orderBy(asc(hostRuns.attempt), asc(hostRuns.id));
}

/** Each host's latest run. */
export function latestRunPerHost(runs: readonly HostRunRow[]): HostRunRow[] {
  const latest = new Map<string, HostRunRow>();
  for (const run of runs) {
    const seen = latest.get(run.host);
    if (seen === undefined || run.attempt >= seen.attempt) latest.set(run.host, run);
  }
  return [...latest.values()];
}
