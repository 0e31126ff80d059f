/** `/preflight`: runs the current plan's pre-flight again, e.g. after fixing a host it failed on. */
import type { Command } from '../../types.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { requestPreflight } from '../preflight-store.ts';
import { lockWorkOrder } from '../order-store.ts';
import { currentPlanVersion } from '../plan-store.ts';
import { OPEN_FOR_PLANS } from '../store-plan-version.ts';
import { authorizeCommand, requirePlan, wrongState, type CommandCall } from './command-input.ts';

type Preflight = Extract<Command, { name: 'preflight' }>;

const HINT = 'pre-flight checks the hosts before a release; a running release checks them itself';

/** Queues the next attempt of the current plan version's pre-flight (developers and approvers). */
export async function preflightCommand(call: CommandCall<Preflight>): Promise<CommandResult> {
  const authorized = await authorizeCommand(call);
  if (!authorized.ok) return authorized.result;
  const planned = requirePlan('preflight', authorized.value);
  if (!planned.ok) return planned.result;
  const { order } = authorized.value;
  if (!OPEN_FOR_PLANS.has(order.state)) return wrongState('preflight', order, HINT);
  const actor = call.input.actor.replace(/^@/, '');
  return call.deps.db.transaction(async (tx): Promise<CommandResult> => {
    const locked = await lockWorkOrder(tx, order.id);
    if (locked === undefined) return refused('preflight', 'not-found', `no work order ${String(order.id)}`);
    if (!OPEN_FOR_PLANS.has(locked.state)) return wrongState('preflight', locked, HINT);
    const version = await currentPlanVersion(tx, order.id);
    if (version === undefined)
      return refused('preflight', 'no-plan', `work order #${String(order.number)} has no plan yet`);
    const attempt = await requestPreflight(tx, call.deps.queue, {
      workOrderId: order.id,
      digest: version.digest,
      requestedBy: actor,
    });
    return {
      ok: true,
      command: 'preflight',
      outcome: 'preflight-queued',
      message: `Pre-flight of plan v${String(version.seq)} queued (run ${String(attempt)}); its result comes as the check run yardmaster / preflight.`,
      moved: [],
    };
  });
}
