/** `issues.opened` / `issues.labeled`: from the webhook to the work-order acknowledgement. */
import { acknowledgeWorkOrder } from './acknowledge-work-order.ts';
import { parseIssuesEvent } from './payloads.ts';
import type { IssueCommentsApi, WebhookContext } from './types.ts';

/** Handles one `issues` delivery; a payload it cannot read is logged and left alone. */
export async function handleIssuesEvent(context: WebhookContext<IssueCommentsApi>): Promise<void> {
  const event = parseIssuesEvent(context.payload);
  if (!event.ok) {
    context.log.warn({ problems: event.problems }, 'issues event not understood');
    return;
  }
  const result = await acknowledgeWorkOrder(context.octokit, event.value);
  if (result.ok) context.log.info({ issue: event.value.issue }, 'work order acknowledged');
}
