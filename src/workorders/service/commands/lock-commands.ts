/** `/lock <reason>` and `/unlock`: hold the order's environment by hand (no release starts there meanwhile). */
import { appendAudit } from '../../../db/index.ts';
import type { Command } from '../../types.ts';
import { AUDIT_ACTIONS } from '../audit-actions.ts';
import { clearManualLock, setManualLock } from '../environment-lock.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { authorizeCommand, requirePlan, type CommandCall } from './command-input.ts';

type Lock = Extract<Command, { name: 'lock' }>;
type Unlock = Extract<Command, { name: 'unlock' }>;

/** Sets the manual lock of the environment of the order's plan; a release already running there finishes. */
export async function lockCommand(call: CommandCall<Lock>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const planned = requirePlan('lock', authorized.value);
  if (!planned.ok) return planned.result;
  const { order } = authorized.value;
  const key = { repoFullName: order.repoFullName, app: planned.target.app, environment: planned.target.environment };
  const actor = call.input.actor.replace(/^@/, '');
  const { reason } = call.input.command;
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const locked = await setManualLock(tx, key, actor, reason);
    if (!locked.ok) {
      const why = locked.manualReason === null ? '' : `: ${locked.manualReason}`;
      return refused(
        'lock',
        'already-locked',
        `${key.app}/${key.environment} is locked already by @${locked.lockedBy}${why}`,
      );
    }
    await appendAudit(tx, { actor, action: AUDIT_ACTIONS.lockManual, workOrderId: order.id, reason, data: { ...key } });
    return {
      ok: true,
      command: 'lock',
      outcome: 'locked',
      message: `${key.app}/${key.environment} locked: ${reason}. Nothing starts there until /unlock.`,
      moved: [],
    };
  });
}

/** Lifts the manual lock of the order's environment; orders waiting for it start at their next attempt. */
export async function unlockCommand(call: CommandCall<Unlock>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const planned = requirePlan('unlock', authorized.value);
  if (!planned.ok) return planned.result;
  const { order } = authorized.value;
  const key = { repoFullName: order.repoFullName, app: planned.target.app, environment: planned.target.environment };
  const actor = call.input.actor.replace(/^@/, '');
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const cleared = await clearManualLock(tx, key);
    if (!cleared.ok) return refused('unlock', 'not-locked', `${key.app}/${key.environment} is not locked by hand`);
    await appendAudit(tx, {
      actor,
      action: AUDIT_ACTIONS.unlockManual,
      workOrderId: order.id,
      reason: `lifted the lock of @${cleared.lockedBy}`,
      data: { ...key, lockedBy: cleared.lockedBy, manualReason: cleared.manualReason },
    });
    return {
      ok: true,
      command: 'unlock',
      outcome: 'unlocked',
      message: `${key.app}/${key.environment} unlocked.`,
      moved: [],
    };
  });
}
