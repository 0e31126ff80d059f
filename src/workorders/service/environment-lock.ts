/**
 * The environment lock: one running release per app + environment. A worker holds the row with a lease it renews by
 * heartbeat; a `/lock` holds it by hand (locked_by) until `/unlock`. All times are the database's, so workers on
 * machines with skewed clocks agree on when a lease has expired.
 *
 * Who may take the row:
 * - the order already holding it: its own worker renewing, or (once the lease expired) any worker resuming it;
 * - another order: only when the row is free or its holder is no longer running, no manual lock is set, and no
 *   order that waits for this environment queued before it (environment_lock_waiters, served in id order).
 * A holder whose lease expired while its order still runs is reserved for that order's recovery: hosts may be half
 * way through its release, and nothing else may deploy on top of them.
 */
import { and, eq, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { environmentLocks } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { lockKeyIs, type EnvironmentKey } from './environment-key.ts';
import { countWaitersAhead, noWaiterAhead } from './lock-waiters.ts';

export type { EnvironmentKey } from './environment-key.ts';

export type EnvironmentLockRow = typeof environmentLocks.$inferSelect;

/** A worker's claim on the lock for one order. */
export interface LockClaim {
  workOrderId: number;
  /** The worker, e.g. `host:pid:uuid`; shown to people as the lock's owner. */
  owner: string;
  leaseMs: number;
}

export type AcquireLockResult =
  | { ok: true; lock: EnvironmentLockRow }
  | {
      ok: false;
      reason: 'manual-lock' | 'held' | 'queued-behind';
      lock: EnvironmentLockRow | undefined;
      ahead: number;
      message: string;
    };

const now = sql`now()`;
const leaseUntil = (leaseMs: number): SQL => sql`now() + ${leaseMs} * interval '1 millisecond'`;

/** The row exists from the first time anyone asks for it; it is kept (free) afterwards. */
async function ensureLockRow(db: DbExecutor, key: EnvironmentKey): Promise<void> {
  await db.insert(environmentLocks).values(key).onConflictDoNothing();
}

/** The lock row of an environment, if one was ever created. */
export async function readEnvironmentLock(
  db: DbExecutor,
  key: EnvironmentKey,
): Promise<EnvironmentLockRow | undefined> {
  const [row] = await db.select().from(environmentLocks).where(lockKeyIs(key)).limit(1);
  return row;
}

function describeHeld(lock: EnvironmentLockRow): string {
  const holder = lock.holderWorkOrderId === null ? 'another release' : `work order ${lock.holderWorkOrderId}`;
  return `${holder} holds the environment lock${lock.owner === null ? '' : ` (worker ${lock.owner})`}`;
}

/**
 * Takes the lock for `claim.workOrderId` (rules at the top of this file). Run it in the transaction that moves the
 * order to `running`, so the lock and the state change commit together.
 */
export async function acquireEnvironmentLock(
  db: DbExecutor,
  key: EnvironmentKey,
  claim: LockClaim,
): Promise<AcquireLockResult> {
  await ensureLockRow(db, key);
  const held = environmentLocks.holderWorkOrderId;
  const expired = lt(environmentLocks.leaseExpiresAt, now);
  const mine = and(eq(held, claim.workOrderId), or(eq(environmentLocks.owner, claim.owner), expired));
  const holderGone = and(
    expired,
    sql`not exists (select 1 from work_orders o where o.id = ${held} and o.state = 'running')`,
  );
  const free = and(
    isNull(environmentLocks.lockedBy),
    or(isNull(held), holderGone),
    noWaiterAhead(key, claim.workOrderId),
  );
  const [lock] = await db
    .update(environmentLocks)
    .set({
      holderWorkOrderId: claim.workOrderId,
      owner: claim.owner,
      leaseExpiresAt: leaseUntil(claim.leaseMs),
      heartbeatAt: now,
      acquiredAt: now,
    })
    .where(and(lockKeyIs(key), or(mine, free)))
    .returning();
  if (lock !== undefined) return { ok: true, lock };
  const current = await readEnvironmentLock(db, key);
  const ahead = await countWaitersAhead(db, key, claim.workOrderId);
  const lockedBy = current?.lockedBy ?? null;
  if (current !== undefined && lockedBy !== null) {
    const why = current.manualReason === null ? '' : `: ${current.manualReason}`;
    return { ok: false, reason: 'manual-lock', lock: current, ahead, message: `locked by @${lockedBy}${why}` };
  }
  if (current !== undefined && current.holderWorkOrderId !== null) {
    return { ok: false, reason: 'held', lock: current, ahead, message: describeHeld(current) };
  }
  return {
    ok: false,
    reason: 'queued-behind',
    lock: current,
    ahead,
    message: `${ahead} earlier work order(s) wait for this environment`,
  };
}

/** Extends the lease; false when this worker no longer holds the lock (it expired and another worker took over). */
export async function renewEnvironmentLock(db: DbExecutor, key: EnvironmentKey, claim: LockClaim): Promise<boolean> {
  const rows = await db
    .update(environmentLocks)
    .set({ leaseExpiresAt: leaseUntil(claim.leaseMs), heartbeatAt: now })
    .where(
      and(
        lockKeyIs(key),
        eq(environmentLocks.holderWorkOrderId, claim.workOrderId),
        eq(environmentLocks.owner, claim.owner),
      ),
    )
    .returning({ id: environmentLocks.id });
  return rows.length > 0;
}

/** Frees the lock if this worker still holds it for this order; a manual lock set meanwhile stays. */
export async function releaseEnvironmentLock(
  db: DbExecutor,
  key: EnvironmentKey,
  claim: Pick<LockClaim, 'workOrderId' | 'owner'>,
): Promise<boolean> {
  const rows = await db
    .update(environmentLocks)
    .set({ holderWorkOrderId: null, owner: null, leaseExpiresAt: null, heartbeatAt: null, acquiredAt: null })
    .where(
      and(
        lockKeyIs(key),
        eq(environmentLocks.holderWorkOrderId, claim.workOrderId),
        eq(environmentLocks.owner, claim.owner),
      ),
    )
    .returning({ id: environmentLocks.id });
  return rows.length > 0;
}

/** Locks whose lease expired while their order still runs: releases whose worker died. */
export async function expiredRunningLocks(db: DbExecutor): Promise<EnvironmentLockRow[]> {
  return db
    .select()
    .from(environmentLocks)
    .where(
      and(
        isNotNull(environmentLocks.holderWorkOrderId),
        lt(environmentLocks.leaseExpiresAt, now),
        sql`exists (select 1 from work_orders o where o.id = ${environmentLocks.holderWorkOrderId} and o.state = 'running')`,
      ),
    );
}

export type ManualLockResult =
  | { ok: true; lock: EnvironmentLockRow }
  | { ok: false; reason: 'already-locked'; lockedBy: string; manualReason: string | null };

/** `/lock <reason>`: holds the environment by hand; a running release finishes, nothing new starts. */
export async function setManualLock(
  db: DbExecutor,
  key: EnvironmentKey,
  by: string,
  reason: string,
): Promise<ManualLockResult> {
  await ensureLockRow(db, key);
  const [lock] = await db
    .update(environmentLocks)
    .set({ lockedBy: by, manualReason: reason })
    .where(and(lockKeyIs(key), isNull(environmentLocks.lockedBy)))
    .returning();
  if (lock !== undefined) return { ok: true, lock };
  const current = await readEnvironmentLock(db, key);
  return {
    ok: false,
    reason: 'already-locked',
    lockedBy: current?.lockedBy ?? 'someone',
    manualReason: current?.manualReason ?? null,
  };
}

export type ManualUnlockResult =
  | { ok: true; lockedBy: string; manualReason: string | null }
  | { ok: false; reason: 'not-locked' };

/** `/unlock`: lifts a manual lock (never a worker's lease). */
export async function clearManualLock(db: DbExecutor, key: EnvironmentKey): Promise<ManualUnlockResult> {
  const current = await readEnvironmentLock(db, key);
  const lockedBy = current?.lockedBy ?? null;
  if (current === undefined || lockedBy === null) return { ok: false, reason: 'not-locked' };
  const rows = await db
    .update(environmentLocks)
    .set({ lockedBy: null, manualReason: null })
    .where(and(lockKeyIs(key), isNotNull(environmentLocks.lockedBy)))
    .returning({ id: environmentLocks.id });
  if (rows.length === 0) return { ok: false, reason: 'not-locked' };
  return { ok: true, lockedBy, manualReason: current.manualReason };
}
