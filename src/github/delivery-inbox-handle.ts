/**
 * Handles one stored delivery: unless its subject is held by another row, claims the row, runs the delivery's route
 * over a session with a client for its installation, and marks it `handled`; a failure goes to
 * delivery-inbox-retry.ts (tried again or given up).
 */
import { type ClaimedDelivery, claimDelivery, finishDelivery } from './delivery-log.ts';
import { done, type InboxState } from './delivery-inbox-state.ts';
import { onHandlingFailed } from './delivery-inbox-retry.ts';
import type { InboxLog } from './delivery-inbox-types.ts';
import { routeOf } from './delivery-routes.ts';
import { createSession } from './session.ts';
import { repoEventSchema } from './webhook-payloads.ts';

/** A log whose lines say which delivery they are about. */
function deliveryLog(log: InboxLog, fields: { delivery: string; event: string }): InboxLog {
  return {
    info: (more, message) => {
      log.info({ ...fields, ...more }, message);
    },
    warn: (more, message) => {
      log.warn({ ...fields, ...more }, message);
    },
    error: (more, message) => {
      log.error({ ...fields, ...more }, message);
    },
  };
}

/** Runs the delivery's handler, if its event and action have one. */
async function runRoute(state: InboxState, delivery: ClaimedDelivery): Promise<void> {
  const event = repoEventSchema.parse(delivery.payload);
  const handler = routeOf(delivery.event, event.action);
  if (handler === undefined) return;
  const rowLog = deliveryLog(state.log, { delivery: delivery.id, event: delivery.event });
  const github = await state.options.githubFor(delivery.installationId);
  await handler(createSession(state.deps, github, rowLog, delivery.id, event), delivery.payload);
}

/** Handles `row` (`reclaim`: it may be left `handling` by a stopped process, or be a retry). */
export async function handleDelivery(
  state: InboxState,
  row: number,
  subjectKey: string,
  reclaim: boolean,
): Promise<void> {
  if (state.closed || !state.holds.mayRun(subjectKey, row, reclaim)) return;
  let delivery: ClaimedDelivery | undefined;
  try {
    const earlier = state.attempts.get(row);
    if (earlier?.handled === true) {
      await finishDelivery(state.db, row, 'handled', undefined, earlier.failed);
      done(state, row, subjectKey);
      return;
    }
    delivery = await claimDelivery(state.db, row, reclaim || earlier !== undefined);
    if (delivery === undefined) {
      done(state, row, subjectKey);
      return;
    }
    await runRoute(state, delivery);
    const failedBefore = Math.max(earlier?.failed ?? 0, delivery.attempts);
    state.attempts.set(row, { failed: failedBefore, storedAt: delivery.receivedAt, handled: true });
    await finishDelivery(state.db, row, 'handled', undefined, failedBefore);
    done(state, row, subjectKey);
  } catch (error) {
    await onHandlingFailed(state, row, subjectKey, delivery, error);
  }
}
