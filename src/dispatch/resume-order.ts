/**
 * Picking up an order whose worker died: the lifecycle takes its environment lock over (`recoverRelease`), and this
 * worker finishes the run: a release is resumed, a rollback is run again.
 */
import { recoverRelease } from '../workorders/service/index.ts';
import { executeRelease } from './execute-release.ts';
import { executeRollback } from './execute-rollback.ts';
import type { WorkerContext } from './worker-context.ts';

export type ResumeOutcome = 'resumed' | 'busy' | 'not-running' | 'unprepared';

/** Resumes the order if it runs and nobody live holds its lock; see the top of this file. */
export async function resumeOrder(ctx: WorkerContext, orderId: number): Promise<ResumeOutcome> {
  if (ctx.active.has(orderId)) return 'busy';
  ctx.active.add(orderId);
  try {
    const recovery = await recoverRelease(ctx, orderId);
    if (recovery.outcome === 'unprepared') for (const event of recovery.events) ctx.emit(event);
    if (recovery.outcome !== 'resumed') return recovery.outcome;
    const { resume } = recovery;
    if (resume.kind === 'rollback') await executeRollback(ctx, resume.prepared, resume.run);
    else if (resume.kind === 'release') await executeRelease(ctx, resume.prepared, resume.run);
    else for (const event of resume.events) ctx.emit(event);
    return 'resumed';
  } finally {
    ctx.active.delete(orderId);
  }
}
