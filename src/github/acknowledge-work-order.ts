/** An issue labelled `work-order` opens a work order; the bot says it saw it. */
import { inlineCode } from './markdown.ts';
import type { IssueEventFacts } from './payloads.ts';
import { postIssueComment } from './post-issue-comment.ts';
import type { IssueCommentsApi } from './types.ts';

/** The label that makes an issue a work order. */
export const WORK_ORDER_LABEL = 'work-order';

/** What {@link acknowledgeWorkOrder} did. */
export type AcknowledgeResult = { ok: true; reply: string } | { ok: false; reason: 'not-a-work-order' };

/**
 * True when this event makes the issue a work order: opened with the label, or the label just added.
 * GitHub sends both `opened` and `labeled` for an issue created with the label; telling them apart needs the
 * work-order store (one order per issue), which makes the second one a no-op.
 */
export function opensWorkOrder(event: IssueEventFacts): boolean {
  if (event.action === 'opened') return event.labels.includes(WORK_ORDER_LABEL);
  if (event.action === 'labeled') return event.addedLabel === WORK_ORDER_LABEL;
  return false;
}

/** The acknowledgement comment. */
export function acknowledgementReply(event: IssueEventFacts): string {
  return [
    `Work order received from @${event.sender}.`,
    '',
    `Next: post the deployment plan as a comment, in a fenced ${inlineCode('yaml')} block whose first key is ` +
      `${inlineCode('app')} (or a ${inlineCode('yardmaster')} block). It is checked as soon as it is posted.`,
  ].join('\n');
}

/** Replies to an issue that became a work order; other issue events are left alone. */
export async function acknowledgeWorkOrder(github: IssueCommentsApi, event: IssueEventFacts): Promise<AcknowledgeResult> {
  if (!opensWorkOrder(event)) return { ok: false, reason: 'not-a-work-order' };
  const reply = acknowledgementReply(event);
  await postIssueComment(github, event.issue, reply);
  return { ok: true, reply };
}
