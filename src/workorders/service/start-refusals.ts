/**
 * The ways a `release.start` job ends without running: the order fails to start, needs approval again over a changed
 * config, or waits past a freeze window. Each is one transaction; each returns what to report.
 */
import type { Actor } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import type { LifecycleEvent } from './lifecycle-events.ts';
import { removeLockWaiter } from './lock-waiters.ts';
import { lockWorkOrder } from './order-store.ts';
import type { PrepareRefusal } from './prepare-run.ts';
import type { ReleaseDeps } from './release-deps.ts';
import type { ReleaseJob, StartJobData } from './release-jobs.ts';
import { queueStartJob } from './start-jobs.ts';
import { restatePlanForConfig } from './submit-plan.ts';
import type { WorkOrder } from './types.ts';

type StartJob = ReleaseJob<StartJobData>;

/** Whether `job` is still the one that starts `order` (it may have moved on, or have a newer job). */
export function startsWith(order: WorkOrder | undefined, job: StartJob): order is WorkOrder {
  return (
    order !== undefined && (order.state === 'approved' || order.state === 'scheduled') && order.startJobId === job.id
  );
}

/** The order could not start (plan, config, secrets): it fails with the reason; `/retry-failed` can try again. */
export async function failToStart(
  deps: ReleaseDeps,
  job: StartJob,
  message: string,
  system: Actor,
): Promise<LifecycleEvent[]> {
  const moved = await deps.db.transaction(async (tx) => {
    const order = await lockWorkOrder(tx, job.data.workOrderId);
    if (!startsWith(order, job)) return [];
    const started = { cause: 'started', actor: system, reason: 'picked up by a worker' } as const;
    const running = await applyCheckedTransition(tx, order, 'running', started);
    const reason = `the release could not start: ${message}`;
    const failed = await applyCheckedTransition(tx, running.order, 'failed', {
      cause: 'release-failed',
      actor: system,
      reason,
    });
    await removeLockWaiter(tx, order.id);
    return [running.moved, failed.moved];
  });
  return moved.map((move) => ({ type: 'transition', workOrderId: job.data.workOrderId, ...move, reason: message }));
}

type ConfigChanged = Extract<PrepareRefusal, { reason: 'config-changed' }>;

/**
 * The repo config no longer resolves to the release settings that were approved: the release does not start, and
 * the plan is stored again over the config as it is now (a new digest), which sends the order back to `planned`
 * (cause plan-replaced) so that the approvers see the change and approve again. Not `failed`: nothing ran, and a
 * `/retry-failed` would meet the same change. When the new config refuses the plan outright (policy, secrets,
 * hosts), the start fails with the reason instead.
 */
export async function needApprovalAgain(
  deps: ReleaseDeps,
  job: StartJob,
  refusal: ConfigChanged,
  system: Actor,
): Promise<LifecycleEvent[]> {
  const orderId = job.data.workOrderId;
  const restated = await restatePlanForConfig(deps, {
    order: { id: orderId },
    digest: refusal.digest,
    config: refusal.config,
    actor: system,
  });
  if (!restated.ok && (restated.reason === 'wrong-state' || restated.reason === 'not-found')) {
    const message = `${refusal.message}; the order changed meanwhile: ${restated.message}`;
    return [{ type: 'skipped', workOrderId: orderId, jobId: job.id, reason: 'superseded', message }];
  }
  if (!restated.ok) {
    // The config as it is now does not take the plan at all (the policy, the secret store or its hosts refuse it):
    // there is nothing to approve again, so the start fails with both reasons.
    const why =
      'issues' in restated
        ? `${restated.message}: ${restated.issues.map((issue) => issue.message).join('; ')}`
        : restated.message;
    return failToStart(
      deps,
      job,
      `${refusal.message}; the plan over the config as it is now is refused: ${why}`,
      system,
    );
  }
  const { seq, digest } = restated.summary;
  const now = `plan v${seq} (digest ${digest.slice(0, 12)}) is the plan over the config as it is now`;
  const reason = `the release did not start: ${refusal.message}; ${now}`;
  return restated.moved.map((move) => ({ type: 'transition', workOrderId: orderId, ...move, reason }));
}

/** The freeze window holds the start back: the order is (or stays) scheduled, its job moved to the freeze's end. */
export async function deferPastFreeze(
  deps: ReleaseDeps,
  job: StartJob,
  window: string,
  until: Date,
  system: Actor,
): Promise<LifecycleEvent[]> {
  const reason = `frozen (${window}) until ${until.toISOString()}`;
  return deps.db.transaction(async (tx): Promise<LifecycleEvent[]> => {
    const order = await lockWorkOrder(tx, job.data.workOrderId);
    if (!startsWith(order, job)) return [];
    let current = order;
    const events: LifecycleEvent[] = [];
    if (order.state === 'approved') {
      const data = { window, startAfter: until.toISOString() };
      const deferred = await applyCheckedTransition(tx, order, 'scheduled', {
        cause: 'start-deferred',
        actor: system,
        reason,
        data,
      });
      current = deferred.order;
      events.push({ type: 'transition', workOrderId: order.id, ...deferred.moved, reason });
    }
    // A frozen order holds nobody's place in the environment's line (an override may start meanwhile).
    await removeLockWaiter(tx, order.id);
    await queueStartJob(tx, deps.queue, current, job.data, until);
    events.push({ type: 'deferred', workOrderId: order.id, window, until });
    return events;
  });
}
