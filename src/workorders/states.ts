/**
 * The work order state machine: every legal move, and the command or event that makes it.
 *
 * Happy path: requested -plan-posted-> planned -quorum-reached-> approved [-start-deferred-> scheduled] -started->
 * running -release-succeeded-> succeeded -accepted-> accepted. Exits: rejected, failed, aborted, cancelled. The table
 * below is the whole truth.
 *
 * Meaning of the states that are not obvious:
 * - `approved`: quorum is met for the current plan digest and a start job is queued for now (the approval and the
 *   enqueue share one transaction). The order may still wait for the environment lock or a worker.
 * - `scheduled`: approved, but the start job is queued for a later time: the plan's `schedule`, or the end of a freeze
 *   window the worker met. Moving the time again is not a transition.
 * - `failed`: the release is not live: it failed and was rolled back, or a `/rollback` ran (the cause says which).
 * - `aborted`: a deployer stopped the order, before or during the release.
 *
 * Decisions:
 * - No state moves to itself. A plan edited while `planned` is a new plan version, not a transition.
 * - `rejected` and `cancelled` are final: a rejected plan needs a new work order, so that the rejection stays
 *   visible on the old one. Closing the issue or PR cancels only orders that have not started; closing it while
 *   running or afterwards changes nothing.
 * - A new digest (edited plan, pushed commit) or an approver revoking drops an approved or scheduled order back to
 *   `planned`; the caller cancels the queued job in the same transaction.
 * - `/retry-failed` moves `failed` back to `approved` (the approvals still hold for the same digest) so that the retry
 *   queues and waits for the lock like any start. The service should refuse it when the
 *   last audit row's cause is `rollback-finished` or `rollback-failed`: nothing failed that could be retried.
 * - `/rollback` starts a rollback run from `succeeded`, `accepted`, `aborted` or `failed` (an abort can leave hosts on the new
 *   release); its end is `failed` with cause `rollback-finished` or `rollback-failed`. `/rollback` while `running` is
 *   the release's own business and no transition. A `failed` release can be rolled back too when it failed only in
 *   part (hosts within `max_failures` failed; the others run the new release); after a rollback it cannot: the
 *   service refuses it when the last cause is `rollback-finished` or `rollback-failed`.
 */
import type { TransitionCause, WorkOrderState } from './types.ts';

export { WORK_ORDER_STATES } from './types.ts';

/** One legal move and what causes it. */
export interface TransitionRule {
  from: WorkOrderState;
  to: WorkOrderState;
  cause: TransitionCause;
}

function rules(from: WorkOrderState, moves: readonly (readonly [WorkOrderState, TransitionCause])[]): TransitionRule[] {
  return moves.map(([to, cause]) => ({ from, to, cause }));
}

/** The closed transition table; anything not listed is illegal. */
export const TRANSITIONS: readonly TransitionRule[] = [
  ...rules('requested', [
    ['planned', 'plan-posted'],
    ['rejected', 'rejected'],
    ['cancelled', 'cancelled'],
  ]),
  ...rules('planned', [
    ['approved', 'quorum-reached'],
    ['rejected', 'rejected'],
    ['cancelled', 'cancelled'],
  ]),
  ...rules('approved', [
    ['planned', 'plan-replaced'],
    ['planned', 'quorum-lost'],
    ['scheduled', 'start-deferred'],
    ['running', 'started'],
    ['rejected', 'rejected'],
    ['aborted', 'aborted'],
    ['cancelled', 'cancelled'],
  ]),
  ...rules('scheduled', [
    ['planned', 'plan-replaced'],
    ['planned', 'quorum-lost'],
    ['running', 'started'],
    ['rejected', 'rejected'],
    ['aborted', 'aborted'],
    ['cancelled', 'cancelled'],
  ]),
  ...rules('running', [
    ['succeeded', 'release-succeeded'],
    ['failed', 'release-failed'],
    ['failed', 'rollback-finished'],
    ['failed', 'rollback-failed'],
    ['aborted', 'aborted'],
  ]),
  ...rules('succeeded', [
    ['accepted', 'accepted'],
    ['running', 'rollback-started'],
  ]),
  ...rules('accepted', [['running', 'rollback-started']]),
  ...rules('failed', [
    ['approved', 'retry-requested'],
    ['running', 'rollback-started'],
  ]),
  ...rules('aborted', [['running', 'rollback-started']]),
];

/** The rules that leave `state`, in table order. */
export function transitionsFrom(state: WorkOrderState): TransitionRule[] {
  return TRANSITIONS.filter((rule) => rule.from === state);
}

/** Whether `cause` may move an order from `from` to `to`. */
export function isLegalTransition(from: WorkOrderState, to: WorkOrderState, cause: TransitionCause): boolean {
  return TRANSITIONS.some((rule) => rule.from === from && rule.to === to && rule.cause === cause);
}
