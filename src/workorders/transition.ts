/** Applying one move of the state machine to an order. */
import { isLegalTransition, transitionsFrom } from './states.ts';
import type { AuditEntry, TransitionCause, TransitionRequest, WorkOrderState } from './types.ts';

/** The outcome of `transition`: the moved order and its audit row, or why the move is refused. */
export type TransitionResult<O> =
  | { ok: true; order: O; audit: AuditEntry }
  | {
      ok: false;
      reason: 'illegal-transition';
      from: WorkOrderState;
      to: WorkOrderState;
      cause: TransitionCause;
      message: string;
    };

function describeRefusal(from: WorkOrderState, to: WorkOrderState, cause: TransitionCause): string {
  const legal = transitionsFrom(from).map((rule) => `${rule.to} (${rule.cause})`);
  const options = legal.length === 0 ? 'nothing: it is final' : legal.join(', ');
  return `a work order cannot go from ${from} to ${to} by ${cause}; from ${from} it can go to ${options}`;
}

/**
 * Moves `order` to `to` when the transition table allows it for `request.cause`.
 *
 * Pure: the order is copied with its new state, never changed in place; storing the order and the audit row (in one
 * transaction) is the caller's job.
 */
export function transition<O extends { readonly state: WorkOrderState }>(
  order: O,
  to: WorkOrderState,
  request: TransitionRequest,
): TransitionResult<O> {
  const from = order.state;
  if (!isLegalTransition(from, to, request.cause)) {
    const message = describeRefusal(from, to, request.cause);
    return { ok: false, reason: 'illegal-transition', from, to, cause: request.cause, message };
  }
  return {
    ok: true,
    order: { ...order, state: to },
    audit: { from, to, cause: request.cause, actor: request.actor, reason: request.reason, at: request.at },
  };
}
