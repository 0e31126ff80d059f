/**
 * Everything the order page shows, read for one viewer: null when the order does not exist or its repository is not
 * one the viewer may read (the page answers the same 404 for both, so ids do not leak).
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import {
  approvals,
  auditLog,
  hostRuns,
  planVersions,
  releases,
  stageEvents,
  stageOutput,
  workOrders,
} from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

export type OrderRow = typeof workOrders.$inferSelect;
export type AuditEntryRow = typeof auditLog.$inferSelect;
export type PlanVersionRow = typeof planVersions.$inferSelect;
export type ApprovalRow = typeof approvals.$inferSelect;
export type ReleaseRow = typeof releases.$inferSelect;
export type HostRunRow = typeof hostRuns.$inferSelect;
export type StageEventRow = typeof stageEvents.$inferSelect;
export type StageOutputRow = typeof stageOutput.$inferSelect;

/** Releases with their host runs, stage events and output lines (what a live grid draws). */
export interface ReleasesProgress {
  /** Oldest first. */
  releases: ReleaseRow[];
  hostRuns: HostRunRow[];
  stageEvents: StageEventRow[];
  output: StageOutputRow[];
}

/** The order with its releases' progress (what the live part of the page redraws). */
export interface OrderProgress extends ReleasesProgress {
  order: OrderRow;
}

/** The whole page's data. */
export interface OrderDetail extends OrderProgress {
  timeline: AuditEntryRow[];
  plans: PlanVersionRow[];
  approvals: ApprovalRow[];
}

/** The order if the viewer may read its repository. */
export async function readableOrder(
  db: DbExecutor,
  repos: readonly string[],
  workOrderId: number,
): Promise<OrderRow | null> {
  if (repos.length === 0) return null;
  const rows = await db
    .select()
    .from(workOrders)
    .where(and(eq(workOrders.id, workOrderId), inArray(workOrders.repoFullName, [...repos])));
  return rows[0] ?? null;
}

/** The order's releases, host runs, stage events and output lines. */
export async function orderProgress(
  db: DbExecutor,
  repos: readonly string[],
  workOrderId: number,
): Promise<OrderProgress | null> {
  const order = await readableOrder(db, repos, workOrderId);
  if (order === null) return null;
  const releaseRows = await db
    .select()
    .from(releases)
    .where(eq(releases.workOrderId, workOrderId))
    .orderBy(asc(releases.id));
  return { order, ...(await releasesProgress(db, releaseRows)) };
}

/** The host runs, stage events and output lines of `releaseRows`. */
export async function releasesProgress(db: DbExecutor, releaseRows: ReleaseRow[]): Promise<ReleasesProgress> {
  const ids = releaseRows.map((row) => row.releaseId);
  if (ids.length === 0) return { releases: [], hostRuns: [], stageEvents: [], output: [] };
  const [runs, events, output] = await Promise.all([
    db.select().from(hostRuns).where(inArray(hostRuns.releaseId, ids)).orderBy(asc(hostRuns.id)),
    db.select().from(stageEvents).where(inArray(stageEvents.releaseId, ids)).orderBy(asc(stageEvents.id)),
    db.select().from(stageOutput).where(inArray(stageOutput.releaseId, ids)).orderBy(asc(stageOutput.id)),
  ]);
  return { releases: releaseRows, hostRuns: runs, stageEvents: events, output };
}

/** The order page's data. */
export async function orderDetail(
  db: DbExecutor,
  repos: readonly string[],
  workOrderId: number,
): Promise<OrderDetail | null> {
  const progress = await orderProgress(db, repos, workOrderId);
  if (progress === null) return null;
  const [timeline, plans, approvalRows] = await Promise.all([
    db.select().from(auditLog).where(eq(auditLog.workOrderId, workOrderId)).orderBy(asc(auditLog.id)),
    db.select().from(planVersions).where(eq(planVersions.workOrderId, workOrderId)).orderBy(desc(planVersions.seq)),
    db.select().from(approvals).where(eq(approvals.workOrderId, workOrderId)).orderBy(asc(approvals.id)),
  ]);
  return { ...progress, timeline, plans, approvals: approvalRows };
}
