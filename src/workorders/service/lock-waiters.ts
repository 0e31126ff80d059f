/**
 * Orders waiting for an environment lock, served in the order they started waiting. A waiter counts only while its
 * order can still start (approved, scheduled, or running a rollback that waits): a row left by an order that was
 * aborted or replanned meanwhile blocks nobody.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { environmentLockWaiters, rawRows } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import type { EnvironmentKey } from './environment-key.ts';

const MAX_ID = '9223372036854775807';

/** Selects `select` over the environment's live waiters queued before the order (all of them, if it is not in line). */
function waitersAheadQuery(select: SQL, key: EnvironmentKey, workOrderId: number): SQL {
  return sql`select ${select} from environment_lock_waiters w join work_orders o on o.id = w.work_order_id
    where w.repo_full_name = ${key.repoFullName} and w.app = ${key.app} and w.environment = ${key.environment}
      and w.work_order_id <> ${workOrderId}
      and o.state in ('approved', 'scheduled', 'running')
      and w.id < coalesce((select m.id from environment_lock_waiters m where m.work_order_id = ${workOrderId}), ${MAX_ID}::bigint)`;
}

/** A condition: nobody waits ahead of `workOrderId`. */
export function noWaiterAhead(key: EnvironmentKey, workOrderId: number): SQL {
  return sql`not exists (${waitersAheadQuery(sql`1`, key, workOrderId)})`;
}

/** How many live waiters are ahead of `workOrderId`. */
export async function countWaitersAhead(db: DbExecutor, key: EnvironmentKey, workOrderId: number): Promise<number> {
  const [row] = rawRows(await db.execute(waitersAheadQuery(sql`count(*)::int as n`, key, workOrderId)));
  return z.object({ n: z.number() }).parse(row).n;
}

/** Puts the order in line (once: a later attempt keeps its place). */
export async function addLockWaiter(db: DbExecutor, key: EnvironmentKey, workOrderId: number): Promise<void> {
  await db
    .insert(environmentLockWaiters)
    .values({ ...key, workOrderId })
    .onConflictDoNothing();
}

/** Takes the order out of line: it got the lock, or will not start any more. */
export async function removeLockWaiter(db: DbExecutor, workOrderId: number): Promise<void> {
  await db.delete(environmentLockWaiters).where(eq(environmentLockWaiters.workOrderId, workOrderId));
}

/** Whether the order waits in line for some environment. */
export async function isWaiting(db: DbExecutor, workOrderId: number): Promise<boolean> {
  const rows = await db
    .select({ id: environmentLockWaiters.id })
    .from(environmentLockWaiters)
    .where(eq(environmentLockWaiters.workOrderId, workOrderId))
    .limit(1);
  return rows.length > 0;
}
