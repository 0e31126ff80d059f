/** Lanes and their members (the lane tags) in the database. */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { appendAudit } from '../db/audit-log.ts';
import { laneInstances, laneMembers, lanes } from '../db/schema.ts';
import type { DbExecutor, Tx } from '../db/types.ts';
import { LANE_AUDIT, laneAuditRepo } from './lane-audit.ts';
import { announceLaneChange, type LaneInstance } from './library-store.ts';
import type { LaneSpec } from './task-spec.ts';

export type LaneRow = typeof lanes.$inferSelect;

export async function activeLane(db: DbExecutor, name: string): Promise<LaneRow | undefined> {
  const [row] = await db.select().from(lanes).where(and(eq(lanes.name, name), isNull(lanes.endedAt)));
  return row;
}

/** Opens the lane, or takes its new spec (its old tags go; the caller tags it again). */
export async function upsertLane(tx: Tx, spec: LaneSpec, actor: string, pull?: { repoFullName: string; number: number }): Promise<LaneRow> {
  const expiresAt = new Date(Date.now() + spec.ttlMs);
  const existing = await activeLane(tx, spec.lane);
  const specJson = { services: spec.services, calls: spec.calls.map((call) => `${call.from}->${call.to}`), mode: spec.mode, ttlMs: spec.ttlMs };
  let row: LaneRow | undefined;
  if (existing === undefined) {
    [row] = await tx
      .insert(lanes)
      .values({ name: spec.lane, mode: spec.mode, spec: specJson, expiresAt, repoFullName: pull?.repoFullName ?? null, pullNumber: pull?.number ?? null })
      .returning();
  } else {
    [row] = await tx.update(lanes).set({ mode: spec.mode, spec: specJson, expiresAt }).where(eq(lanes.id, existing.id)).returning();
    await tx.delete(laneMembers).where(eq(laneMembers.laneId, existing.id));
  }
  if (row === undefined) throw new Error(`lane ${spec.lane} not stored`);
  await appendAudit(tx, { actor, action: LANE_AUDIT.laneUp, reason: existing === undefined ? 'opened' : 'updated', data: { lane: row.name, ...specJson }, ...laneAuditRepo(row) });
  return row;
}

/**
 * Tags the lane with `service` → the instance, if the instance is still up (locked, so a reclaim cannot take it
 * meanwhile). False when it went away: resolve again.
 */
export async function tagMember(tx: Tx, laneId: number, member: { service: string; instanceId: number; deployed: boolean }): Promise<boolean> {
  const [instance] = await tx.select().from(laneInstances).where(and(eq(laneInstances.id, member.instanceId), eq(laneInstances.state, 'up'))).for('update');
  if (instance === undefined) return false;
  await tx
    .insert(laneMembers)
    .values({ laneId, ...member })
    .onConflictDoUpdate({ target: [laneMembers.laneId, laneMembers.service], set: { instanceId: member.instanceId, deployed: member.deployed } });
  await tx.update(laneInstances).set({ lastUsedAt: sql`now()` }).where(eq(laneInstances.id, member.instanceId));
  await announceLaneChange(tx);
  return true;
}

/** Ends the lane: its tags go; true when there was one. */
export async function closeLane(tx: Tx, name: string, actor: string, reason: string): Promise<boolean> {
  const lane = await activeLane(tx, name);
  if (lane === undefined) return false;
  await tx.delete(laneMembers).where(eq(laneMembers.laneId, lane.id));
  await tx.update(lanes).set({ endedAt: sql`now()` }).where(eq(lanes.id, lane.id));
  await appendAudit(tx, { actor, action: LANE_AUDIT.laneDown, reason, data: { lane: name }, ...laneAuditRepo(lane) });
  await announceLaneChange(tx);
  return true;
}

const UNUSED = sql`not exists (select 1 from ${laneMembers} where ${laneMembers.instanceId} = ${laneInstances.id})`;

/** Candidates for reclaiming: up or failed instances that no lane uses and that are not in the baseline. */
export async function unusedInstances(db: DbExecutor): Promise<LaneInstance[]> {
  return db.select().from(laneInstances).where(and(eq(laneInstances.baseline, false), UNUSED, sql`${laneInstances.state} in ('up', 'failed')`));
}

/** Takes an unused instance out of service (`down`), checked again under its row lock; false when it is in use. */
export async function retireInstance(tx: Tx, id: number): Promise<boolean> {
  const [row] = await tx.select().from(laneInstances).where(and(eq(laneInstances.id, id), eq(laneInstances.baseline, false), UNUSED, sql`${laneInstances.state} in ('up', 'failed')`)).for('update');
  if (row === undefined) return false;
  await tx.update(laneInstances).set({ state: 'down' }).where(eq(laneInstances.id, id));
  await announceLaneChange(tx);
  return true;
}

/** Names of lanes whose time is up. */
export async function expiredLanes(db: DbExecutor, now: Date): Promise<string[]> {
  const rows = await db.select({ name: lanes.name }).from(lanes).where(and(isNull(lanes.endedAt), lt(lanes.expiresAt, now)));
  return rows.map((row) => row.name);
}

/** The active lanes of a pull request. */
export async function lanesOfPull(db: DbExecutor, repoFullName: string, number: number): Promise<string[]> {
  const rows = await db.select({ name: lanes.name }).from(lanes).where(and(eq(lanes.repoFullName, repoFullName), eq(lanes.pullNumber, number), isNull(lanes.endedAt)));
  return rows.map((row) => row.name);
}
