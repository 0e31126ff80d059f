/** What happens when an order's plan reaches its quorum: approved, maybe scheduled, and its start job queued. */
import { and, eq, inArray, min, sql } from 'drizzle-orm';
import { planVersions } from '../../db/index.ts';
import type { Tx } from '../../db/types.ts';
import type { QuorumResult } from '../quorum.ts';
import { startAfterFor } from '../start-time.ts';
import type { Actor } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { describeQuorum } from './order-quorum.ts';
import type { StoredPlan } from './plan-store.ts';
import { queueStartJob } from './start-jobs.ts';
import type { Moved, ServiceDeps, WorkOrder } from './types.ts';

export interface StartedApproval {
  order: WorkOrder;
  moved: Moved[];
  jobId: string;
  /** When the job may start; null = now. */
  startAfter: Date | null;
}

/**
 * Moves a `planned` order (row-locked in `tx`) to `approved`, on to `scheduled` when its plan's schedule (or the
 * requested time) lies ahead, and queues `release.start` in the same transaction: the approval and the enqueue
 * commit together or not at all.
 */
export async function startApprovedOrder(
  tx: Tx,
  deps: ServiceDeps,
  order: WorkOrder,
  stored: StoredPlan,
  quorum: QuorumResult,
  actor: Actor,
): Promise<StartedApproval> {
  const digest = stored.row.digest;
  const approved = await applyCheckedTransition(tx, order, 'approved', {
    cause: 'quorum-reached',
    actor,
    reason: describeQuorum(quorum),
    data: { digest, counted: quorum.counted },
  });
  // On the plan's first version with this digest (when the wait began); a quorum lost and reached again keeps the
  // first time.
  const firstVersion = tx
    .select({ id: min(planVersions.id) })
    .from(planVersions)
    .where(and(eq(planVersions.workOrderId, order.id), eq(planVersions.digest, digest)));
  await tx
    .update(planVersions)
    .set({ quorumReachedAt: sql`coalesce(${planVersions.quorumReachedAt}, now())` })
    .where(inArray(planVersions.id, firstVersion));
  const moved = [approved.moved];
  let current = approved.order;
  const startAfter = startAfterFor(stored.plan.schedule, order.scheduledAt, (deps.now ?? (() => new Date()))());
  if (startAfter !== undefined) {
    const deferred = await applyCheckedTransition(tx, current, 'scheduled', {
      cause: 'start-deferred',
      actor,
      reason: `scheduled for ${startAfter.toISOString()}`,
      data: { startAfter: startAfter.toISOString() },
    });
    moved.push(deferred.moved);
    current = deferred.order;
  }
  const jobId = await queueStartJob(tx, deps.queue, current, { workOrderId: order.id, digest }, startAfter);
  return { order: { ...current, startJobId: jobId }, moved, jobId, startAfter: startAfter ?? null };
}
