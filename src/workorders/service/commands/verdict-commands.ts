/** `/approve [comment]` and `/reject <reason>`: verdicts recorded like reviews and Slack clicks. */
import type { Command } from '../../types.ts';
import { applyCheckedTransition } from '../apply-transition.ts';
import { userActor } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { lockWorkOrder } from '../order-store.ts';
import { currentPlan, planVersionAt, planVersionSeqWithDigestPrefix } from '../plan-store.ts';
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

type Binding = { ok: true; digest: string } | { ok: false; result: CommandResult };

/**
 * The digest an `/approve` counts for: the one it names (`/approve <digest-prefix>`, only if it is the current
 * plan's), else the one the adapter knows the approver saw, else the plan version that was current when the comment
 * was written (GitHub's created_at against the versions' GitHub times), else the current one.
 */
async function approvedDigest(call: CommandCall<Approve>): Promise<Binding> {
  const { deps, input } = call;
  const prefix = input.command.digestPrefix;
  if (prefix !== undefined) {
    const current = await currentPlan(deps.db, input.order.id);
    if (current === undefined)
      return { ok: false, result: refused('approve', 'no-plan', 'there is no plan to approve yet') };
    if (current.row.digest.startsWith(prefix)) return { ok: true, digest: current.row.digest };
    const named = await planVersionSeqWithDigestPrefix(deps.db, input.order.id, prefix);
    return {
      ok: false,
      result: refused(
        'approve',
        'stale-digest',
        `you approved digest ${prefix}${named === undefined ? '' : ` (plan v${named})`}, but the plan is now v${current.row.seq} ` +
          `(digest ${current.row.digest.slice(0, 12)}): review it and approve again`,
      ),
    };
  }
  if (input.digestSeen !== undefined) return { ok: true, digest: input.digestSeen };
  if (input.givenAt !== undefined)
    return { ok: true, digest: (await planVersionAt(deps.db, input.order.id, input.givenAt))?.digest ?? '' };
  return { ok: true, digest: (await currentPlan(deps.db, input.order.id))?.row.digest ?? '' };
}

/** `/approve [digest-prefix] [comment]`: an approval of the plan the approver saw (see approvedDigest). */
export async function approveCommand(call: CommandCall<Approve>): Promise<CommandResult> {
  const bound = await approvedDigest(call);
  if (!bound.ok) return bound.result;
  const result = await recordVerdict(
    call.deps,
    {
      order: call.input.order,
      actor: call.input.actor,
      source: call.input.source,
      sourceRef: call.input.sourceRef,
      verdict: 'approved',
      digestSeen: bound.digest,
      ...(call.input.givenAt === undefined || call.input.command.digestPrefix !== undefined
        ? {}
        : { givenAt: call.input.givenAt }),
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
      {
        order: call.input.order,
        actor: call.input.actor,
        source: call.input.source,
        sourceRef: call.input.sourceRef,
        verdict: 'rejected',
        digestSeen: digest,
        reason,
      },
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
    const moved = await applyCheckedTransition(tx, order, 'rejected', {
      cause: 'rejected',
      actor: userActor(call.input.actor),
      reason,
    });
    return { ok: true, command: 'reject', outcome: 'rejected', message: `Rejected: ${reason}.`, moved: [moved.moved] };
  });
}
