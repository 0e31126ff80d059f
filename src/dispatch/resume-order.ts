/**
 * Picking up an order whose worker died: it is `running`, and its environment lock's lease ran out. The lock is
 * taken over (only possible once the lease expired, so a live worker is never raced), the takeover is audited, and
 * the run is finished: a release is resumed (hosts in doubt switched back, then the release run again with the same
 * id), a rollback is run again (its targets are explicit per host).
 */
import { appendAudit } from '../db/audit-log.ts';
import { AUDIT_ACTIONS, SYSTEM_ACTOR } from '../workorders/service/audit-actions.ts';
import { lastTransitionInto } from '../workorders/service/audit-queries.ts';
import { getWorkOrder, lockWorkOrder } from '../workorders/service/order-store.ts';
import { hostRunsOf, latestRelease } from '../workorders/service/release-store.ts';
import { acquireEnvironmentLock, readEnvironmentLock } from './environment-lock.ts';
import { executeRelease } from './execute-release.ts';
import { executeRollback } from './execute-rollback.ts';
import { prepareRun } from './prepare-run.ts';
import type { WorkerContext } from './worker-context.ts';

export type ResumeOutcome = 'resumed' | 'busy' | 'not-running' | 'unprepared';

/** Resumes the order if it runs and nobody live holds its lock; see the top of this file. */
export async function resumeOrder(ctx: WorkerContext, orderId: number): Promise<ResumeOutcome> {
  if (ctx.active.has(orderId)) return 'busy';
  ctx.active.add(orderId);
  try {
    const order = await getWorkOrder(ctx.db, orderId);
    if (order === undefined || order.state !== 'running') return 'not-running';
    const last = await lastTransitionInto(ctx.db, orderId, 'running');
    if (last === undefined) return 'not-running';
    // It continues an approved release: the approved settings, whatever the config says now.
    const prepared = await prepareRun(ctx, order, { settings: 'approved' });
    if (!prepared.ok) {
      ctx.emit({ type: 'error', workOrderId: orderId, message: `cannot resume: ${prepared.message}` });
      return 'unprepared';
    }
    const before = await readEnvironmentLock(ctx.db, prepared.run.key);
    if (last.cause === 'rollback-started' && before?.holderWorkOrderId !== orderId) {
      // A rollback still waiting for the lock: its own job gets it in turn.
      return 'busy';
    }
    const releaseId = last.releaseId ?? (await latestRelease(ctx.db, orderId))?.releaseId;
    const attempts = releaseId === undefined ? [] : (await hostRunsOf(ctx.db, releaseId)).map((run) => run.attempt);
    const taken = await ctx.db.transaction(async (tx) => {
      const locked = await lockWorkOrder(tx, orderId);
      if (locked === undefined || locked.state !== 'running') return false;
      const lock = await acquireEnvironmentLock(tx, prepared.run.key, { workOrderId: orderId, owner: ctx.workerId, leaseMs: ctx.leaseMs });
      if (!lock.ok) return false;
      await appendAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: AUDIT_ACTIONS.releaseRecovered,
        workOrderId: orderId,
        reason: `worker ${ctx.workerId} takes over from ${before?.owner ?? 'a stopped worker'}`,
        data: { cause: last.cause, releaseId: releaseId ?? null, previousOwner: before?.owner ?? null, worker: ctx.workerId },
      });
      return true;
    });
    if (!taken) return 'busy';
    if (last.cause === 'rollback-started') {
      await executeRollback(ctx, prepared.run, { version: last.version, runningAuditId: last.auditId });
    } else if (releaseId !== undefined) {
      const attempt = Math.max(0, ...attempts) + 1;
      await executeRelease(ctx, prepared.run, { releaseId, attempt, runningAuditId: last.auditId, mode: { kind: 'resume' } });
    } else {
      ctx.emit({ type: 'error', workOrderId: orderId, message: 'running without a release to resume' });
    }
    return 'resumed';
  } finally {
    ctx.active.delete(orderId);
  }
}
