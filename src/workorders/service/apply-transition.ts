/** Storing one move of the state machine together with its audit row. */
import { and, eq, sql } from 'drizzle-orm';
import { appendAudit, workOrders } from '../../db/index.ts';
import type { Tx } from '../../db/types.ts';
import { transition } from '../transition.ts';
import type { Actor, TransitionCause, WorkOrderState } from '../types.ts';
import { AUDIT_ACTIONS, auditActor } from './audit-actions.ts';
import type { Moved, Refusal, WorkOrder } from './types.ts';

/** States an order never leaves: reaching one closes it (frees a pull request's deployment key). */
const FINAL_STATES: ReadonlySet<WorkOrderState> = new Set(['rejected', 'cancelled']);

/** Why a transition is asked for. */
export interface TransitionAsk {
  cause: TransitionCause;
  actor: Actor;
  /** For people reading the audit log, e.g. the rejection reason or "2 of 2 approvals". */
  reason: string;
  /** More facts for the audit row (plain JSON). */
  data?: Readonly<Record<string, unknown>>;
}

export type AppliedTransition =
  | { ok: true; order: WorkOrder; moved: Moved; auditId: number }
  | (Refusal<'illegal-transition'> & { from: WorkOrderState; to: WorkOrderState });

/**
 * Moves `order` (read with {@link lockWorkOrder} in this transaction) to `to` when the transition table allows it,
 * and appends the audit row (who, from, to, cause, why) in the same transaction.
 *
 * @throws Error when the row changed under the caller: the caller must hold the row lock.
 */
export async function applyTransition(
  tx: Tx,
  order: WorkOrder,
  to: WorkOrderState,
  ask: TransitionAsk,
): Promise<AppliedTransition> {
  const moved = transition(order, to, { cause: ask.cause, actor: ask.actor, reason: ask.reason, at: new Date() });
  if (!moved.ok)
    return { ok: false, reason: 'illegal-transition', from: moved.from, to: moved.to, message: moved.message };
  const [updated] = await tx
    .update(workOrders)
    .set({
      state: to,
      updatedAt: sql`now()`,
      ...(FINAL_STATES.has(to) ? { closedAt: sql`now()` } : {}),
      // A start job belongs to an order waiting to start; any other state has none queued (any left is cancelled
      // or consumed by the caller).
      ...(to === 'approved' || to === 'scheduled' ? {} : { startJobId: null }),
    })
    .where(and(eq(workOrders.id, order.id), eq(workOrders.state, order.state)))
    .returning();
  if (updated === undefined)
    throw new Error(`work order ${order.id} changed while moving it to ${to}: lock the row first`);
  const audit = await appendAudit(tx, {
    actor: auditActor(ask.actor),
    action: AUDIT_ACTIONS.transition,
    workOrderId: order.id,
    fromState: order.state,
    toState: to,
    reason: ask.reason,
    data: { cause: ask.cause, ...(ask.actor.kind === 'system' ? { component: ask.actor.component } : {}), ...ask.data },
  });
  return { ok: true, order: updated, moved: { from: order.state, to, cause: ask.cause }, auditId: audit.id };
}

/**
 * {@link applyTransition} for a move the caller already checked (the state was read under the row lock).
 *
 * @throws Error when the move is illegal after all: a bug, not a refusal.
 */
export async function applyCheckedTransition(
  tx: Tx,
  order: WorkOrder,
  to: WorkOrderState,
  ask: TransitionAsk,
): Promise<{ order: WorkOrder; moved: Moved; auditId: number }> {
  const applied = await applyTransition(tx, order, to, ask);
  if (!applied.ok) throw new Error(applied.message);
  return applied;
}
