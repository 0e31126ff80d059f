import { describe, expect, it } from 'vitest';
import { keyEventKindOf } from '../../src/notify/key-events.ts';

describe('key events of transitions', () => {
  it('names the transitions people hear of', () => {
    expect(keyEventKindOf('planned', 'plan-posted')).toBe('submitted');
    expect(keyEventKindOf('approved', 'quorum-reached')).toBe('approved');
    expect(keyEventKindOf('scheduled', 'start-deferred')).toBe('scheduled');
    expect(keyEventKindOf('rejected', 'rejected')).toBe('rejected');
    expect(keyEventKindOf('running', 'started')).toBe('started');
    expect(keyEventKindOf('failed', 'release-failed')).toBe('failed');
    expect(keyEventKindOf('failed', 'rollback-failed')).toBe('failed');
    expect(keyEventKindOf('failed', 'rollback-finished')).toBe('rolled_back');
    expect(keyEventKindOf('succeeded', 'release-succeeded')).toBe('succeeded');
    expect(keyEventKindOf('accepted', 'accepted')).toBe('accepted');
  });

  it('leaves out the rest: plans replaced, quorum lost, retries, rollbacks starting, cancels, aborts', () => {
    expect(keyEventKindOf('planned', 'plan-replaced')).toBeUndefined();
    expect(keyEventKindOf('planned', 'quorum-lost')).toBeUndefined();
    expect(keyEventKindOf('approved', 'retry-requested')).toBeUndefined();
    expect(keyEventKindOf('running', 'rollback-started')).toBeUndefined();
    expect(keyEventKindOf('cancelled', 'cancelled')).toBeUndefined();
    expect(keyEventKindOf('aborted', 'aborted')).toBeUndefined();
    expect(keyEventKindOf(null, undefined)).toBeUndefined();
  });
});
