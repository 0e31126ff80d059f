/** `issue_comment.created`: from the webhook to the plan answer. */
import { answerPlanComment } from './answer-plan-comment.ts';
import { parseIssueCommentEvent } from './payloads.ts';
import type { IssueCommentsApi, WebhookContext } from './types.ts';

/** Handles one `issue_comment` delivery; a payload it cannot read is logged and left alone. */
export async function handleIssueComment(context: WebhookContext<IssueCommentsApi>): Promise<void> {
  const comment = parseIssueCommentEvent(context.payload);
  if (!comment.ok) {
    context.log.warn({ problems: comment.problems }, 'issue_comment event not understood');
    return;
  }
  const answer = await answerPlanComment(context.octokit, comment.value);
  if (answer.ok) context.log.info({ issue: comment.value.issue, verdict: answer.verdict }, 'plan answered');
}
