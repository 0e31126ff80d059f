/**
 * `release.start`: the work-order lifecycle decides whether and how the order starts (`checkStartJob`,
 * `beginRelease`); this worker keeps one run per order in the process, runs the release it was given, and resumes an
 * order that is `running` already (its worker may have died).
 */
import { beginRelease, checkStartJob, type ReleaseJob, type StartJobData } from '../workorders/service/index.ts';
import { executeRelease } from './execute-release.ts';
import { runOncePerOrder } from './one-run-per-order.ts';
import { resumeOrder } from './resume-order.ts';
import type { WorkerContext } from './worker-context.ts';

/** Handles one `release.start` job (see the top of this file). */
export async function handleStartJob(
  ctx: WorkerContext,
  job: ReleaseJob<StartJobData> & { signal?: AbortSignal },
): Promise<void> {
  const orderId = job.data.workOrderId;
  const check = await checkStartJob(ctx.db, job);
  if (check.kind === 'skip') {
    ctx.emit(check.event);
    return;
  }
  if (check.kind === 'recover') {
    await resumeOrder(ctx, orderId);
    return;
  }
  await runOncePerOrder(ctx, orderId, job.id, async () => {
    const begun = await beginRelease(ctx, job, check.order);
    for (const event of begun.events) ctx.emit(event);
    if (begun.kind === 'run') await executeRelease(ctx, begun.prepared, begun.run, job.signal);
  });
}
