/** `/deploy [--override-freeze "<reason>"]`: start an approved or scheduled order now. */
import { appendAudit } from '../../../db/index.ts';
import type { Command } from '../../types.ts';
import { AUDIT_ACTIONS } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { environmentFreeze } from '../order-policy.ts';
import { lockWorkOrder } from '../order-store.ts';
import { START_QUEUE } from '../release-jobs.ts';
import { queueStartJob } from '../start-jobs.ts';
import { auditStandIn, authorizeCommand, requirePlan, wrongState, type CommandCall } from './command-input.ts';

type Deploy = Extract<Command, { name: 'deploy' }>;

/**
 * Starts the order now instead of at its scheduled time: its queued start job is replaced by one due at once (the
 * order keeps its place in the environment's waiting line). During a freeze window only with an override reason,
 * which the audit log keeps and the worker honours.
 */
export async function deployCommand(call: CommandCall<Deploy>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const { order } = authorized.value;
  if (order.state !== 'approved' && order.state !== 'scheduled') {
    const hint = order.state === 'running' ? 'it is running already' : 'only an approved work order can start';
    return wrongState('deploy', order, hint);
  }
  const planned = requirePlan('deploy', authorized.value);
  if (!planned.ok) return planned.result;
  const { target, stored } = planned;
  const now = (call.deps.now ?? (() => new Date()))();
  const freeze = environmentFreeze(target.config, now);
  if (!freeze.ok) return refused('deploy', 'bad-freeze-config', freeze.message);
  const override = call.input.command.overrideFreeze;
  if (freeze.state.frozen && override === undefined) {
    return refused(
      'deploy',
      'frozen',
      `${target.app}/${target.environment} is frozen (${freeze.state.window}) until ${freeze.state.until.toISOString()}; ` +
        'a deployer can start it anyway with /deploy --override-freeze "<reason>"',
    );
  }
  const actor = call.input.actor.replace(/^@/, '');
  const overriding = freeze.state.frozen && override !== undefined ? { actor, reason: override.reason } : undefined;

  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const locked = await lockWorkOrder(tx, order.id);
    if (locked === undefined) return refused('deploy', 'not-found', `no work order ${order.id}`);
    if (locked.state !== 'approved' && locked.state !== 'scheduled')
      return wrongState('deploy', locked, 'only an approved work order can start');
    if (locked.startJobId !== null) await call.deps.queue.cancel(START_QUEUE, locked.startJobId, { tx });
    if (overriding !== undefined && freeze.state.frozen) {
      await appendAudit(tx, {
        actor,
        action: AUDIT_ACTIONS.freezeOverride,
        workOrderId: order.id,
        reason: overriding.reason,
        data: { window: freeze.state.window, until: freeze.state.until.toISOString() },
      });
    }
    const jobId = await queueStartJob(tx, call.deps.queue, locked, {
      workOrderId: order.id,
      digest: stored.row.digest,
      ...(overriding === undefined ? {} : { freezeOverride: overriding }),
    });
    await appendAudit(tx, {
      actor,
      action: AUDIT_ACTIONS.startRequested,
      workOrderId: order.id,
      reason: overriding === undefined ? 'start now' : `start now despite the freeze: ${overriding.reason}`,
      data: { jobId, digest: stored.row.digest },
    });
    const standIn = await auditStandIn(tx, call, authorized.value);
    const message =
      overriding === undefined
        ? `Starting ${target.app} ${stored.plan.version} on ${target.environment} now.`
        : `Starting ${target.app} ${stored.plan.version} on ${target.environment} now despite the freeze (${freeze.state.frozen ? freeze.state.window : ''}): ${overriding.reason}.`;
    return { ok: true, command: 'deploy', outcome: 'start-queued', message: `${message}${standIn}`, moved: [], jobId };
  });
}
