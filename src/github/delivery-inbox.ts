/**
 * The webhook inbox: GitHub's answer waits only for the delivery to be stored (signature already checked by Probot,
 * payload parsed here); the handling — repo config, the work-order service, replies to GitHub — runs after, in order
 * per subject (issue, pull request, order) and side by side across subjects. A delivery whose handling failed for a
 * passing reason (database or GitHub unreachable, 5xx, timeout) is tried again from its stored payload, with backoff,
 * holding its subject's later deliveries behind it; one that fails for good is reported on its issue or pull request.
 * Deliveries stored but not handled when a process stopped (retries included) are handled when the next one starts.
 */
import { performance } from 'node:perf_hooks';
import type { AppDeps } from './app-deps.ts';
import { createDeliveryBatcher } from './delivery-batcher.ts';
import { deliveryErrorKind } from './delivery-error-kind.ts';
import { reportFailedDelivery, type GiveUpReason } from './delivery-failure-report.ts';
import {
  claimDelivery,
  finishDelivery,
  scheduleRetry,
  unhandledDeliveries,
  type ClaimedDelivery,
} from './delivery-log.ts';
import {
  DEFAULT_DELIVERY_RETRY,
  deliveryRetryPolicySchema,
  nextAttemptAt,
  type DeliveryRetryPolicy,
} from './delivery-retry-policy.ts';
import { routeOf } from './delivery-routes.ts';
import { createSubjectHolds } from './delivery-subject-holds.ts';
import { subjectKeyOf } from './delivery-subject.ts';
import { createKeyedSerialRunner } from '../lib/keyed-serial-runner.ts';
import type { OctokitSlice } from './octokit-slice.ts';
import { createSession } from './session.ts';
import type { HandlerLog } from './types.ts';
import { problemsOf, repoEventSchema } from './webhook-payloads.ts';

/** Where the inbox logs. */
export interface InboxLog extends HandlerLog {
  error(fields: object, message: string): void;
}

export interface DeliveryInboxOptions {
  deps: AppDeps;
  /** A GitHub client acting as the installation (Probot's `app.auth(installationId)`). */
  githubFor(installationId: number): Promise<OctokitSlice>;
  log: InboxLog;
  /** Deliveries handled at the same time, across subjects (default 8). */
  concurrency?: number;
  /** Told how long each answer took (parse and store) and what became of the delivery (metrics). */
  onAnswered?: (event: string, outcome: Acceptance, seconds: number) => void;
  /** When failed handling is tried again (default: 1 s doubling to 5 min, for at most 24 h). */
  retry?: DeliveryRetryPolicy;
  /** Told whether each store of an arriving delivery worked (the outage watch: GitHub recorded the failed ones). */
  onStored?: (ok: boolean) => void;
}

/** A delivery as it arrives (Probot's context has these). */
export interface ArrivingDelivery {
  id: string;
  name: string;
  payload: unknown;
}

/** What became of an arriving delivery. */
export type Acceptance = 'queued' | 'seen before' | 'not for us';

export interface DeliveryInbox {
  /** Stores the delivery and queues its handling; resolves once it is stored, which is all the webhook answer waits for. */
  accept(delivery: ArrivingDelivery): Promise<Acceptance>;
  /** Queues the deliveries stored but not handled (a process stopped before it was done); how many. */
  resume(): Promise<number>;
  /** Resolves once every delivery queued so far is handled (or given up), waiting retries included. */
  idle(): Promise<void>;
  /**
   * Takes no more deliveries into handling and waits (at most `waitMs`, default 10 s) for those running; the rest
   * (retries waiting included) stay stored, and the next start handles them (those cut off while running, again
   * from the start).
   */
  close(waitMs?: number): Promise<void>;
}

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error's message for the row and the report, bounded. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

/** What this process remembers of a row that failed, for when the database cannot be asked. */
interface Attempts {
  failed: number;
  storedAt: Date;
  /** The handler succeeded; only marking it `handled` is left. */
  handled: boolean;
}

export function createDeliveryInbox(options: DeliveryInboxOptions): DeliveryInbox {
  const { deps, log } = options;
  const db = deps.service.db;
  const retry = deliveryRetryPolicySchema.parse(options.retry ?? DEFAULT_DELIVERY_RETRY);
  const runner = createKeyedSerialRunner(options.concurrency ?? 8, (error) => {
    log.error({ err: error }, 'delivery handling failed');
  });
  /** Rows queued, running, parked or waiting for a retry in this process, so that a resume never queues one twice. */
  const queued = new Set<number>();
  const holds = createSubjectHolds();
  const attempts = new Map<number, Attempts>();
  const storeDelivery = createDeliveryBatcher(db);
  let closed = false;

  /** `row` is done (handled or given up): forget it and let its subject's next delivery go. */
  function done(row: number, subjectKey: string): void {
    queued.delete(row);
    attempts.delete(row);
    const next = holds.release(subjectKey, row);
    if (next !== undefined) runner.add(subjectKey, () => handle(next.row, subjectKey, next.reclaim));
  }

  async function giveUp(
    row: number,
    subjectKey: string,
    delivery: ClaimedDelivery | undefined,
    error: unknown,
    reason: GiveUpReason,
  ): Promise<void> {
    const message = errorText(error);
    const fields = { row, delivery: delivery?.id, event: delivery?.event, reason };
    log.error({ ...fields, err: error }, 'delivery handling failed for good: not tried again');
    try {
      await finishDelivery(db, row, 'failed', message, attempts.get(row)?.failed ?? delivery?.attempts);
    } catch (recordError) {
      log.error({ ...fields, err: recordError }, 'could not mark the delivery failed');
    }
    if (delivery !== undefined) {
      try {
        const github = await options.githubFor(delivery.installationId);
        const target = await reportFailedDelivery(db, github, delivery, message, reason);
        if (target === undefined) log.warn(fields, 'the failed delivery concerns no issue or pull request');
      } catch (reportError) {
        log.error({ ...fields, err: reportError }, 'could not report the failed delivery on GitHub');
      }
    }
    done(row, subjectKey);
  }

  async function failed(
    row: number,
    subjectKey: string,
    delivery: ClaimedDelivery | undefined,
    error: unknown,
  ): Promise<void> {
    const known = attempts.get(row);
    const before: Attempts = known ?? {
      failed: delivery?.attempts ?? 0,
      storedAt: delivery?.receivedAt ?? new Date(),
      handled: false,
    };
    const now = new Date();
    const failedAttempts = Math.max(before.failed, delivery?.attempts ?? 0) + 1;
    const transient = deliveryErrorKind(error) === 'transient';
    const at = transient ? nextAttemptAt(retry, failedAttempts, before.storedAt, now) : undefined;
    attempts.set(row, { ...before, failed: failedAttempts });
    if (at === undefined) {
      await giveUp(row, subjectKey, delivery, error, transient ? 'retries exhausted' : 'permanent');
      return;
    }
    // Once closed, the row stays stored for the next start, which tries it again at the time recorded here.
    if (!closed) {
      holds.hold(subjectKey, row, at, () => {
        if (!closed) runner.add(subjectKey, () => handle(row, subjectKey, true));
      });
    }
    log.warn(
      { row, delivery: delivery?.id, event: delivery?.event, attempts: failedAttempts, nextAttemptAt: at, err: error },
      'delivery handling failed for a passing reason: trying again',
    );
    try {
      await scheduleRetry(db, row, failedAttempts, at, errorText(error));
    } catch (recordError) {
      // The database is likely what failed: the retry goes ahead from memory, and a restart takes the row up anyway.
      log.warn({ row, err: recordError }, 'could not record the retry of a delivery');
    }
  }

  async function handle(row: number, subjectKey: string, reclaim: boolean): Promise<void> {
    if (closed || !holds.mayRun(subjectKey, row, reclaim)) return;
    let delivery: ClaimedDelivery | undefined;
    try {
      const earlier = attempts.get(row);
      if (earlier?.handled === true) {
        await finishDelivery(db, row, 'handled', undefined, earlier.failed);
        done(row, subjectKey);
        return;
      }
      delivery = await claimDelivery(db, row, reclaim || earlier !== undefined);
      if (delivery === undefined) {
        done(row, subjectKey);
        return;
      }
      const event = repoEventSchema.parse(delivery.payload);
      const handler = routeOf(delivery.event, event.action);
      if (handler !== undefined) {
        const rowLog = deliveryLog(log, { delivery: delivery.id, event: delivery.event });
        const github = await options.githubFor(delivery.installationId);
        await handler(createSession(deps, github, rowLog, delivery.id, event), delivery.payload);
      }
      const failedBefore = Math.max(earlier?.failed ?? 0, delivery.attempts);
      attempts.set(row, { failed: failedBefore, storedAt: delivery.receivedAt, handled: true });
      await finishDelivery(db, row, 'handled', undefined, failedBefore);
      done(row, subjectKey);
    } catch (error) {
      await failed(row, subjectKey, delivery, error);
    }
  }

  function enqueue(row: number, subjectKey: string, reclaim: boolean): void {
    queued.add(row);
    runner.add(subjectKey, () => handle(row, subjectKey, reclaim));
  }

  async function store(delivery: Parameters<typeof storeDelivery>[0]): Promise<number | undefined> {
    try {
      const row = await storeDelivery(delivery);
      options.onStored?.(true);
      return row;
    } catch (error) {
      options.onStored?.(false);
      throw error;
    }
  }

  async function acceptDelivery(delivery: ArrivingDelivery): Promise<Acceptance> {
    if (closed) throw new Error('the webhook inbox is closed');
    const event = repoEventSchema.safeParse(delivery.payload);
    if (!event.success || !isRecord(delivery.payload)) {
      log.warn(
        {
          delivery: delivery.id,
          event: delivery.name,
          problems: event.success ? 'not an object' : problemsOf(event.error),
        },
        'delivery without repository or installation ignored',
      );
      return 'not for us';
    }
    if (routeOf(delivery.name, event.data.action) === undefined) return 'not for us';
    const subjectKey = subjectKeyOf(delivery.payload);
    const row = await store({
      id: delivery.id,
      event: delivery.name,
      action: event.data.action,
      installationId: event.data.installation.id,
      subjectKey,
      payload: delivery.payload,
    });
    if (row === undefined) {
      log.info({ delivery: delivery.id, event: delivery.name }, 'delivery seen before: ignored');
      return 'seen before';
    }
    enqueue(row, subjectKey, false);
    return 'queued';
  }

  return {
    async accept(delivery) {
      const started = performance.now();
      const outcome = await acceptDelivery(delivery);
      options.onAnswered?.(delivery.name, outcome, (performance.now() - started) / 1000);
      return outcome;
    },
    async resume() {
      const rows = (await unhandledDeliveries(db)).filter((delivery) => !queued.has(delivery.row));
      const subjects = new Set<string>();
      for (const delivery of rows) {
        const first = !subjects.has(delivery.subjectKey);
        subjects.add(delivery.subjectKey);
        // A subject whose earliest delivery waits to be tried again waits with it; a retry behind another delivery
        // simply takes its turn.
        if (first && delivery.nextAttemptAt !== undefined) {
          const { row, subjectKey } = delivery;
          queued.add(row);
          holds.hold(subjectKey, row, delivery.nextAttemptAt, () => {
            if (!closed) runner.add(subjectKey, () => handle(row, subjectKey, true));
          });
        } else enqueue(delivery.row, delivery.subjectKey, true);
      }
      if (rows.length > 0) log.info({ deliveries: rows.length }, 'handling deliveries stored before a restart');
      return rows.length;
    },
    async idle() {
      for (;;) {
        await runner.idle();
        if (holds.size === 0 || closed) return;
        await holds.changed();
      }
    },
    async close(waitMs = 10_000) {
      closed = true;
      holds.clear();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(true);
        }, waitMs);
      });
      const done = await Promise.race([runner.idle().then(() => false), timedOut]);
      clearTimeout(timer);
      if (done)
        log.warn(
          { running: queued.size, waitedMs: waitMs },
          'stopped waiting for deliveries being handled: the next start handles them again',
        );
    },
  };
}
