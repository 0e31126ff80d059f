/**
 * A delivery whose handling failed: one that failed for a passing reason (delivery-error-kind.ts) is tried again at
 * the time the retry policy gives, holding its subject meanwhile (the time is recorded on its row too, for the next
 * start); one that failed for good, or ran out of time, is given up (delivery-inbox-give-up.ts).
 */
import { deliveryErrorKind } from './delivery-error-kind.ts';
import { errorText, giveUp } from './delivery-inbox-give-up.ts';
import { type Attempts, holdUntil, type InboxState } from './delivery-inbox-state.ts';
import { type ClaimedDelivery, scheduleRetry } from './delivery-log.ts';
import { nextAttemptAt } from './delivery-retry-policy.ts';

/** What is known of the row's earlier attempts: this process's memory, else the claimed row's. */
function attemptsBefore(state: InboxState, row: number, delivery: ClaimedDelivery | undefined): Attempts {
  return (
    state.attempts.get(row) ?? {
      failed: delivery?.attempts ?? 0,
      storedAt: delivery?.receivedAt ?? new Date(),
      handled: false,
    }
  );
}

/** Records the retry on the row; should that fail, the retry goes ahead from memory (logged). */
async function recordRetry(state: InboxState, row: number, attempts: number, at: Date, error: unknown): Promise<void> {
  try {
    await scheduleRetry(state.db, row, attempts, at, errorText(error));
  } catch (recordError) {
    // The database is likely what failed: the retry goes ahead from memory, and a restart takes the row up anyway.
    state.log.warn({ row, err: recordError }, 'could not record the retry of a delivery');
  }
}

export async function onHandlingFailed(
  state: InboxState,
  row: number,
  subjectKey: string,
  delivery: ClaimedDelivery | undefined,
  error: unknown,
): Promise<void> {
  const before = attemptsBefore(state, row, delivery);
  const now = new Date();
  const failedAttempts = Math.max(before.failed, delivery?.attempts ?? 0) + 1;
  const transient = deliveryErrorKind(error) === 'transient';
  const at = transient ? nextAttemptAt(state.retry, failedAttempts, before.storedAt, now) : undefined;
  state.attempts.set(row, { ...before, failed: failedAttempts });
  if (at === undefined) {
    await giveUp(state, row, subjectKey, delivery, error, transient ? 'retries exhausted' : 'permanent');
    return;
  }
  // Once closed, the row stays stored for the next start, which tries it again at the time recorded here.
  if (!state.closed) holdUntil(state, row, subjectKey, at);
  state.log.warn(
    { row, delivery: delivery?.id, event: delivery?.event, attempts: failedAttempts, nextAttemptAt: at, err: error },
    'delivery handling failed for a passing reason: trying again',
  );
  await recordRetry(state, row, failedAttempts, at, error);
}
