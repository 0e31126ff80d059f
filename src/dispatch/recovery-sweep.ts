/** Finds releases whose worker died (running order, expired lease) and resumes them, one after the other. */
import { ordersToRecover } from '../workorders/service/index.ts';
import { resumeOrder } from './resume-order.ts';
import type { WorkerContext } from './worker-context.ts';

/** One pass; returns how many orders this worker resumed (and finished). */
export async function sweepExpiredReleases(ctx: WorkerContext): Promise<number> {
  let resumed = 0;
  for (const orderId of await ordersToRecover(ctx.db)) {
    if ((await resumeOrder(ctx, orderId)) === 'resumed') resumed++;
  }
  return resumed;
}
