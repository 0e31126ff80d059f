/** A comment holding a plan gets an answer: a summary of the plan, or its errors by line and field. */
import { parsePlanFromComment } from '../plan/parse-plan-from-comment.ts';
import type { IssueCommentFacts } from './payloads.ts';
import { planErrorsReply, planSummaryReply } from './plan-reply.ts';
import { postIssueComment } from './post-issue-comment.ts';
import type { IssueCommentsApi } from './types.ts';

/** What {@link answerPlanComment} did. */
export type PlanAnswer =
  | { ok: true; verdict: 'valid' | 'invalid'; reply: string }
  | { ok: false; reason: 'no-plan' | 'bot-comment' };

/** Parses the plan in a comment, if any, and answers on the same issue or pull request. */
export async function answerPlanComment(github: IssueCommentsApi, comment: IssueCommentFacts): Promise<PlanAnswer> {
  if (comment.authorIsBot) return { ok: false, reason: 'bot-comment' };
  const parsed = parsePlanFromComment(comment.body);
  if (!parsed.ok && parsed.reason === 'no-plan') return { ok: false, reason: 'no-plan' };
  const answer: PlanAnswer = parsed.ok
    ? { ok: true, verdict: 'valid', reply: planSummaryReply(parsed.plan) }
    : { ok: true, verdict: 'invalid', reply: planErrorsReply(parsed.issues) };
  await postIssueComment(github, comment.issue, answer.reply);
  return answer;
}
