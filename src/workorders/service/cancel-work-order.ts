/** The issue or pull request was closed: an order that has not started is cancelled. */
import type { Actor, WorkOrderState } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { lockWorkOrder } from './order-store.ts';
import { withdrawStartJob } from './start-jobs.ts';
import type { Moved, OrderRef, Refusal, ServiceDeps } from './types.ts';

const NOT_STARTED: ReadonlySet<WorkOrderState> = new Set(['requested', 'planned', 'approved', 'scheduled']);

export type CancelResult =
  | { ok: true; moved: Moved; cancelledJob: boolean; message: string }
  | Refusal<'not-found' | 'wrong-state'>;

/**
 * Cancels an order that has not started (its queued start job too, in the same transaction). Closing the issue while
 * a release runs or after it changes nothing (`wrong-state`): the release's outcome stands.
 */
export async function cancelWorkOrder(
  deps: ServiceDeps,
  input: { order: OrderRef; actor: Actor; reason: string },
): Promise<CancelResult> {
  return deps.db.transaction(async (tx): Promise<CancelResult> => {
    const order = await lockWorkOrder(tx, input.order.id);
    if (order === undefined) return { ok: false, reason: 'not-found', message: `no work order ${input.order.id}` };
    if (!NOT_STARTED.has(order.state)) {
      return {
        ok: false,
        reason: 'wrong-state',
        message: `work order #${order.number} is ${order.state}; closing it changes nothing`,
      };
    }
    const cancelledJob = await withdrawStartJob(tx, deps.queue, order);
    const moved = await applyCheckedTransition(tx, order, 'cancelled', {
      cause: 'cancelled',
      actor: input.actor,
      reason: input.reason,
    });
    return { ok: true, moved: moved.moved, cancelledJob, message: `Work order #${order.number} cancelled.` };
  });
}
