/** A worker runs an order once at a time: a second job for an order it is running already is skipped, and said so. */
import type { WorkerContext } from './worker-context.ts';

/** Runs `run` unless this worker runs `orderId` already (then emits `skipped`, reason `in-progress`). */
export async function runOncePerOrder(
  ctx: WorkerContext,
  orderId: number,
  jobId: string,
  run: () => Promise<void>,
): Promise<void> {
  if (ctx.active.has(orderId)) {
    ctx.emit({
      type: 'skipped',
      workOrderId: orderId,
      jobId,
      reason: 'in-progress',
      message: 'this worker runs the order already',
    });
    return;
  }
  ctx.active.add(orderId);
  try {
    await run();
  } finally {
    ctx.active.delete(orderId);
  }
}
