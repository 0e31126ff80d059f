import { describe, expect, it } from 'vitest';
import { TRANSITIONS, WORK_ORDER_STATES, isLegalTransition, transitionsFrom } from '../../src/workorders/states.ts';
import { transition } from '../../src/workorders/transition.ts';
import type { Actor, TransitionCause, TransitionRequest, WorkOrderState } from '../../src/workorders/types.ts';

const ALICE: Actor = { kind: 'user', login: 'alice' };
const WORKER: Actor = { kind: 'system', component: 'worker' };
const AT = new Date('2026-11-24T02:00:00Z');

function why(cause: TransitionCause, actor: Actor = ALICE, reason = ''): TransitionRequest {
  return { cause, actor, reason, at: AT };
}

// Written out by hand so that any change to the table has to be made here too, on purpose.
const EXPECTED_TABLE = [
  'requested→planned:plan-posted',
  'requested→rejected:rejected',
  'requested→cancelled:cancelled',
  'planned→approved:quorum-reached',
  'planned→rejected:rejected',
  'planned→cancelled:cancelled',
  'approved→planned:plan-replaced',
  'approved→planned:quorum-lost',
  'approved→scheduled:start-deferred',
  'approved→running:started',
  'approved→rejected:rejected',
  'approved→aborted:aborted',
  'approved→cancelled:cancelled',
  'scheduled→planned:plan-replaced',
  'scheduled→planned:quorum-lost',
  'scheduled→running:started',
  'scheduled→rejected:rejected',
  'scheduled→aborted:aborted',
  'scheduled→cancelled:cancelled',
  'running→succeeded:release-succeeded',
  'running→failed:release-failed',
  'running→failed:rollback-finished',
  'running→failed:rollback-failed',
  'running→aborted:aborted',
  'succeeded→accepted:accepted',
  'succeeded→running:rollback-started',
  'accepted→running:rollback-started',
  'failed→approved:retry-requested',
  'failed→running:rollback-started',
  'aborted→running:rollback-started',
];

// A Record over the union makes the compiler insist that every cause is listed here.
const ALL_CAUSES: Record<TransitionCause, true> = {
  'plan-posted': true,
  'plan-replaced': true,
  'quorum-reached': true,
  'quorum-lost': true,
  'start-deferred': true,
  started: true,
  'release-succeeded': true,
  'release-failed': true,
  aborted: true,
  accepted: true,
  rejected: true,
  cancelled: true,
  'retry-requested': true,
  'rollback-started': true,
  'rollback-finished': true,
  'rollback-failed': true,
};

describe('transition table', () => {
  it('is exactly the documented table', () => {
    expect(TRANSITIONS.map((rule) => `${rule.from}→${rule.to}:${rule.cause}`)).toEqual(EXPECTED_TABLE);
  });

  it('uses every cause, and every state can be reached from requested', () => {
    expect(new Set(TRANSITIONS.map((rule) => rule.cause))).toEqual(new Set(Object.keys(ALL_CAUSES)));
    const reached = new Set<WorkOrderState>(['requested']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const rule of TRANSITIONS) {
        if (reached.has(rule.from) && !reached.has(rule.to)) {
          reached.add(rule.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...WORK_ORDER_STATES].sort());
  });

  it('has no self-transitions and no way out of rejected or cancelled', () => {
    expect(TRANSITIONS.filter((rule) => rule.from === rule.to)).toEqual([]);
    expect(transitionsFrom('rejected')).toEqual([]);
    expect(transitionsFrom('cancelled')).toEqual([]);
  });

  it('lets a running order be neither cancelled nor sent back to planned', () => {
    expect(isLegalTransition('running', 'cancelled', 'cancelled')).toBe(false);
    expect(isLegalTransition('running', 'planned', 'plan-replaced')).toBe(false);
    expect(isLegalTransition('approved', 'planned', 'plan-replaced')).toBe(true);
  });
});

describe('transition', () => {
  it('walks the happy path, writing one audit row per step', () => {
    const steps: [WorkOrderState, TransitionRequest][] = [
      ['planned', why('plan-posted', { kind: 'user', login: 'hubot' }, 'plan 2.4.1')],
      ['approved', why('quorum-reached', ALICE, '2 of 2 approvals: carol, dave')],
      ['scheduled', why('start-deferred', WORKER, 'schedule 2026-11-24T02:00:00Z')],
      ['running', why('started', WORKER)],
      ['succeeded', why('release-succeeded', WORKER)],
      ['accepted', why('accepted', { kind: 'user', login: 'octocat' })],
    ];
    let order = { id: 'wo-7', state: 'requested' as WorkOrderState };
    const audit = [];
    for (const [to, request] of steps) {
      const result = transition(order, to, request);
      if (!result.ok) throw new Error(result.message);
      order = result.order;
      audit.push(result.audit);
    }
    expect(order).toEqual({ id: 'wo-7', state: 'accepted' });
    expect(audit.map((row) => `${row.from}→${row.to}`)).toEqual([
      'requested→planned',
      'planned→approved',
      'approved→scheduled',
      'scheduled→running',
      'running→succeeded',
      'succeeded→accepted',
    ]);
    expect(audit[1]).toEqual({
      from: 'planned',
      to: 'approved',
      cause: 'quorum-reached',
      actor: ALICE,
      reason: '2 of 2 approvals: carol, dave',
      at: AT,
    });
  });

  it('copies the order instead of changing it', () => {
    const order = { id: 'wo-1', state: 'planned' as const, title: 'checkout-api 2.4.1' };
    const result = transition(order, 'approved', why('quorum-reached'));
    expect(order.state).toBe('planned');
    expect(result.ok && result.order).toEqual({ id: 'wo-1', state: 'approved', title: 'checkout-api 2.4.1' });
  });

  it('refuses a move the table does not list, saying where the order can go', () => {
    expect(transition({ state: 'requested' }, 'approved', why('quorum-reached'))).toEqual({
      ok: false,
      reason: 'illegal-transition',
      from: 'requested',
      to: 'approved',
      cause: 'quorum-reached',
      message:
        'a work order cannot go from requested to approved by quorum-reached; from requested it can go to ' +
        'planned (plan-posted), rejected (rejected), cancelled (cancelled)',
    });
  });

  it('refuses a listed pair of states with the wrong cause', () => {
    const result = transition({ state: 'running' }, 'failed', why('rejected'));
    expect(result).toMatchObject({ ok: false, reason: 'illegal-transition', cause: 'rejected' });
  });

  it('says when a state is final', () => {
    const result = transition({ state: 'rejected' }, 'planned', why('plan-posted'));
    expect(!result.ok && result.message).toMatch(/from rejected it can go to nothing: it is final$/);
  });

  it('sends an approved order back to planned when a new digest drops its approvals', () => {
    const result = transition(
      { state: 'scheduled' },
      'planned',
      why('plan-replaced', { kind: 'user', login: 'hubot' }),
    );
    expect(result.ok && result.audit.cause).toBe('plan-replaced');
  });

  it('retries failed hosts through approved, and rolls back a succeeded or accepted order', () => {
    expect(transition({ state: 'failed' }, 'approved', why('retry-requested')).ok).toBe(true);
    expect(transition({ state: 'failed' }, 'running', why('retry-requested')).ok).toBe(false);
    expect(transition({ state: 'accepted' }, 'running', why('rollback-started')).ok).toBe(true);
    expect(transition({ state: 'running' }, 'failed', why('rollback-finished', WORKER)).ok).toBe(true);
  });
});
