/** `release.rollback`: a `/rollback` waits for the environment lock like any release, then runs. */
import { applyCheckedTransition } from '../workorders/service/apply-transition.ts';
import { lastTransitionInto } from '../workorders/service/audit-queries.ts';
import { getWorkOrder, lockWorkOrder } from '../workorders/service/order-store.ts';
import type { Actor } from '../workorders/types.ts';
import { acquireEnvironmentLock } from './environment-lock.ts';
import { executeRollback } from './execute-rollback.ts';
import { addLockWaiter, removeLockWaiter } from './lock-waiters.ts';
import { prepareRun } from './prepare-run.ts';
import { ROLLBACK_QUEUE, type RollbackJobData } from './release-queues.ts';
import type { QueueJob } from './types.ts';
import type { WorkerContext } from './worker-context.ts';
import type { WorkerEvent } from './worker-events.ts';

/** Handles one `release.rollback` job. */
export async function handleRollbackJob(ctx: WorkerContext, job: QueueJob<RollbackJobData>): Promise<void> {
  const orderId = job.data.workOrderId;
  const skip = (reason: 'not-found' | 'not-startable' | 'in-progress', message: string): void =>
    ctx.emit({ type: 'skipped', workOrderId: orderId, jobId: job.id, reason, message });
  const order = await getWorkOrder(ctx.db, orderId);
  if (order === undefined) return skip('not-found', `no work order ${orderId}`);
  const last = await lastTransitionInto(ctx.db, orderId, 'running');
  if (order.state !== 'running' || last?.cause !== 'rollback-started') return skip('not-startable', `the order is ${order.state}, not rolling back`);
  if (ctx.active.has(orderId)) return skip('in-progress', 'this worker runs the order already');
  ctx.active.add(orderId);
  try {
    const system: Actor = { kind: 'system', component: ctx.workerId };
    // It continues an approved release: the approved settings, whatever the config says now.
    const prepared = await prepareRun(ctx, order, { settings: 'approved' });
    if (!prepared.ok) {
      const message = `the rollback could not start: ${prepared.message}`;
      const moved = await ctx.db.transaction(async (tx) => {
        const locked = await lockWorkOrder(tx, orderId);
        if (locked?.state !== 'running') return undefined;
        return (await applyCheckedTransition(tx, locked, 'failed', { cause: 'rollback-failed', actor: system, reason: message })).moved;
      });
      if (moved !== undefined) ctx.emit({ type: 'transition', workOrderId: orderId, ...moved, reason: message });
      return;
    }
    const events = await ctx.db.transaction(async (tx): Promise<WorkerEvent[] | 'run'> => {
      const locked = await lockWorkOrder(tx, orderId);
      if (locked?.state !== 'running') return [];
      const lock = await acquireEnvironmentLock(tx, prepared.run.key, { workOrderId: orderId, owner: ctx.workerId, leaseMs: ctx.leaseMs });
      if (lock.ok) {
        await removeLockWaiter(tx, orderId);
        return 'run';
      }
      if (lock.lock?.holderWorkOrderId === orderId) {
        return [{ type: 'skipped', workOrderId: orderId, jobId: job.id, reason: 'in-progress', message: 'another worker runs this rollback' }];
      }
      await addLockWaiter(tx, prepared.run.key, orderId);
      const retryAt = new Date(ctx.now().getTime() + ctx.waitRetryMs);
      await ctx.queue.send(ROLLBACK_QUEUE, job.data, { tx, startAfter: retryAt });
      return [{ type: 'waiting', workOrderId: orderId, reason: lock.reason, message: lock.message, position: lock.ahead + 1, retryAt }];
    });
    if (events !== 'run') {
      for (const event of events) ctx.emit(event);
      return;
    }
    await executeRollback(ctx, prepared.run, { version: job.data.version ?? last.version, runningAuditId: last.auditId });
  } finally {
    ctx.active.delete(orderId);
  }
}
