/**
 * The library's instances in the database: find, claim a missing version for deploying (once, however many tasks
 * ask at the same time), mark up or failed, add and remove — every change audited and announced to the router.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { appendAudit, laneInstances, lanes } from '../db/index.ts';
import type { DbExecutor, Tx } from '../db/types.ts';
import { LANE_AUDIT, LANE_CHANNEL, LANE_PAYLOAD_PREFIX } from './lane-audit.ts';
import { assertLaneVersion } from './lane-version.ts';

export type LaneInstance = typeof laneInstances.$inferSelect;

/**
 * Tells routers (LISTEN yardmaster_lanes) that routes changed; delivered when the transaction commits. With
 * `laneId`, only that lane's routes changed (its mode, its members): the payload names it (`lane:<name>`, see
 * route-watcher.ts) and routers reload that lane alone; else the payload is empty and they reload the whole table.
 */
export async function announceLaneChange(tx: DbExecutor, laneId?: number): Promise<void> {
  if (laneId === undefined) await tx.execute(sql`select pg_notify(${LANE_CHANNEL}, '')`);
  else
    await tx.execute(
      sql`select pg_notify(${LANE_CHANNEL}, coalesce((select ${LANE_PAYLOAD_PREFIX} || ${lanes.name} from ${lanes} where ${lanes.id} = ${laneId}), ''))`,
    );
}

/** Up first: while a new build starts beside it the old one is current, and once routes switched the new one is. */
const CURRENT_FIRST = sql`case ${laneInstances.state} when 'up' then 0 when 'starting' then 1 else 2 end`;

/**
 * The current instance of `service@version`. A version has one, except while it is replaced by a new build
 * (replace-instance.ts): then the one that is `up` (the old build until routes switch, the new one after), else one
 * that is starting. With `lock`, its row is locked for the rest of the transaction.
 */
export async function findInstance(
  db: DbExecutor,
  service: string,
  version: string,
  options: { lock?: boolean } = {},
): Promise<LaneInstance | undefined> {
  const query = db
    .select()
    .from(laneInstances)
    .where(and(eq(laneInstances.service, service), eq(laneInstances.version, version)))
    .orderBy(CURRENT_FIRST, asc(laneInstances.id))
    .limit(1);
  const [row] = options.lock === true ? await query.for('update') : await query;
  return row;
}

/** The baseline instance of a service, if one is up. */
export async function baselineOf(db: DbExecutor, service: string): Promise<LaneInstance | undefined> {
  const [row] = await db
    .select()
    .from(laneInstances)
    .where(and(eq(laneInstances.service, service), eq(laneInstances.baseline, true), eq(laneInstances.state, 'up')));
  return row;
}

/**
 * Claims `service@version` for deploying: a new `starting` row, or a `down`/`failed` one taken back to `starting`.
 * Undefined when someone else has it (starting or up): wait for it instead.
 */
export async function claimForDeploy(
  tx: Tx,
  service: string,
  version: string,
  runtime: string,
  actor: string,
): Promise<LaneInstance | undefined> {
  assertLaneVersion(service, version);
  const [inserted] = await tx
    .insert(laneInstances)
    .values({ service, version, runtime, state: 'starting' })
    .onConflictDoNothing()
    .returning();
  if (inserted !== undefined) {
    await appendAudit(tx, { actor, action: LANE_AUDIT.instanceAdded, data: { service, version, runtime } });
    return inserted;
  }
  const [retaken] = await tx
    .update(laneInstances)
    .set({ state: 'starting', error: null, runtime })
    .where(
      and(
        eq(laneInstances.service, service),
        eq(laneInstances.version, version),
        eq(laneInstances.packageDigest, ''),
        sql`${laneInstances.state} in ('down', 'failed')`,
      ),
    )
    .returning();
  if (retaken !== undefined)
    await appendAudit(tx, { actor, action: LANE_AUDIT.instanceChanged, data: { service, version, state: 'starting' } });
  return retaken;
}

/** The deploy ended: up at `endpoint`, or failed with `error`. */
export async function settleInstance(
  tx: Tx,
  id: number,
  outcome: { endpoint: string; ref: string } | { error: string },
  actor: string,
): Promise<LaneInstance> {
  const set =
    'endpoint' in outcome
      ? { state: 'up' as const, endpoint: outcome.endpoint, runtimeRef: outcome.ref, heartbeatAt: sql`now()` }
      : { state: 'failed' as const, error: outcome.error };
  const [row] = await tx.update(laneInstances).set(set).where(eq(laneInstances.id, id)).returning();
  if (row === undefined) throw new Error(`lane instance ${id} vanished`);
  await appendAudit(tx, {
    actor,
    action: LANE_AUDIT.instanceChanged,
    data: {
      service: row.service,
      version: row.version,
      state: row.state,
      ...('error' in outcome ? { error: outcome.error } : { endpoint: outcome.endpoint }),
    },
  });
  await announceLaneChange(tx);
  return row;
}

/** Adds (or replaces) an instance by hand: e.g. the baseline, or one started elsewhere. */
export async function putInstance(
  tx: Tx,
  instance: {
    service: string;
    version: string;
    endpoint: string;
    baseline: boolean;
    runtime: string;
    runtimeRef?: string;
  },
  actor: string,
): Promise<LaneInstance> {
  assertLaneVersion(instance.service, instance.version);
  const values = {
    ...instance,
    state: 'up' as const,
    runtimeRef: instance.runtimeRef ?? null,
    heartbeatAt: sql`now()`,
  };
  const [row] = await tx
    .insert(laneInstances)
    .values(values)
    .onConflictDoUpdate({
      target: [laneInstances.service, laneInstances.version, laneInstances.packageDigest],
      set: { ...values, error: null },
    })
    .returning();
  if (row === undefined) throw new Error('instance not stored');
  await appendAudit(tx, {
    actor,
    action: LANE_AUDIT.instanceAdded,
    data: { service: row.service, version: row.version, endpoint: row.endpoint, baseline: row.baseline },
  });
  await announceLaneChange(tx);
  return row;
}

/** Removes an instance; with `onlyIfDown`, only one still `down` (a task may have started it again meanwhile). */
export async function removeInstance(
  tx: Tx,
  id: number,
  actor: string,
  reason: string,
  onlyIfDown = false,
): Promise<LaneInstance | undefined> {
  const [row] = await tx
    .delete(laneInstances)
    .where(onlyIfDown ? and(eq(laneInstances.id, id), eq(laneInstances.state, 'down')) : eq(laneInstances.id, id))
    .returning();
  if (row === undefined) return undefined;
  await appendAudit(tx, {
    actor,
    action: LANE_AUDIT.instanceRemoved,
    reason,
    data: {
      service: row.service,
      version: row.version,
      ...(row.packageDigest === '' ? {} : { digest: row.packageDigest }),
    },
  });
  await announceLaneChange(tx);
  return row;
}
