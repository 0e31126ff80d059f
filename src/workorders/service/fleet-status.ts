/**
 * What runs where, across every repository Yardmaster knows: the live version per app and environment (the newest
 * release or rollback that succeeded), orders running and queued, and environment locks. For `/yardmaster status`
 * in Slack and other read-only views.
 */
import { and, desc, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { environmentLocks, releases, workOrders } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

export interface FleetFilter {
  app?: string;
  environment?: string;
  /** Only these repositories (owner/name); absent = every repository (callers that may see everything). */
  repos?: readonly string[];
}

export interface FleetStatus {
  live: {
    repoFullName: string;
    app: string;
    environment: string;
    version: string;
    since: Date | null;
    workOrderId: number | null;
  }[];
  running: OrderLine[];
  queued: OrderLine[];
  locks: { repoFullName: string; app: string; environment: string; heldBy: string; reason: string | null }[];
}

export interface OrderLine {
  workOrderId: number;
  repoFullName: string;
  number: number;
  app: string | null;
  environment: string | null;
  state: string;
  scheduledAt: Date | null;
}

function where(...conditions: (SQL | undefined)[]): SQL | undefined {
  const present = conditions.filter((condition): condition is SQL => condition !== undefined);
  return present.length === 0 ? undefined : and(...present);
}

/** The condition "in `repos`" on a repository column; an empty list matches nothing. */
function inRepos(column: Parameters<typeof inArray>[0], repos: readonly string[] | undefined): SQL | undefined {
  if (repos === undefined) return undefined;
  return repos.length === 0 ? sql`false` : inArray(column, [...repos]);
}

export async function fleetStatus(db: DbExecutor, filter: FleetFilter = {}): Promise<FleetStatus> {
  const releaseRows = await db
    .select()
    .from(releases)
    .where(
      where(
        eq(releases.status, 'succeeded'),
        inRepos(releases.repoFullName, filter.repos),
        filter.app === undefined ? undefined : eq(releases.app, filter.app),
        filter.environment === undefined ? undefined : eq(releases.environment, filter.environment),
      ),
    )
    .orderBy(desc(releases.finishedAt), desc(releases.id));
  const live: FleetStatus['live'] = [];
  const seen = new Set<string>();
  for (const row of releaseRows) {
    const key = `${row.repoFullName}\u0000${row.app}\u0000${row.environment}`;
    if (seen.has(key)) continue;
    seen.add(key);
    live.push({
      repoFullName: row.repoFullName,
      app: row.app,
      environment: row.environment,
      version: row.version,
      since: row.finishedAt,
      workOrderId: row.workOrderId,
    });
  }
  const orderRows = await db
    .select()
    .from(workOrders)
    .where(
      where(
        inArray(workOrders.state, ['running', 'approved', 'scheduled']),
        inRepos(workOrders.repoFullName, filter.repos),
        filter.app === undefined ? undefined : eq(workOrders.app, filter.app),
        filter.environment === undefined ? undefined : eq(workOrders.environment, filter.environment),
      ),
    )
    .orderBy(workOrders.id);
  const line = (row: typeof workOrders.$inferSelect): OrderLine => ({
    workOrderId: row.id,
    repoFullName: row.repoFullName,
    number: row.number,
    app: row.app,
    environment: row.environment,
    state: row.state,
    scheduledAt: row.scheduledAt,
  });
  const lockRows = await db
    .select()
    .from(environmentLocks)
    .where(
      where(
        or(isNotNull(environmentLocks.holderWorkOrderId), isNotNull(environmentLocks.lockedBy)),
        inRepos(environmentLocks.repoFullName, filter.repos),
        filter.app === undefined ? undefined : eq(environmentLocks.app, filter.app),
        filter.environment === undefined ? undefined : eq(environmentLocks.environment, filter.environment),
      ),
    );
  return {
    live: live.sort((a, b) =>
      `${a.repoFullName} ${a.app} ${a.environment}`.localeCompare(`${b.repoFullName} ${b.app} ${b.environment}`),
    ),
    running: orderRows.filter((row) => row.state === 'running').map(line),
    queued: orderRows.filter((row) => row.state !== 'running').map(line),
    locks: lockRows.map((row) => ({
      repoFullName: row.repoFullName,
      app: row.app,
      environment: row.environment,
      heldBy: row.lockedBy !== null ? `@${row.lockedBy} (manual)` : `work order ${row.holderWorkOrderId ?? '?'}`,
      reason: row.manualReason,
    })),
  };
}
