/**
 * `release.start`: an approved (or scheduled, or retried) order's release begins. In order, a job that no longer
 * applies is refused, the order fails when its plan or config cannot be run, is deferred past a freeze window, is put
 * in line when the environment lock is taken, and otherwise takes the lock and moves to `running` in one transaction;
 * the worker then runs the release. A job for an order that is `running` already belongs to a release whose worker
 * may have died: the worker recovers it (recover-release.ts).
 */
import { newReleaseId } from '../../deploy/index.ts';
import type { Tx } from '../../db/types.ts';
import type { Actor } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { acquireEnvironmentLock } from './environment-lock.ts';
import type { LifecycleEvent, SkipReason } from './lifecycle-events.ts';
import { addLockWaiter, removeLockWaiter } from './lock-waiters.ts';
import { environmentFreeze } from './order-policy.ts';
import { getWorkOrder, lockWorkOrder } from './order-store.ts';
import { prepareRun, type PreparedRun } from './prepare-run.ts';
import { lockClaim, type ReleaseDeps } from './release-deps.ts';
import type { ReleaseJob, StartJobData } from './release-jobs.ts';
import { workerActor, type ReleaseRun } from './release-run.ts';
import { hostRunsOf, latestRelease } from './release-store.ts';
import { deferPastFreeze, failToStart, needApprovalAgain, startsWith } from './start-refusals.ts';
import { queueStartJob } from './start-jobs.ts';
import { insertRunningRelease, markReleaseRunning, retrySourceOf } from './stored-release.ts';
import type { WorkOrder } from './types.ts';

type StartJob = ReleaseJob<StartJobData>;

/** What a start job is for: nothing any more (skip), a running release to recover, or an order to start. */
export type StartCheck =
  | { kind: 'skip'; event: LifecycleEvent }
  | { kind: 'recover' }
  | { kind: 'start'; order: WorkOrder };

/** The release runs (the order holds its lock and is `running`), or the job is done without a run. */
export type BegunRelease =
  | { kind: 'run'; prepared: PreparedRun; run: ReleaseRun; events: LifecycleEvent[] }
  | { kind: 'done'; events: LifecycleEvent[] };

function skipped(job: StartJob, reason: SkipReason, message: string): LifecycleEvent {
  return { type: 'skipped', workOrderId: job.data.workOrderId, jobId: job.id, reason, message };
}

const done = (events: LifecycleEvent[]): BegunRelease => ({ kind: 'done', events });

/** Reads the order of a start job and says what the job is for (without locking anything). */
export async function checkStartJob(db: ReleaseDeps['db'], job: StartJob): Promise<StartCheck> {
  const orderId = job.data.workOrderId;
  const order = await getWorkOrder(db, orderId);
  if (order === undefined) return { kind: 'skip', event: skipped(job, 'not-found', `no work order ${orderId}`) };
  if (order.state === 'running') return { kind: 'recover' };
  if (order.state !== 'approved' && order.state !== 'scheduled')
    return { kind: 'skip', event: skipped(job, 'not-startable', `the order is ${order.state}`) };
  if (order.startJobId !== job.id)
    return { kind: 'skip', event: skipped(job, 'superseded', 'a newer start job replaced this one') };
  return { kind: 'start', order };
}

/**
 * Begins the release of `order` for its start job (see the top of this file): on `run`, the caller executes the
 * release and ends it with `finishRelease`.
 */
export async function beginRelease(deps: ReleaseDeps, job: StartJob, order: WorkOrder): Promise<BegunRelease> {
  const system = workerActor(deps.workerId);
  const prepared = await prepareRun(deps, order);
  if (!prepared.ok && prepared.reason === 'config-changed')
    return done(await needApprovalAgain(deps, job, prepared, system));
  if (!prepared.ok) return done(await failToStart(deps, job, prepared.message, system));
  if (prepared.run.version.digest !== job.data.digest)
    return done([skipped(job, 'stale-digest', 'the plan changed after this job was queued')]);
  if (job.data.freezeOverride === undefined) {
    const freeze = environmentFreeze(prepared.run.environment, deps.now());
    if (!freeze.ok) return done(await failToStart(deps, job, freeze.message, system));
    if (freeze.state.frozen)
      return done(await deferPastFreeze(deps, job, freeze.state.window, freeze.state.until, system));
  }
  return takeLockAndStart(deps, job, prepared.run, system);
}

/** The release a retry runs again (its hosts' attempts so far), or nothing for a fresh start. */
async function retryOf(
  deps: ReleaseDeps,
  job: StartJob,
): Promise<{ from: ReturnType<typeof retrySourceOf>; attempts: number[] }> {
  const previous = job.data.retry === true ? await latestRelease(deps.db, job.data.workOrderId) : undefined;
  const from = previous === undefined ? undefined : retrySourceOf(previous);
  const attempts = from === undefined ? [] : (await hostRunsOf(deps.db, from.releaseId)).map((run) => run.attempt);
  return { from, attempts };
}

type Retry = Awaited<ReturnType<typeof retryOf>>;

interface Start {
  job: StartJob;
  prepared: PreparedRun;
  retry: Retry;
  system: Actor;
}

/** The lock is taken: the release row is created (or marked running again) and the order moves to `running`. */
async function startRunning(tx: Tx, order: WorkOrder, start: Start): Promise<BegunRelease> {
  const { job, prepared, retry, system } = start;
  const releaseId = retry.from?.releaseId ?? newReleaseId();
  if (retry.from === undefined) await insertRunningRelease(tx, prepared, releaseId);
  else await markReleaseRunning(tx, releaseId);
  const attempt = Math.max(0, ...retry.attempts) + 1;
  const override = job.data.freezeOverride;
  const fresh = retry.from === undefined;
  const reason = fresh ? `release ${prepared.plan.version} started` : `retry of release ${releaseId} started`;
  const running = await applyCheckedTransition(tx, order, 'running', {
    cause: 'started',
    actor: system,
    reason,
    data: {
      releaseId,
      attempt,
      digest: job.data.digest,
      ...(override === undefined ? {} : { freezeOverride: override }),
    },
  });
  const mode = retry.from === undefined ? { kind: 'fresh' as const } : { kind: 'retry' as const, previous: retry.from };
  return {
    kind: 'run',
    prepared,
    events: [{ type: 'transition', workOrderId: order.id, ...running.moved, reason: `release ${releaseId}` }],
    run: { releaseId, attempt, runningAuditId: running.auditId, mode },
  };
}

/** Takes the lock and moves the order to running, or puts it in line and queues the next attempt. */
async function takeLockAndStart(
  deps: ReleaseDeps,
  job: StartJob,
  prepared: PreparedRun,
  system: Actor,
): Promise<BegunRelease> {
  const retry = await retryOf(deps, job);
  return deps.db.transaction(async (tx): Promise<BegunRelease> => {
    const order = await lockWorkOrder(tx, job.data.workOrderId);
    if (!startsWith(order, job)) {
      return done([skipped(job, 'superseded', 'the order changed while the job was being picked up')]);
    }
    const lock = await acquireEnvironmentLock(tx, prepared.key, lockClaim(deps, order.id));
    if (lock.ok) {
      await removeLockWaiter(tx, order.id);
      return startRunning(tx, order, { job, prepared, retry, system });
    }
    await addLockWaiter(tx, prepared.key, order.id);
    const retryAt = new Date(deps.now().getTime() + deps.waitRetryMs);
    await queueStartJob(tx, deps.queue, order, job.data, retryAt);
    const { reason, message } = lock;
    return done([{ type: 'waiting', workOrderId: order.id, reason, message, position: lock.ahead + 1, retryAt }]);
  });
}
