/** What every command handler gets, and the checks most of them start with. */
import { appendAudit } from '../../../db/index.ts';
import type { Tx } from '../../../db/types.ts';
import { authorize } from '../../authorize.ts';
import { checkNamedPerson, namedPeopleOf, type StandIn } from '../../named-people.ts';
import type { ApprovalSource, Command } from '../../types.ts';
import { AUDIT_ACTIONS } from '../audit-actions.ts';
import { refused, type CommandResult } from '../command-result.ts';
import { authorizationContextFor, planTarget, type PlanTarget } from '../order-policy.ts';
import { getWorkOrder } from '../order-store.ts';
import { currentPlan, type StoredPlan } from '../plan-store.ts';
import type { OrderRef, RepoContext, ServiceDeps, WorkOrder } from '../types.ts';

export interface CommandInput<C extends Command = Command> {
  order: OrderRef;
  /** A GitHub login. */
  actor: string;
  command: C;
  /** Where the command came from; approvals are recorded with it. */
  source: ApprovalSource;
  /** The outside event (`comment:<id>`, a Slack action id, …): a replayed `/approve` counts once. */
  sourceRef: string;
  /** The plan digest the actor saw (a Slack button names it); default: see `givenAt`. */
  digestSeen?: string;
  /**
   * GitHub's time of the command (the comment's created_at): an approval is for the plan version current then. Absent
   * (the CLI, tests), the plan current when the command is handled.
   */
  givenAt?: Date;
}

export interface CommandCall<C extends Command = Command> {
  deps: ServiceDeps;
  input: CommandInput<C>;
  context: RepoContext;
}

/** The order, its current plan and its target, after the actor was found to hold the command's role. */
export interface AuthorizedCommand {
  order: WorkOrder;
  stored: StoredPlan | undefined;
  target: PlanTarget | undefined;
  /** Why the plan's app or environment is not in the repo config (any more), when it is not. */
  targetProblem: string | undefined;
  /** The actor acts instead of the person the order names for this step (`--override-named`): to be audited. */
  standIn: StandIn | undefined;
}

/** Loads the order and its plan and authorizes the command; a refusal is a ready result. */
export async function authorizeCommand(
  call: CommandCall,
): Promise<{ ok: true; value: AuthorizedCommand } | { ok: false; result: CommandResult }> {
  const { deps, input, context } = call;
  const name = input.command.name;
  const order = await getWorkOrder(deps.db, input.order.id);
  if (order === undefined) return { ok: false, result: refused(name, 'not-found', `no work order ${input.order.id}`) };
  const stored = await currentPlan(deps.db, order.id);
  const allowed = await authorize(input.command, input.actor, authorizationContextFor(context, stored));
  if (!allowed.ok) return { ok: false, result: refused(name, allowed.reason, allowed.message) };
  const override = 'overrideNamed' in input.command ? input.command.overrideNamed : undefined;
  const named = checkNamedPerson(input.command, input.actor, namedPeopleOf(order), override);
  if (!named.ok) return { ok: false, result: refused(name, 'not-named', named.message) };
  const { standIn } = named;
  const found = stored === undefined ? undefined : planTarget(context.config, stored.plan);
  if (found === undefined) {
    return { ok: true, value: { order, stored, target: undefined, targetProblem: undefined, standIn } };
  }
  return found.ok
    ? { ok: true, value: { order, stored, target: found.target, targetProblem: undefined, standIn } }
    : { ok: true, value: { order, stored, target: undefined, targetProblem: found.message, standIn } };
}

/**
 * Records, in the transaction of the command it allowed, that the actor acted instead of the person the order names
 * (`--override-named`), with their reason. Nothing when the actor is the named person or nobody is named.
 *
 * @returns the sentence the reply ends with (empty without a stand-in), so everyone reading it sees the override.
 */
export async function auditStandIn(tx: Tx, call: CommandCall, value: AuthorizedCommand): Promise<string> {
  const { standIn } = value;
  if (standIn === undefined) return '';
  const noun = standIn.role === 'plan_author' ? 'plan author' : standIn.role;
  await appendAudit(tx, {
    actor: call.input.actor.replace(/^@/, ''),
    action: AUDIT_ACTIONS.namedOverride,
    workOrderId: value.order.id,
    reason: standIn.reason,
    data: { command: call.input.command.name, role: standIn.role, named: standIn.named },
  });
  return ` Done instead of @${standIn.named}, the ${noun} this work order names: ${standIn.reason} (recorded).`;
}

/** The plan and target a command needs, or the refusal saying there is none. */
export function requirePlan(
  name: Command['name'],
  value: AuthorizedCommand,
): { ok: true; stored: StoredPlan; target: PlanTarget } | { ok: false; result: CommandResult } {
  if (value.stored === undefined)
    return { ok: false, result: refused(name, 'no-plan', `work order #${value.order.number} has no plan yet`) };
  if (value.target === undefined) {
    return {
      ok: false,
      result: refused(name, 'unknown-environment', value.targetProblem ?? 'the plan names no configured environment'),
    };
  }
  return { ok: true, stored: value.stored, target: value.target };
}

/** The common refusal for a command given in a state that does not take it. */
export function wrongState(name: Command['name'], order: WorkOrder, hint: string): CommandResult {
  return refused(name, 'wrong-state', `work order #${order.number} is ${order.state}: ${hint}`);
}
