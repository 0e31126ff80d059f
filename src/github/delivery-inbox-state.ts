/**
 * What the webhook inbox knows in this process: the rows it has taken up (queued, running, parked or waiting for a
 * retry), the subject holds, what it remembers of rows that failed, the handling runner, and whether it is closed.
 * The modules that accept (delivery-inbox-accept), handle (delivery-inbox-handle), retry (delivery-inbox-retry),
 * give up (delivery-inbox-give-up), resume (delivery-inbox-resume) and close (delivery-inbox-close) change it; the
 * helpers here are the moves they share.
 */
import { createKeyedSerialRunner, type KeyedSerialRunner } from '../lib/keyed-serial-runner.ts';
import type { AppDeps } from './app-deps.ts';
import { type ClaimsState, newClaimsState } from './delivery-claims-state.ts';
import { createDeliveryBatcher, type StoreDelivery } from './delivery-batcher.ts';
import type { DeliveryInboxOptions, InboxLog } from './delivery-inbox-types.ts';
import {
  DEFAULT_DELIVERY_RETRY,
  type DeliveryRetryPolicy,
  deliveryRetryPolicySchema,
} from './delivery-retry-policy.ts';
import { createSubjectHolds, type SubjectHolds } from './delivery-subject-holds.ts';

/** What this process remembers of a row that failed, for when the database cannot be asked. */
export interface Attempts {
  failed: number;
  storedAt: Date;
  /** The handler succeeded; only marking it `handled` is left. */
  handled: boolean;
}

/** Handles one row (delivery-inbox-handle.ts's `handleDelivery`, given at creation so that no module cycle forms). */
export type HandleRow = (state: InboxState, row: number, subjectKey: string, reclaim: boolean) => Promise<void>;

export interface InboxState {
  readonly options: DeliveryInboxOptions;
  readonly deps: AppDeps;
  readonly db: AppDeps['service']['db'];
  readonly log: InboxLog;
  readonly retry: DeliveryRetryPolicy;
  readonly runner: KeyedSerialRunner;
  /** Rows queued, running, parked or waiting for a retry in this process, so that a resume never queues one twice. */
  readonly queued: Set<number>;
  readonly holds: SubjectHolds;
  readonly attempts: Map<number, Attempts>;
  readonly storeDelivery: StoreDelivery;
  readonly handle: HandleRow;
  /** The subjects this server holds across servers (delivery-inbox-claims.ts). */
  readonly claims: ClaimsState;
  closed: boolean;
}

export function newInboxState(options: DeliveryInboxOptions, handle: HandleRow): InboxState {
  const { deps, log } = options;
  return {
    options,
    deps,
    db: deps.service.db,
    log,
    retry: deliveryRetryPolicySchema.parse(options.retry ?? DEFAULT_DELIVERY_RETRY),
    runner: createKeyedSerialRunner(options.concurrency ?? 8, (error) => {
      log.error({ err: error }, 'delivery handling failed');
    }),
    queued: new Set<number>(),
    holds: createSubjectHolds(),
    attempts: new Map<number, Attempts>(),
    storeDelivery: createDeliveryBatcher(deps.service.db),
    handle,
    claims: newClaimsState(options),
    closed: false,
  };
}

/** Puts `row`'s handling on its subject's queue. */
export function runLater(state: InboxState, row: number, subjectKey: string, reclaim: boolean): void {
  state.runner.add(subjectKey, () => state.handle(state, row, subjectKey, reclaim));
}

/**
 * Takes `row` up and queues its handling. The row is the occasion: the handling takes the subject's claim and handles
 * the subject's unhandled deliveries in order, this one among them (delivery-inbox-handle.ts).
 */
export function enqueue(state: InboxState, row: number, subjectKey: string, reclaim: boolean): void {
  state.queued.add(row);
  runLater(state, row, subjectKey, reclaim);
}

/** `row` holds its subject until `at`, when it is tried again (unless the inbox closed meanwhile). */
export function holdUntil(state: InboxState, row: number, subjectKey: string, at: Date): void {
  state.holds.hold(subjectKey, row, at, () => {
    if (!state.closed) runLater(state, row, subjectKey, true);
  });
}

/** `row` is done (handled or given up): forget it and let its subject's next delivery go. */
export function done(state: InboxState, row: number, subjectKey: string): void {
  state.queued.delete(row);
  state.attempts.delete(row);
  const next = state.holds.release(subjectKey, row);
  if (next !== undefined) runLater(state, next.row, subjectKey, next.reclaim);
}
