/** GitHub's time of an event from its payload (src/github/delivery-order.ts), on real example payloads. */
import { describe, expect, it } from 'vitest';
import { eventTimeOf } from '../../src/github/delivery-order.ts';
import { examplePayload } from '../helpers/github-webhooks.ts';

describe('eventTimeOf', () => {
  it("takes a comment's last change, an issue's and a pull request's update, a review's submission, a push's time", () => {
    const comment = examplePayload('issue_comment', 'edited', {
      comment: { created_at: '2026-12-07T10:00:00Z', updated_at: '2026-12-07T10:00:05Z' },
    });
    expect(eventTimeOf('issue_comment', 'edited', comment)?.toISOString()).toBe('2026-12-07T10:00:05.000Z');
    const issue = examplePayload('issues', 'opened', { issue: { updated_at: '2026-12-07T09:59:59Z' } });
    expect(eventTimeOf('issues', 'opened', issue)?.toISOString()).toBe('2026-12-07T09:59:59.000Z');
    const pull = examplePayload('pull_request', 'synchronize', {
      pull_request: { updated_at: '2026-12-07T10:01:00Z' },
    });
    expect(eventTimeOf('pull_request', 'synchronize', pull)?.toISOString()).toBe('2026-12-07T10:01:00.000Z');
    const review = examplePayload('pull_request_review', 'submitted', {
      review: { submitted_at: '2026-12-07T10:02:00Z' },
    });
    expect(eventTimeOf('pull_request_review', 'submitted', review)?.toISOString()).toBe('2026-12-07T10:02:00.000Z');
    const push = examplePayload('push', undefined, { repository: { pushed_at: 1_796_637_600 } });
    expect(eventTimeOf('push', undefined, push)?.toISOString()).toBe(new Date(1_796_637_600_000).toISOString());
  });

  it('has no time for a dismissal, a check run action, or a payload without the field', () => {
    expect(eventTimeOf('pull_request_review', 'dismissed', examplePayload('pull_request_review', 'dismissed'))).toBe(
      undefined,
    );
    expect(
      eventTimeOf('check_run', 'requested_action', examplePayload('check_run', 'requested_action')),
    ).toBeUndefined();
    expect(eventTimeOf('issue_comment', 'created', { comment: {} })).toBeUndefined();
    expect(eventTimeOf('issues', 'opened', { issue: { updated_at: 'yesterday' } })).toBeUndefined();
  });
});
