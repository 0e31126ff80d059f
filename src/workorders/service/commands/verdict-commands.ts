/** `/approve [comment]` and `/reject <reason>`: verdicts recorded like reviews and Slack clicks. */
import type { Command } from '../../types.ts';
import { applyCheckedTransition } from '../apply-transition.ts';
import { userActor } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { lockWorkOrder } from '../order-store.ts';
import { currentPlan } from '../plan-store.ts';
import { recordVerdict, type VerdictResult } from '../record-verdict.ts';
import { authorizeCommand, wrongState, type CommandCall } from './command-input.ts';

type Approve = Extract<Command, { name: 'approve' }>;
type Reject = Extract<Command, { name: 'reject' }>;

function fromVerdict(name: 'approve' | 'reject', result: VerdictResult): CommandResult {
  if (!result.ok) return refused(name, result.reason, result.message);
  if (result.duplicate) return { ok: true, command: name, outcome: 'duplicate', message: result.message, moved: [] };
  const rejected = result.moved.some((move) => move.to === 'rejected');
  return {
    ok: true,
    command: name,
    outcome: rejected ? 'rejected' : 'approval-recorded',
    message: result.message,
    moved: result.moved,
    ...(result.jobId === null ? {} : { jobId: result.jobId }),
  };
}

async function digestSeen(call: CommandCall): Promise<string | undefined> {
  if (call.input.digestSeen !== undefined) return call.input.digestSeen;
  return (await currentPlan(call.deps.db, call.input.order.id))?.row.digest;
}

/** `/approve`: an approval of the plan that is current when the comment is handled (unless the adapter knows better). */
export async function approveCommand(call: CommandCall<Approve>): Promise<CommandResult> {
  const digest = await digestSeen(call);
  const result = await recordVerdict(
    call.deps,
    {
      order: call.input.order,
      actor: call.input.actor,
      source: call.input.source,
      sourceRef: call.input.sourceRef,
      verdict: 'approved',
      digestSeen: digest ?? '',
      ...(call.input.command.comment === undefined ? {} : { reason: call.input.command.comment }),
    },
    call.context,
  );
  return fromVerdict('approve', result);
}

/** `/reject <reason>`: an approver's rejection; before any plan exists it rejects the request itself. */
export async function rejectCommand(call: CommandCall<Reject>): Promise<CommandResult> {
  const { reason } = call.input.command;
  const digest = await digestSeen(call);
  if (digest !== undefined) {
    const result = await recordVerdict(
      call.deps,
      { order: call.input.order, actor: call.input.actor, source: call.input.source, sourceRef: call.input.sourceRef, verdict: 'rejected', digestSeen: digest, reason },
      call.context,
    );
    return fromVerdict('reject', result);
  }
  // No plan yet: nothing to bind a verdict to, so the rejection is a transition only (still audited).
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  return call.deps.db.transaction(async (tx) => {
    const order = await lockWorkOrder(tx, call.input.order.id);
    if (order === undefined) return refused('reject', 'not-found', `no work order ${call.input.order.id}`);
    if (order.state !== 'requested') return wrongState('reject', order, 'post /reject again on its plan');
    const moved = await applyCheckedTransition(tx, order, 'rejected', { cause: 'rejected', actor: userActor(call.input.actor), reason });
    return { ok: true, command: 'reject', outcome: 'rejected', message: `Rejected: ${reason}.`, moved: [moved.moved] };
  });
}
