/** `/retry-failed`: run a failed release again on the hosts that did not end on it. */
import type { Command } from '../../types.ts';
import { applyCheckedTransition } from '../apply-transition.ts';
import { lastTransitionInto } from '../audit-queries.ts';
import { userActor } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { approvalRecords } from '../approvals-store.ts';
import { describeQuorum, evaluateOrderQuorum, lookupApprovers } from '../order-quorum.ts';
import { lockWorkOrder } from '../order-store.ts';
import { queueStartJob } from '../start-jobs.ts';
import { auditStandIn, authorizeCommand, requirePlan, wrongState, type CommandCall } from './command-input.ts';

type Retry = Extract<Command, { name: 'retry-failed' }>;

/**
 * `failed` → `approved` (retry-requested) and a start job marked as a retry, in one transaction; the retry then waits
 * for the lock like any start. Refused after a `/rollback` (nothing failed that could be retried) and when the
 * approvals no longer make the quorum (one was withdrawn since).
 */
export async function retryCommand(call: CommandCall<Retry>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const { order } = authorized.value;
  if (order.state !== 'failed') return wrongState('retry-failed', order, 'only a failed release can be retried');
  const planned = requirePlan('retry-failed', authorized.value);
  if (!planned.ok) return planned.result;
  const failedBy = await lastTransitionInto(call.deps.db, order.id, 'failed');
  if (failedBy !== undefined && (failedBy.cause === 'rollback-finished' || failedBy.cause === 'rollback-failed')) {
    return refused(
      'retry-failed',
      'nothing-to-retry',
      'the hosts were rolled back on purpose; nothing failed that could be retried',
    );
  }
  const lookup = await lookupApprovers(call.deps.db, call.context, planned.target, order.id);
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const locked = await lockWorkOrder(tx, order.id);
    if (locked === undefined) return refused('retry-failed', 'not-found', `no work order ${order.id}`);
    if (locked.state !== 'failed') return wrongState('retry-failed', locked, 'only a failed release can be retried');
    const evaluated = evaluateOrderQuorum(
      await approvalRecords(tx, order.id),
      planned.stored,
      planned.target.config,
      lookup,
    );
    if (!evaluated.ok || !evaluated.quorum.met) {
      const why = evaluated.ok ? describeQuorum(evaluated.quorum) : 'approvals changed meanwhile; try again';
      return refused('retry-failed', 'quorum-not-met', `the plan is no longer approved (${why})`);
    }
    const moved = await applyCheckedTransition(tx, locked, 'approved', {
      cause: 'retry-requested',
      actor: userActor(call.input.actor),
      reason: `retry of the failed hosts (${describeQuorum(evaluated.quorum)})`,
    });
    const jobId = await queueStartJob(tx, call.deps.queue, moved.order, {
      workOrderId: order.id,
      digest: planned.stored.row.digest,
      retry: true,
    });
    const standIn = await auditStandIn(tx, call, authorized.value);
    return {
      ok: true,
      command: 'retry-failed',
      outcome: 'retry-queued',
      message: `Retrying the hosts that failed.${standIn}`,
      moved: [moved.moved],
      jobId,
    };
  });
}
