/** `/rollback [version]`: switch the order's hosts back, run by a worker holding the environment lock. */
import type { Command } from '../../types.ts';
import { pendingAbortRequest, requestAbort } from '../abort-requests.ts';
import { applyCheckedTransition } from '../apply-transition.ts';
import { lastTransitionInto } from '../audit-queries.ts';
import { userActor } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { lockWorkOrder } from '../order-store.ts';
import { ROLLBACK_QUEUE } from '../release-jobs.ts';
import { auditStandIn, authorizeCommand, requirePlan, wrongState, type CommandCall } from './command-input.ts';

type Rollback = Extract<Command, { name: 'rollback' }>;

/**
 * From `succeeded`, `accepted`, `aborted` or a `failed` release (not a failed rollback): the order goes back to `running` (cause rollback-started) and a
 * `release.rollback` job is queued in the same transaction. Without a version each host returns to what it ran
 * before the order's release; the worker ends the order `failed` (rollback-finished or rollback-failed).
 * While the release runs (the Rollback button of the running stage's check run): the release is stopped and every
 * host it switched goes back to the release before, as with `/abort`; a version cannot be named then.
 */
export async function rollbackCommand(call: CommandCall<Rollback>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const { order } = authorized.value;
  const planned = requirePlan('rollback', authorized.value);
  if (!planned.ok) return planned.result;
  const { version } = call.input.command;
  const released = await lastTransitionInto(call.deps.db, order.id, 'running');
  if (version === undefined && released === undefined) {
    return refused(
      'rollback',
      'nothing-to-roll-back',
      `work order #${order.number} never ran; name a version: /rollback <version>`,
    );
  }
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const locked = await lockWorkOrder(tx, order.id);
    if (locked === undefined) return refused('rollback', 'not-found', `no work order ${order.id}`);
    if (locked.state === 'running') {
      if (released?.cause === 'rollback-started')
        return wrongState('rollback', locked, 'it is being rolled back already');
      if (version !== undefined)
        return wrongState(
          'rollback',
          locked,
          'a release is running; /rollback without a version stops it and rolls back what it switched',
        );
      const pending = await pendingAbortRequest(tx, locked.id);
      if (pending !== undefined)
        return refused(
          'rollback',
          'abort-already-requested',
          `@${pending.actor} already asked to stop; the release is rolling back`,
        );
      await requestAbort(tx, locked.id, call.input.actor.replace(/^@/, ''), 'rollback requested while the release ran');
      const standIn = await auditStandIn(tx, call, authorized.value);
      return {
        ok: true,
        command: 'rollback',
        outcome: 'abort-requested',
        message: `Rolling back: the release stops and every host it switched returns to the release before.${standIn}`,
        moved: [],
      };
    }
    if (locked.state === 'failed') {
      const failedBy = await lastTransitionInto(tx, locked.id, 'failed');
      if (failedBy === undefined || failedBy.cause === 'rollback-finished' || failedBy.cause === 'rollback-failed') {
        return wrongState('rollback', locked, 'its hosts were rolled back already');
      }
    } else if (locked.state !== 'succeeded' && locked.state !== 'accepted' && locked.state !== 'aborted') {
      return wrongState('rollback', locked, 'only a released work order can be rolled back');
    }
    const moved = await applyCheckedTransition(tx, locked, 'running', {
      cause: 'rollback-started',
      actor: userActor(call.input.actor),
      reason: version === undefined ? 'roll back to the release before this one' : `roll back to ${version}`,
      ...(version === undefined ? {} : { data: { version } }),
    });
    const jobId = await call.deps.queue.send(
      ROLLBACK_QUEUE,
      { workOrderId: order.id, ...(version === undefined ? {} : { version }) },
      { tx },
    );
    const where = `${planned.target.app}/${planned.target.environment}`;
    const standIn = await auditStandIn(tx, call, authorized.value);
    return {
      ok: true,
      command: 'rollback',
      outcome: 'rollback-queued',
      message: `Rolling ${where} back to ${version ?? 'the release before this one'}.${standIn}`,
      moved: [moved.moved],
      ...(jobId === null ? {} : { jobId }),
    };
  });
}
