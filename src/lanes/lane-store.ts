/** Lanes and their members (the lane tags) in the database. */
import { and, eq, isNull, lt, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit, laneInstances, laneMembers, lanes } from '../db/index.ts';
import type { DbExecutor, Tx } from '../db/types.ts';
import { LANE_AUDIT, laneAuditRepo } from './lane-audit.ts';
import { laneNamespace } from './lane-id.ts';
import { formatTtl, type LaneLimits } from './lane-limits.ts';
import { announceLaneChange, type LaneInstance } from './library-store.ts';
import type { LaneSpec } from './task-spec.ts';

export type LaneRow = typeof lanes.$inferSelect;

/** The repository (and pull request) a lane is opened for, with what the operator allows that repository. */
export interface LaneOwner {
  repoFullName: string;
  number: number;
  limits: LaneLimits;
}

export type LaneRefusal = { ok: false; reason: 'ttl' | 'quota' | 'not-in-namespace'; message: string };
export type UpsertLaneResult = { ok: true; row: LaneRow } | LaneRefusal;

const storedServices = z.object({ services: z.record(z.string(), z.string()) });

/** `service@version` of every version a spec names (not `baseline`): what the lane makes the library hold. */
function heldVersions(services: Readonly<Record<string, string>>): string[] {
  return Object.entries(services).flatMap(([service, version]) =>
    version === 'baseline' ? [] : [`${service}@${version}`],
  );
}

/**
 * Whether `owner` may open or update lane `spec`: it lies in the repository's namespace, its TTL is within the
 * limit, and the distinct versions the repository's active lanes name (this spec in place of the lane's old one)
 * stay within the quota. Takes the repository's lane lock for the rest of the transaction, so two lanes of one
 * repository opened at once cannot both slip under the quota.
 */
async function checkOwner(tx: Tx, spec: LaneSpec, owner: LaneOwner): Promise<LaneRefusal | undefined> {
  if (!spec.lane.startsWith(laneNamespace(owner.repoFullName))) {
    return {
      ok: false,
      reason: 'not-in-namespace',
      message: `lane ${spec.lane} is not a lane of ${owner.repoFullName}`,
    };
  }
  if (spec.ttlMs > owner.limits.maxTtlMs) {
    return {
      ok: false,
      reason: 'ttl',
      message: `ttl: ${formatTtl(spec.ttlMs)} is longer than the longest lane TTL ${owner.repoFullName} may ask for, ${formatTtl(owner.limits.maxTtlMs)} (max_lane_ttl)`,
    };
  }
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`yardmaster-lanes:${owner.repoFullName.toLowerCase()}`}))`,
  );
  const others = await tx
    .select({ spec: lanes.spec })
    .from(lanes)
    .where(
      and(
        sql`lower(${lanes.repoFullName}) = ${owner.repoFullName.toLowerCase()}`,
        isNull(lanes.endedAt),
        ne(lanes.name, spec.lane),
      ),
    );
  const held = new Set(heldVersions(spec.services));
  for (const other of others) {
    const parsed = storedServices.safeParse(other.spec);
    if (parsed.success) for (const version of heldVersions(parsed.data.services)) held.add(version);
  }
  if (held.size > owner.limits.maxInstances) {
    return {
      ok: false,
      reason: 'quota',
      message:
        `${owner.repoFullName}'s lanes would hold ${held.size} instances, over its limit of ${owner.limits.maxInstances} (max_lane_instances); ` +
        'end a lane of the repository (/lane down) or name fewer versions',
    };
  }
  return undefined;
}

/**
 * When the lane ends: its TTL from now, but a repository's lane never lives longer than its limit from when it was
 * opened, so editing the spec again and again cannot keep it alive past `max_lane_ttl`. Operators' lanes renew freely.
 */
function laneExpiry(spec: LaneSpec, existing: LaneRow | undefined, owner: LaneOwner | undefined): Date {
  const asked = Date.now() + spec.ttlMs;
  if (existing === undefined || owner === undefined) return new Date(asked);
  return new Date(Math.min(asked, existing.createdAt.getTime() + owner.limits.maxTtlMs));
}

export async function activeLane(db: DbExecutor, name: string): Promise<LaneRow | undefined> {
  const [row] = await db
    .select()
    .from(lanes)
    .where(and(eq(lanes.name, name), isNull(lanes.endedAt)));
  return row;
}

/**
 * Opens the lane, or takes its new spec (its old tags go; the caller tags it again), announced to routers. A lane
 * opened for a repository (`owner`) must lie in its namespace and keep within its limits; a lane of another
 * repository is never touched.
 */
export async function upsertLane(tx: Tx, spec: LaneSpec, actor: string, owner?: LaneOwner): Promise<UpsertLaneResult> {
  if (owner !== undefined) {
    const refused = await checkOwner(tx, spec, owner);
    if (refused !== undefined) {
      await appendAudit(tx, {
        actor,
        action: LANE_AUDIT.laneRefused,
        reason: refused.reason,
        data: { lane: spec.lane, repo: owner.repoFullName, message: refused.message },
        ...laneAuditRepo(owner),
      });
      return refused;
    }
  }
  const existing = await activeLane(tx, spec.lane);
  const expiresAt = laneExpiry(spec, existing, owner);
  // Ids of a repository's lanes carry its namespace, so this holds by construction; checked all the same.
  if (existing !== undefined && (existing.repoFullName ?? null) !== (owner?.repoFullName ?? null)) {
    return {
      ok: false,
      reason: 'not-in-namespace',
      message: `lane ${spec.lane} belongs to ${existing.repoFullName ?? 'the operator'}`,
    };
  }
  const specJson = {
    services: spec.services,
    calls: spec.calls.map((call) => `${call.from}->${call.to}`),
    mode: spec.mode,
    ttlMs: spec.ttlMs,
  };
  let row: LaneRow | undefined;
  if (existing === undefined) {
    [row] = await tx
      .insert(lanes)
      .values({
        name: spec.lane,
        mode: spec.mode,
        spec: specJson,
        expiresAt,
        repoFullName: owner?.repoFullName ?? null,
        pullNumber: owner?.number ?? null,
      })
      .returning();
  } else {
    [row] = await tx
      .update(lanes)
      .set({ mode: spec.mode, spec: specJson, expiresAt })
      .where(eq(lanes.id, existing.id))
      .returning();
    await tx.delete(laneMembers).where(eq(laneMembers.laneId, existing.id));
  }
  if (row === undefined) throw new Error(`lane ${spec.lane} not stored`);
  // Routes changed (a new lane, a mode, members gone) even if nothing is tagged after this.
  await announceLaneChange(tx, row.id);
  await appendAudit(tx, {
    actor,
    action: LANE_AUDIT.laneUp,
    reason: existing === undefined ? 'opened' : 'updated',
    data: { lane: row.name, ...specJson },
    ...laneAuditRepo(row),
  });
  return { ok: true, row };
}

/**
 * Tags the lane with `service` → the instance, if the instance is still up (locked, so a reclaim cannot take it
 * meanwhile). False when it went away: resolve again.
 */
export async function tagMember(
  tx: Tx,
  laneId: number,
  member: { service: string; instanceId: number; deployed: boolean },
): Promise<boolean> {
  const [instance] = await tx
    .select()
    .from(laneInstances)
    .where(and(eq(laneInstances.id, member.instanceId), eq(laneInstances.state, 'up')))
    .for('update');
  if (instance === undefined) return false;
  await tx
    .insert(laneMembers)
    .values({ laneId, ...member })
    .onConflictDoUpdate({
      target: [laneMembers.laneId, laneMembers.service],
      set: { instanceId: member.instanceId, deployed: member.deployed },
    });
  await tx.update(laneInstances).set({ lastUsedAt: sql`now()` }).where(eq(laneInstances.id, member.instanceId));
  await announceLaneChange(tx, laneId);
  return true;
}

/** Ends the lane: its tags go; true when there was one. */
export async function closeLane(tx: Tx, name: string, actor: string, reason: string): Promise<boolean> {
  const lane = await activeLane(tx, name);
  if (lane === undefined) return false;
  await tx.delete(laneMembers).where(eq(laneMembers.laneId, lane.id));
  await tx.update(lanes).set({ endedAt: sql`now()` }).where(eq(lanes.id, lane.id));
  await appendAudit(tx, { actor, action: LANE_AUDIT.laneDown, reason, data: { lane: name }, ...laneAuditRepo(lane) });
  await announceLaneChange(tx, lane.id);
  return true;
}

const UNUSED = sql`not exists (select 1 from ${laneMembers} where ${laneMembers.instanceId} = ${laneInstances.id})`;

/** Candidates for reclaiming: up or failed instances that no lane uses and that are not in the baseline. */
export async function unusedInstances(db: DbExecutor): Promise<LaneInstance[]> {
  return db
    .select()
    .from(laneInstances)
    .where(and(eq(laneInstances.baseline, false), UNUSED, sql`${laneInstances.state} in ('up', 'failed')`));
}

/** Takes an unused instance out of service (`down`), checked again under its row lock; false when it is in use. */
export async function retireInstance(tx: Tx, id: number): Promise<boolean> {
  const [row] = await tx
    .select()
    .from(laneInstances)
    .where(
      and(
        eq(laneInstances.id, id),
        eq(laneInstances.baseline, false),
        UNUSED,
        sql`${laneInstances.state} in ('up', 'failed')`,
      ),
    )
    .for('update');
  if (row === undefined) return false;
  await tx.update(laneInstances).set({ state: 'down' }).where(eq(laneInstances.id, id));
  await announceLaneChange(tx);
  return true;
}

/** The active lanes tagged with instance `id`, by name. */
export async function lanesUsing(db: DbExecutor, id: number): Promise<string[]> {
  const rows = await db
    .select({ name: lanes.name })
    .from(laneMembers)
    .innerJoin(lanes, eq(lanes.id, laneMembers.laneId))
    .where(and(eq(laneMembers.instanceId, id), isNull(lanes.endedAt)));
  return rows.map((row) => row.name).sort();
}

/** Names of lanes whose time is up. */
export async function expiredLanes(db: DbExecutor, now: Date): Promise<string[]> {
  const rows = await db
    .select({ name: lanes.name })
    .from(lanes)
    .where(and(isNull(lanes.endedAt), lt(lanes.expiresAt, now)));
  return rows.map((row) => row.name);
}

/** The active lanes of a pull request (only ever in the repository's namespace). */
export async function lanesOfPull(db: DbExecutor, repoFullName: string, number: number): Promise<string[]> {
  const namespace = laneNamespace(repoFullName);
  const rows = await db
    .select({ name: lanes.name })
    .from(lanes)
    .where(
      and(
        sql`lower(${lanes.repoFullName}) = ${repoFullName.toLowerCase()}`,
        eq(lanes.pullNumber, number),
        isNull(lanes.endedAt),
        sql`starts_with(${lanes.name}, ${namespace})`,
      ),
    );
  return rows.map((row) => row.name);
}
