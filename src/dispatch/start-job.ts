/**
 * `release.start`: an approved (or scheduled, or retried) order's release begins. In order, the worker refuses a job
 * that no longer applies, fails the order when its plan or config cannot be run, defers it past a freeze window,
 * puts it in line when the environment lock is taken, and otherwise takes the lock and moves the order to `running`
 * in one transaction, then runs the release. A job for an order that is `running` already belongs to a release whose
 * worker may have died: it is resumed if its lease ran out (else another worker is on it).
 */
import { newReleaseId } from '../deploy/run-release.ts';
import { applyCheckedTransition } from '../workorders/service/apply-transition.ts';
import { environmentFreeze } from '../workorders/service/order-policy.ts';
import { restatePlanForConfig } from '../workorders/service/index.ts';
import { getWorkOrder, lockWorkOrder } from '../workorders/service/order-store.ts';
import { hostRunsOf, latestRelease } from '../workorders/service/release-store.ts';
import { queueStartJob } from '../workorders/service/start-jobs.ts';
import type { Actor } from '../workorders/types.ts';
import { acquireEnvironmentLock } from './environment-lock.ts';
import { executeRelease, type ReleaseRun } from './execute-release.ts';
import { addLockWaiter, removeLockWaiter } from './lock-waiters.ts';
import { prepareRun, type PrepareRefusal, type PreparedRun } from './prepare-run.ts';
import { resumeOrder } from './resume-order.ts';
import type { QueueJob } from './types.ts';
import type { StartJobData } from './release-queues.ts';
import { insertRunningRelease, markReleaseRunning, retrySourceOf } from './stored-release.ts';
import type { WorkerContext } from './worker-context.ts';
import type { SkipReason, WorkerEvent } from './worker-events.ts';

type Begun = { kind: 'run'; run: ReleaseRun; events: WorkerEvent[] } | { kind: 'done'; events: WorkerEvent[] };

function skip(ctx: WorkerContext, job: QueueJob<StartJobData>, reason: SkipReason, message: string): void {
  ctx.emit({ type: 'skipped', workOrderId: job.data.workOrderId, jobId: job.id, reason, message });
}

/** The order could not start at all (plan, config, secrets): it fails with the reason, and `/retry-failed` can try again. */
async function failToStart(ctx: WorkerContext, job: QueueJob<StartJobData>, message: string, system: Actor): Promise<void> {
  const moved = await ctx.db.transaction(async (tx) => {
    const order = await lockWorkOrder(tx, job.data.workOrderId);
    if (order === undefined || (order.state !== 'approved' && order.state !== 'scheduled') || order.startJobId !== job.id) return [];
    const running = await applyCheckedTransition(tx, order, 'running', { cause: 'started', actor: system, reason: 'picked up by a worker' });
    const failed = await applyCheckedTransition(tx, running.order, 'failed', { cause: 'release-failed', actor: system, reason: `the release could not start: ${message}` });
    await removeLockWaiter(tx, order.id);
    return [running.moved, failed.moved];
  });
  for (const move of moved) ctx.emit({ type: 'transition', workOrderId: job.data.workOrderId, ...move, reason: message });
}

/**
 * The repo config no longer resolves to the release settings that were approved: the release does not start, and
 * the plan is stored again over the config as it is now (a new digest), which sends the order back to `planned`
 * (cause plan-replaced) so that the approvers see the change and approve again. Not `failed`: nothing ran, and a
 * `/retry-failed` would meet the same change. When the new config refuses the plan outright (policy, secrets,
 * hosts), the start fails with the reason instead.
 */
async function needApprovalAgain(ctx: WorkerContext, job: QueueJob<StartJobData>, refusal: Extract<PrepareRefusal, { reason: 'config-changed' }>, system: Actor): Promise<void> {
  const restated = await restatePlanForConfig(ctx, { order: { id: job.data.workOrderId }, digest: refusal.digest, config: refusal.config, actor: system });
  if (!restated.ok && (restated.reason === 'wrong-state' || restated.reason === 'not-found')) {
    return skip(ctx, job, 'superseded', `${refusal.message}; the order changed meanwhile: ${restated.message}`);
  }
  if (!restated.ok) {
    // The config as it is now does not take the plan at all (the policy, the secret store or its hosts refuse it):
    // there is nothing to approve again, so the start fails with both reasons.
    const why = 'issues' in restated ? `${restated.message}: ${restated.issues.map((issue) => issue.message).join('; ')}` : restated.message;
    return failToStart(ctx, job, `${refusal.message}; the plan over the config as it is now is refused: ${why}`, system);
  }
  const now = `plan v${restated.summary.seq} (digest ${restated.summary.digest.slice(0, 12)}) is the plan over the config as it is now`;
  for (const move of restated.moved) ctx.emit({ type: 'transition', workOrderId: job.data.workOrderId, ...move, reason: `the release did not start: ${refusal.message}; ${now}` });
}

/** The freeze window holds the start back: the order is (or stays) scheduled, its job moved to the freeze's end. */
async function deferPastFreeze(ctx: WorkerContext, job: QueueJob<StartJobData>, window: string, until: Date, system: Actor): Promise<void> {
  const reason = `frozen (${window}) until ${until.toISOString()}`;
  const events = await ctx.db.transaction(async (tx): Promise<WorkerEvent[]> => {
    const order = await lockWorkOrder(tx, job.data.workOrderId);
    if (order === undefined || (order.state !== 'approved' && order.state !== 'scheduled') || order.startJobId !== job.id) return [];
    let current = order;
    const events: WorkerEvent[] = [];
    if (order.state === 'approved') {
      const deferred = await applyCheckedTransition(tx, order, 'scheduled', {
        cause: 'start-deferred',
        actor: system,
        reason,
        data: { window, startAfter: until.toISOString() },
      });
      current = deferred.order;
      events.push({ type: 'transition', workOrderId: order.id, ...deferred.moved, reason });
    }
    // A frozen order holds nobody's place in the environment's line (an override may start meanwhile).
    await removeLockWaiter(tx, order.id);
    await queueStartJob(tx, ctx.queue, current, job.data, until);
    events.push({ type: 'deferred', workOrderId: order.id, window, until });
    return events;
  });
  for (const event of events) ctx.emit(event);
}

/** Takes the lock and moves the order to running, or puts it in line and queues the next attempt. */
async function begin(ctx: WorkerContext, job: QueueJob<StartJobData>, prepared: PreparedRun, system: Actor): Promise<Begun> {
  const claim = { workOrderId: job.data.workOrderId, owner: ctx.workerId, leaseMs: ctx.leaseMs };
  const previous = job.data.retry === true ? await latestRelease(ctx.db, job.data.workOrderId) : undefined;
  const retryFrom = previous === undefined ? undefined : retrySourceOf(previous);
  const attempts = retryFrom === undefined ? [] : (await hostRunsOf(ctx.db, retryFrom.releaseId)).map((run) => run.attempt);
  return ctx.db.transaction(async (tx): Promise<Begun> => {
    const order = await lockWorkOrder(tx, job.data.workOrderId);
    if (order === undefined || (order.state !== 'approved' && order.state !== 'scheduled') || order.startJobId !== job.id) {
      const message = 'the order changed while the job was being picked up';
      return { kind: 'done', events: [{ type: 'skipped', workOrderId: job.data.workOrderId, jobId: job.id, reason: 'superseded', message }] };
    }
    const lock = await acquireEnvironmentLock(tx, prepared.key, claim);
    if (!lock.ok) {
      await addLockWaiter(tx, prepared.key, order.id);
      const retryAt = new Date(ctx.now().getTime() + ctx.waitRetryMs);
      await queueStartJob(tx, ctx.queue, order, job.data, retryAt);
      return { kind: 'done', events: [{ type: 'waiting', workOrderId: order.id, reason: lock.reason, message: lock.message, position: lock.ahead + 1, retryAt }] };
    }
    await removeLockWaiter(tx, order.id);
    const releaseId = retryFrom?.releaseId ?? newReleaseId();
    if (retryFrom === undefined) await insertRunningRelease(tx, prepared, releaseId);
    else await markReleaseRunning(tx, releaseId);
    const attempt = Math.max(0, ...attempts) + 1;
    const override = job.data.freezeOverride;
    const running = await applyCheckedTransition(tx, order, 'running', {
      cause: 'started',
      actor: system,
      reason: retryFrom === undefined ? `release ${prepared.plan.version} started` : `retry of release ${releaseId} started`,
      data: {
        releaseId,
        attempt,
        digest: job.data.digest,
        ...(override === undefined ? {} : { freezeOverride: override }),
      },
    });
    return {
      kind: 'run',
      events: [{ type: 'transition', workOrderId: order.id, ...running.moved, reason: `release ${releaseId}` }],
      run: {
        releaseId,
        attempt,
        runningAuditId: running.auditId,
        mode: retryFrom === undefined ? { kind: 'fresh' } : { kind: 'retry', previous: retryFrom },
      },
    };
  });
}

/** Handles one `release.start` job (see the top of this file). */
export async function handleStartJob(ctx: WorkerContext, job: QueueJob<StartJobData>): Promise<void> {
  const orderId = job.data.workOrderId;
  const order = await getWorkOrder(ctx.db, orderId);
  if (order === undefined) return skip(ctx, job, 'not-found', `no work order ${orderId}`);
  if (order.state === 'running') {
    await resumeOrder(ctx, orderId);
    return;
  }
  if (order.state !== 'approved' && order.state !== 'scheduled') return skip(ctx, job, 'not-startable', `the order is ${order.state}`);
  if (order.startJobId !== job.id) return skip(ctx, job, 'superseded', 'a newer start job replaced this one');
  if (ctx.active.has(orderId)) return skip(ctx, job, 'in-progress', 'this worker runs the order already');
  ctx.active.add(orderId);
  try {
    const system: Actor = { kind: 'system', component: ctx.workerId };
    const prepared = await prepareRun(ctx, order);
    if (!prepared.ok && prepared.reason === 'config-changed') return await needApprovalAgain(ctx, job, prepared, system);
    if (!prepared.ok) return await failToStart(ctx, job, prepared.message, system);
    if (prepared.run.version.digest !== job.data.digest) return skip(ctx, job, 'stale-digest', 'the plan changed after this job was queued');
    if (job.data.freezeOverride === undefined) {
      const freeze = environmentFreeze(prepared.run.environment, ctx.now());
      if (!freeze.ok) return await failToStart(ctx, job, freeze.message, system);
      if (freeze.state.frozen) return await deferPastFreeze(ctx, job, freeze.state.window, freeze.state.until, system);
    }
    const begun = await begin(ctx, job, prepared.run, system);
    for (const event of begun.events) ctx.emit(event);
    if (begun.kind === 'run') await executeRelease(ctx, prepared.run, begun.run, job.signal);
  } finally {
    ctx.active.delete(orderId);
  }
}
