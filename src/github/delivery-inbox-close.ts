/**
 * Waiting for the inbox: `idle` until every delivery taken up is handled or given up (waiting retries included), and
 * `close`, which takes no more into handling, cancels the retry timers (the rows stay stored for the next start),
 * waits a bounded time for the handlers running, and lets the subjects this server holds go.
 */
import { stopClaims } from './delivery-inbox-claims.ts';
import type { InboxState } from './delivery-inbox-state.ts';

/** Resolves once every delivery queued so far is handled (or given up), waiting retries included. */
export async function idleInbox(state: InboxState): Promise<void> {
  for (;;) {
    await state.runner.idle();
    if (state.holds.size === 0 || state.closed) return;
    await state.holds.changed();
  }
}

/** Closes the inbox and waits at most `waitMs` for the handlers running. */
export async function closeInbox(state: InboxState, waitMs: number): Promise<void> {
  state.closed = true;
  state.holds.clear();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(true);
    }, waitMs);
  });
  const stoppedWaiting = await Promise.race([state.runner.idle().then(() => false), timedOut]);
  clearTimeout(timer);
  // Subjects whose handling is done here go to the other servers at once; those still running here keep their claim
  // until its lease ends, so that no other server handles a delivery this one may still be handling.
  await stopClaims(state, !stoppedWaiting);
  if (stoppedWaiting)
    state.log.warn(
      { running: state.queued.size, waitedMs: waitMs },
      'stopped waiting for deliveries being handled: the next start handles them again',
    );
}
