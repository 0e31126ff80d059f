/** The Probot app function: which GitHub events go to which handler of src/github. Wiring only. */
import type { Probot } from 'probot';
import type { AppDeps } from './github/app-deps.ts';
import { handleCheckRunAction } from './github/handle-check-run-action.ts';
import { handleIssueComment } from './github/handle-comment.ts';
import { handleIssues } from './github/handle-issues.ts';
import { handlePullRequest } from './github/handle-pull-request.ts';
import { handleReview } from './github/handle-review.ts';
import { runDelivery, type SessionHandler } from './github/run-delivery.ts';

export type { AppDeps } from './github/app-deps.ts';

/** Yardmaster's webhook handlers, over the work-order service in `deps`. */
export function createYardmasterApp(deps: AppDeps): (app: Probot) => void {
  return (app) => {
    const route = (handler: SessionHandler) => (context: { id: string; name: string; payload: unknown; octokit: Parameters<typeof runDelivery>[1]['octokit']; log: Parameters<typeof runDelivery>[1]['log'] }) =>
      runDelivery(deps, context, handler);
    app.on(['issues.opened', 'issues.labeled', 'issues.closed'], route(handleIssues));
    app.on(['issue_comment.created', 'issue_comment.edited'], route(handleIssueComment));
    app.on(['pull_request_review.submitted', 'pull_request_review.dismissed'], route(handleReview));
    app.on(['pull_request.synchronize', 'pull_request.closed'], route(handlePullRequest));
    app.on('check_run.requested_action', route(handleCheckRunAction));
  };
}
