/** Queuing and withdrawing an order's start job, always inside the caller's transaction. */
import { eq } from 'drizzle-orm';
import { workOrders } from '../../db/index.ts';
import type { Tx } from '../../db/types.ts';
import { removeLockWaiter } from './lock-waiters.ts';
import { START_QUEUE, type StartJobData } from './release-jobs.ts';
import type { ServiceDeps, WorkOrder } from './types.ts';

/**
 * Sends `release.start` for the order through `tx` (so it commits or rolls back with the approval or command that
 * caused it) and remembers the job on the order, so a new digest or an abort can cancel it.
 *
 * @throws Error when the queue refuses the job (it never does for `release.start`, whose policy is standard).
 */
export async function queueStartJob(
  tx: Tx,
  queue: ServiceDeps['queue'],
  order: WorkOrder,
  data: StartJobData,
  startAfter?: Date,
): Promise<string> {
  const jobId = await queue.send(START_QUEUE, data, {
    tx,
    singletonKey: `order-${order.id}-${data.digest}`,
    ...(startAfter === undefined ? {} : { startAfter }),
  });
  if (jobId === null) throw new Error(`the queue refused the start job of work order ${order.id}`);
  await tx.update(workOrders).set({ startJobId: jobId }).where(eq(workOrders.id, order.id));
  return jobId;
}

/**
 * Cancels the order's queued start job and takes it out of its environment's waiting line; used whenever an
 * approved or scheduled order stops waiting to start (new plan, lost quorum, abort, rejection, cancellation).
 * A job already picked up is not interrupted, but the worker refuses it because the order moved on.
 *
 * @returns whether a queued job was cancelled.
 */
export async function withdrawStartJob(tx: Tx, queue: ServiceDeps['queue'], order: WorkOrder): Promise<boolean> {
  await removeLockWaiter(tx, order.id);
  if (order.startJobId === null) return false;
  const cancelled = await queue.cancel(START_QUEUE, order.startJobId, { tx });
  await tx.update(workOrders).set({ startJobId: null }).where(eq(workOrders.id, order.id));
  return cancelled;
}
