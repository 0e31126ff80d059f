/**
 * Gives a delivery up (it failed for good, or ran out of retries): marks its row `failed` with the error, reports it
 * on its issue or pull request (delivery-failure-report.ts), and lets its subject's next delivery go. Each step that
 * fails is logged; none stops the others.
 */
import { type GiveUpReason, reportFailedDelivery } from './delivery-failure-report.ts';
import { done, type InboxState } from './delivery-inbox-state.ts';
import { type ClaimedDelivery, finishDelivery } from './delivery-log.ts';

/** An error's message for the row and the report, bounded. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

/** Comments on the delivery's issue or pull request with the reason it was given up. */
async function reportOnGitHub(
  state: InboxState,
  delivery: ClaimedDelivery,
  message: string,
  reason: GiveUpReason,
  fields: object,
): Promise<void> {
  try {
    const github = await state.options.githubFor(delivery.installationId);
    const target = await reportFailedDelivery(state.db, github, delivery, message, reason);
    if (target === undefined) state.log.warn(fields, 'the failed delivery concerns no issue or pull request');
  } catch (reportError) {
    state.log.error({ ...fields, err: reportError }, 'could not report the failed delivery on GitHub');
  }
}

export async function giveUp(
  state: InboxState,
  row: number,
  subjectKey: string,
  delivery: ClaimedDelivery | undefined,
  error: unknown,
  reason: GiveUpReason,
): Promise<void> {
  const message = errorText(error);
  const fields = { row, delivery: delivery?.id, event: delivery?.event, reason };
  state.log.error({ ...fields, err: error }, 'delivery handling failed for good: not tried again');
  try {
    await finishDelivery(state.db, row, 'failed', message, state.attempts.get(row)?.failed ?? delivery?.attempts);
  } catch (recordError) {
    state.log.error({ ...fields, err: recordError }, 'could not mark the delivery failed');
  }
  if (delivery !== undefined) await reportOnGitHub(state, delivery, message, reason, fields);
  done(state, row, subjectKey);
}
