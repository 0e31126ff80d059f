/**
 * The webhook inbox: GitHub's answer waits only for the delivery to be stored (signature already checked by Probot,
 * payload parsed here); the handling — repo config, the work-order service, replies to GitHub — runs after, in order
 * per subject (issue, pull request, order) and side by side across subjects. A delivery whose handling failed for a
 * passing reason (database or GitHub unreachable, 5xx, timeout) is tried again from its stored payload, with backoff,
 * holding its subject's later deliveries behind it; one that fails for good is reported on its issue or pull request.
 * Deliveries stored but not handled when a process stopped (retries included) are handled when the next one starts.
 * Across servers on one database, a subject is handled by one server at a time: the one holding its claim
 * (delivery-inbox-claims.ts, subject-claims.ts); a server that dies loses its subjects when their lease ends.
 */
import { accept } from './delivery-inbox-accept.ts';
import { startClaimTimers } from './delivery-inbox-claims.ts';
import { closeInbox, idleInbox } from './delivery-inbox-close.ts';
import { handleDelivery } from './delivery-inbox-handle.ts';
import { resumeDeliveries } from './delivery-inbox-resume.ts';
import { enqueue, newInboxState } from './delivery-inbox-state.ts';
import type { DeliveryInbox, DeliveryInboxOptions } from './delivery-inbox-types.ts';

export type {
  Acceptance,
  ArrivingDelivery,
  DeliveryInbox,
  DeliveryInboxOptions,
  InboxLog,
} from './delivery-inbox-types.ts';

/**
 * The inbox over its state (delivery-inbox-state.ts); each method goes to the module of its concern: accepting and
 * storing (delivery-inbox-accept), handling one delivery (delivery-inbox-handle), trying again or giving up
 * (delivery-inbox-retry, delivery-inbox-give-up), resuming at start (delivery-inbox-resume), idle and close
 * (delivery-inbox-close).
 */
export function createDeliveryInbox(options: DeliveryInboxOptions): DeliveryInbox {
  const state = newInboxState(options, handleDelivery);
  return {
    accept: (delivery) => accept(state, delivery),
    async resume() {
      const resumed = await resumeDeliveries(state);
      // From now on this server renews its claims and takes up subjects no server holds (one whose server died).
      if (!state.closed && state.claims.timers.length === 0)
        startClaimTimers(state, (subjectKey, row) => {
          enqueue(state, row, subjectKey, true);
        });
      return resumed;
    },
    idle: () => idleInbox(state),
    close: (waitMs = 10_000) => closeInbox(state, waitMs),
  };
}
