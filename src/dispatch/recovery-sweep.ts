/** Finds releases whose worker died (running order, expired lease) and resumes them, one after the other. */
import { expiredRunningLocks } from './environment-lock.ts';
import { resumeOrder } from './resume-order.ts';
import type { WorkerContext } from './worker-context.ts';

/** One pass; returns how many orders this worker resumed (and finished). */
export async function sweepExpiredReleases(ctx: WorkerContext): Promise<number> {
  let resumed = 0;
  for (const lock of await expiredRunningLocks(ctx.db)) {
    if (lock.holderWorkOrderId === null) continue;
    if ((await resumeOrder(ctx, lock.holderWorkOrderId)) === 'resumed') resumed++;
  }
  return resumed;
}
