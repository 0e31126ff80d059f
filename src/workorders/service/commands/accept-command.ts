/** `/accept [comment]`: the acceptor confirms the released result. */
import type { Command } from '../../types.ts';
import { applyCheckedTransition } from '../apply-transition.ts';
import { userActor } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { lockWorkOrder } from '../order-store.ts';
import { auditStandIn, authorizeCommand, wrongState, type CommandCall } from './command-input.ts';

type Accept = Extract<Command, { name: 'accept' }>;

/** `succeeded` → `accepted`. The order stays open to `/rollback`; closing the issue is the adapter's to do. */
export async function acceptCommand(call: CommandCall<Accept>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const { comment } = call.input.command;
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const order = await lockWorkOrder(tx, call.input.order.id);
    if (order === undefined) return refused('accept', 'not-found', `no work order ${call.input.order.id}`);
    if (order.state !== 'succeeded') return wrongState('accept', order, 'only a succeeded release can be accepted');
    const moved = await applyCheckedTransition(tx, order, 'accepted', {
      cause: 'accepted',
      actor: userActor(call.input.actor),
      reason: comment ?? 'accepted',
    });
    const standIn = await auditStandIn(tx, call, authorized.value);
    return {
      ok: true,
      command: 'accept',
      outcome: 'accepted',
      message: `Accepted by @${call.input.actor.replace(/^@/, '')}.${standIn}`,
      moved: [moved.moved],
    };
  });
}
