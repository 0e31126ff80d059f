/**
 * Handles a subject's stored deliveries, on the occasion of one of them (just stored here, resumed, swept up, or due
 * for another attempt): unless the subject is held in this process by a delivery waiting for a retry, takes the
 * subject's claim across servers (delivery-inbox-claims.ts) — another server holding it handles the delivery itself —
 * then handles the subject's oldest unhandled delivery (delivery-log.ts `oldestUnhandledOf`), and the next, until none
 * is left, and lets the subject go. A failure goes to delivery-inbox-retry.ts (tried again, holding the subject, or
 * given up).
 */
import { holdSubject, letSubjectGo } from './delivery-inbox-claims.ts';
import {
  type ClaimedDelivery,
  claimDelivery,
  failUnusableDelivery,
  finishDelivery,
  isUnhandled,
  oldestUnhandledOf,
} from './delivery-log.ts';
import { done, holdUntil, type InboxState } from './delivery-inbox-state.ts';
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

/** Handles `row` (this server holds its subject); a failure goes to the retry module. */
async function handleRow(state: InboxState, row: number, subjectKey: string): Promise<void> {
  let delivery: ClaimedDelivery | undefined;
  try {
    const earlier = state.attempts.get(row);
    if (earlier?.handled === true) {
      await finishDelivery(state.db, row, 'handled', undefined, earlier.failed);
      done(state, row, subjectKey);
      return;
    }
    // This server holds the subject: a row left `handling` is one a server that died (or this one) cut off.
    delivery = await claimDelivery(state.db, row, true);
    if (delivery === undefined) {
      await failUnusableDelivery(state.db, row);
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

type Step = 'next' | 'stop';

/** One step of the subject's handling: its next delivery handled (or waited for), or the subject let go. */
async function step(state: InboxState, subjectKey: string): Promise<Step> {
  if (state.closed) return 'stop';
  // Another server holds the subject: it handles the occasion too (it looks for the oldest row after each one).
  if (!(await holdSubject(state, subjectKey))) return 'stop';
  const next = await oldestUnhandledOf(state.db, subjectKey);
  if (next === undefined) {
    await letSubjectGo(state, subjectKey);
    // A delivery stored meanwhile by a server this one kept out is stored before that server asked for the claim,
    // so a look after letting go sees it: the subject is taken again for it.
    return (await oldestUnhandledOf(state.db, subjectKey)) === undefined ? 'stop' : 'next';
  }
  if (next.nextAttemptAt !== undefined && next.nextAttemptAt.getTime() > Date.now()) {
    // Its first delivery waits to be tried again (a server that died left it so): the subject waits with it.
    state.queued.add(next.row);
    holdUntil(state, next.row, subjectKey, next.nextAttemptAt);
    return 'stop';
  }
  state.queued.add(next.row);
  await handleRow(state, next.row, subjectKey);
  // A delivery waiting to be tried again holds the subject (and this server keeps its claim) until its time.
  return state.holds.heldBy(subjectKey) === undefined ? 'next' : 'stop';
}

/** Handles `subjectKey`'s deliveries on the occasion of `row` (`reclaim`: a retry, or resumed after a restart). */
export async function handleDelivery(
  state: InboxState,
  row: number,
  subjectKey: string,
  reclaim: boolean,
): Promise<void> {
  state.claims.swept.delete(subjectKey);
  if (state.closed || !state.holds.mayRun(subjectKey, row, reclaim)) return;
  try {
    // A new delivery whose subject was handled here meanwhile (the handling takes every row stored before its last
    // look) needs nothing more: one query instead of taking and letting go of the subject.
    if (!reclaim && state.attempts.get(row) === undefined && !(await isUnhandled(state.db, row))) {
      state.queued.delete(row);
      return;
    }
    while ((await step(state, subjectKey)) === 'next');
  } catch (error) {
    // The claims or the inbox could not be read (the database is likely away): the occasion is tried again later.
    await onHandlingFailed(state, row, subjectKey, undefined, error);
    return;
  }
  if (state.holds.heldBy(subjectKey) !== row) state.queued.delete(row);
}
