/** `release.rollback`: a `/rollback` waits for the environment lock like any release (`beginRollback`), then runs. */
import { beginRollback, checkRollbackJob, type ReleaseJob, type RollbackJobData } from '../workorders/service/index.ts';
import { executeRollback } from './execute-rollback.ts';
import { runOncePerOrder } from './one-run-per-order.ts';
import type { WorkerContext } from './worker-context.ts';

/** Handles one `release.rollback` job. */
export async function handleRollbackJob(ctx: WorkerContext, job: ReleaseJob<RollbackJobData>): Promise<void> {
  const orderId = job.data.workOrderId;
  const check = await checkRollbackJob(ctx.db, job);
  if (check.kind === 'skip') {
    ctx.emit(check.event);
    return;
  }
  await runOncePerOrder(ctx, orderId, job.id, async () => {
    const begun = await beginRollback(ctx, job, check);
    if (begun.kind === 'done') {
      for (const event of begun.events) ctx.emit(event);
      return;
    }
    await executeRollback(ctx, begun.prepared, begun.run);
  });
}
