/** Which handler of src/github takes which GitHub event: the events the App subscribes to (see app.yml). */
import { handleCheckRunAction } from './handle-check-run-action.ts';
import { handleIssueComment } from './handle-comment.ts';
import { handleIssues } from './handle-issues.ts';
import { handlePullRequest } from './handle-pull-request.ts';
import { handlePush } from './handle-push.ts';
import { handleReview } from './handle-review.ts';
import type { Session } from './session.ts';

/** Handles one delivery's payload in its session. */
export type SessionHandler = (session: Session, payload: unknown) => Promise<void>;

/** `event.action` → handler; `event` alone for an event without actions (`push`). */
const DELIVERY_ROUTES = {
  'issues.opened': handleIssues,
  'issues.labeled': handleIssues,
  'issues.closed': handleIssues,
  'issue_comment.created': handleIssueComment,
  'issue_comment.edited': handleIssueComment,
  'pull_request_review.submitted': handleReview,
  'pull_request_review.dismissed': handleReview,
  'pull_request.opened': handlePullRequest,
  'pull_request.reopened': handlePullRequest,
  'pull_request.synchronize': handlePullRequest,
  'pull_request.closed': handlePullRequest,
  'check_run.requested_action': handleCheckRunAction,
  push: handlePush,
} as const satisfies Readonly<Record<string, SessionHandler>>;

export type RoutedEvent = keyof typeof DELIVERY_ROUTES;

function isRoutedEvent(name: string): name is RoutedEvent {
  return Object.hasOwn(DELIVERY_ROUTES, name);
}

/** The events Probot should hand over, as `event.action` names (`push`: the event, which has no actions). */
export const ROUTED_EVENTS: readonly RoutedEvent[] = Object.keys(DELIVERY_ROUTES).filter(isRoutedEvent);

/** The handler of `event` with `action`, if any. */
export function routeOf(event: string, action: string | undefined): SessionHandler | undefined {
  const name = action === undefined ? event : `${event}.${action}`;
  return isRoutedEvent(name) ? DELIVERY_ROUTES[name] : undefined;
}
