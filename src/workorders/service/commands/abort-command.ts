/** `/abort [reason]`: stop an order before it starts, or ask the worker running it to stop and roll back. */
import type { Command } from '../../types.ts';
import { pendingAbortRequest, requestAbort } from '../abort-requests.ts';
import { applyCheckedTransition } from '../apply-transition.ts';
import { userActor } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { lockWorkOrder } from '../order-store.ts';
import { withdrawStartJob } from '../start-jobs.ts';
import { auditStandIn, authorizeCommand, wrongState, type CommandCall } from './command-input.ts';

type Abort = Extract<Command, { name: 'abort' }>;

/**
 * Approved or scheduled: the order is aborted and its start job cancelled, in one transaction. Running: an abort
 * request is recorded; the worker sees it at its next heartbeat, interrupts the release and rolls back every host it
 * switched, then moves the order to `aborted` itself.
 */
export async function abortCommand(call: CommandCall<Abort>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const actor = call.input.actor.replace(/^@/, '');
  const { reason } = call.input.command;
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const order = await lockWorkOrder(tx, call.input.order.id);
    if (order === undefined) return refused('abort', 'not-found', `no work order ${call.input.order.id}`);
    if (order.state === 'approved' || order.state === 'scheduled') {
      await withdrawStartJob(tx, call.deps.queue, order);
      const aborted = await applyCheckedTransition(tx, order, 'aborted', {
        cause: 'aborted',
        actor: userActor(actor),
        reason: reason ?? 'aborted before the start',
      });
      const standIn = await auditStandIn(tx, call, authorized.value);
      return {
        ok: true,
        command: 'abort',
        outcome: 'aborted',
        message: `Aborted before it started${reason === undefined ? '' : `: ${reason}`}.${standIn}`,
        moved: [aborted.moved],
      };
    }
    if (order.state === 'running') {
      const pending = await pendingAbortRequest(tx, order.id);
      if (pending !== undefined)
        return refused(
          'abort',
          'abort-already-requested',
          `@${pending.actor} already asked to abort; the release is stopping`,
        );
      await requestAbort(tx, order.id, actor, reason);
      const standIn = await auditStandIn(tx, call, authorized.value);
      return {
        ok: true,
        command: 'abort',
        outcome: 'abort-requested',
        message: `Abort requested: the release stops and rolls back the hosts it switched.${standIn}`,
        moved: [],
      };
    }
    return wrongState('abort', order, 'only an approved, scheduled or running work order can be aborted');
  });
}
