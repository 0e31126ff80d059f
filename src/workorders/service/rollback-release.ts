/**
 * `release.rollback`: a `/rollback` of a released order (moved back to `running`, cause rollback-started) waits for
 * the environment lock like any release, then the worker switches the hosts back and ends the order `failed`
 * (rollback-finished or rollback-failed). Targets are explicit per host (rollback-targets.ts), so running the rollback
 * again after a worker died is harmless.
 */
import type { LifecycleEvent, SkipReason } from './lifecycle-events.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { lastTransitionInto, type TransitionRow } from './audit-queries.ts';
import { acquireEnvironmentLock } from './environment-lock.ts';
import { addLockWaiter, removeLockWaiter } from './lock-waiters.ts';
import { getWorkOrder, lockWorkOrder } from './order-store.ts';
import { prepareRun, type PreparedRun } from './prepare-run.ts';
import { lockClaim, type ReleaseDeps } from './release-deps.ts';
import { ROLLBACK_QUEUE, type ReleaseJob, type RollbackJobData } from './release-jobs.ts';
import { workerActor, type RollbackRun } from './release-run.ts';
import type { WorkOrder } from './types.ts';

type RollbackJob = ReleaseJob<RollbackJobData>;

/** What a rollback job is for: nothing any more, or an order rolling back (and its move to `running`). */
export type RollbackCheck =
  | { kind: 'skip'; event: LifecycleEvent }
  | { kind: 'rollback'; order: WorkOrder; last: TransitionRow };

/** The rollback runs (the order holds its lock), or the job is done without a run. */
export type BegunRollback =
  | { kind: 'run'; prepared: PreparedRun; run: RollbackRun }
  | { kind: 'done'; events: LifecycleEvent[] };

function skipped(job: RollbackJob, reason: SkipReason, message: string): LifecycleEvent {
  return { type: 'skipped', workOrderId: job.data.workOrderId, jobId: job.id, reason, message };
}

/** Reads the order of a rollback job and says whether it still rolls back. */
export async function checkRollbackJob(db: ReleaseDeps['db'], job: RollbackJob): Promise<RollbackCheck> {
  const orderId = job.data.workOrderId;
  const order = await getWorkOrder(db, orderId);
  if (order === undefined) return { kind: 'skip', event: skipped(job, 'not-found', `no work order ${orderId}`) };
  const last = await lastTransitionInto(db, orderId, 'running');
  if (order.state !== 'running' || last?.cause !== 'rollback-started') {
    return { kind: 'skip', event: skipped(job, 'not-startable', `the order is ${order.state}, not rolling back`) };
  }
  return { kind: 'rollback', order, last };
}

/** The rollback cannot run (its plan or config cannot be prepared): the order fails with the reason. */
async function failRollbackStart(deps: ReleaseDeps, orderId: number, why: string): Promise<LifecycleEvent[]> {
  const reason = `the rollback could not start: ${why}`;
  const moved = await deps.db.transaction(async (tx) => {
    const locked = await lockWorkOrder(tx, orderId);
    if (locked?.state !== 'running') return undefined;
    const actor = workerActor(deps.workerId);
    return (await applyCheckedTransition(tx, locked, 'failed', { cause: 'rollback-failed', actor, reason })).moved;
  });
  return moved === undefined ? [] : [{ type: 'transition', workOrderId: orderId, ...moved, reason }];
}

/** Takes the environment lock for the rollback, or puts the order in line and queues the job again. */
async function takeLockForRollback(
  deps: ReleaseDeps,
  job: RollbackJob,
  prepared: PreparedRun,
): Promise<LifecycleEvent[] | 'run'> {
  const orderId = job.data.workOrderId;
  return deps.db.transaction(async (tx): Promise<LifecycleEvent[] | 'run'> => {
    const locked = await lockWorkOrder(tx, orderId);
    if (locked?.state !== 'running') return [];
    const lock = await acquireEnvironmentLock(tx, prepared.key, lockClaim(deps, orderId));
    if (lock.ok) {
      await removeLockWaiter(tx, orderId);
      return 'run';
    }
    if (lock.lock?.holderWorkOrderId === orderId)
      return [skipped(job, 'in-progress', 'another worker runs this rollback')];
    await addLockWaiter(tx, prepared.key, orderId);
    const retryAt = new Date(deps.now().getTime() + deps.waitRetryMs);
    await deps.queue.send(ROLLBACK_QUEUE, job.data, { tx, startAfter: retryAt });
    return [
      {
        type: 'waiting',
        workOrderId: orderId,
        reason: lock.reason,
        message: lock.message,
        position: lock.ahead + 1,
        retryAt,
      },
    ];
  });
}

/** Begins a checked rollback: on `run`, the caller switches the hosts back and ends it with `finishRollback`. */
export async function beginRollback(
  deps: ReleaseDeps,
  job: RollbackJob,
  checked: Extract<RollbackCheck, { kind: 'rollback' }>,
): Promise<BegunRollback> {
  // It continues an approved release: the approved settings, whatever the config says now.
  const prepared = await prepareRun(deps, checked.order, { settings: 'approved' });
  if (!prepared.ok) return { kind: 'done', events: await failRollbackStart(deps, checked.order.id, prepared.message) };
  const taken = await takeLockForRollback(deps, job, prepared.run);
  if (taken !== 'run') return { kind: 'done', events: taken };
  return {
    kind: 'run',
    prepared: prepared.run,
    run: { version: job.data.version ?? checked.last.version, runningAuditId: checked.last.auditId },
  };
}
