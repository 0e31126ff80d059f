/** The Probot app function: which GitHub events go to which handler of src/github. Wiring only. */
import type { Probot } from 'probot';
import { handleIssueComment } from './github/handle-issue-comment.ts';
import { handleIssuesEvent } from './github/handle-issues-event.ts';

/** Registers Yardmaster's webhook handlers on a Probot instance. */
export function yardmasterApp(app: Probot): void {
  app.on(['issues.opened', 'issues.labeled'], (context) => handleIssuesEvent(context));
  app.on('issue_comment.created', (context) => handleIssueComment(context));
}

export default yardmasterApp;
