/**
 * The webhook inbox: GitHub's answer waits only for the delivery to be stored (signature already checked by Probot,
 * payload parsed here); the handling — repo config, the work-order service, replies to GitHub — runs after, in order
 * per subject (issue, pull request, order) and side by side across subjects. Deliveries stored but not handled when
 * a process stopped are handled when the next one starts.
 */
import { performance } from 'node:perf_hooks';
import type { AppDeps } from './app-deps.ts';
import { createDeliveryBatcher } from './delivery-batcher.ts';
import { claimDelivery, finishDelivery, unhandledDeliveries } from './delivery-log.ts';
import { routeOf } from './delivery-routes.ts';
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
  /** Resolves once every delivery queued so far is handled. */
  idle(): Promise<void>;
  /**
   * Takes no more deliveries into handling and waits (at most `waitMs`, default 10 s) for those running; the rest
   * stay stored, and the next start handles them (those cut off while running, again from the start).
   */
  close(waitMs?: number): Promise<void>;
}

/** A log whose lines say which delivery they are about. */
function deliveryLog(log: InboxLog, fields: { delivery: string; event: string }): InboxLog {
  return {
    info: (more, message) => log.info({ ...fields, ...more }, message),
    warn: (more, message) => log.warn({ ...fields, ...more }, message),
    error: (more, message) => log.error({ ...fields, ...more }, message),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createDeliveryInbox(options: DeliveryInboxOptions): DeliveryInbox {
  const { deps, log } = options;
  const db = deps.service.db;
  const runner = createKeyedSerialRunner(options.concurrency ?? 8, (error) => log.error({ err: error }, 'delivery handling failed'));
  /** Rows queued or running in this process, so that a resume never queues one twice. */
  const queued = new Set<number>();
  const storeDelivery = createDeliveryBatcher(db);
  let closed = false;

  async function handle(row: number, reclaim: boolean): Promise<void> {
    try {
      if (closed) return;
      const delivery = await claimDelivery(db, row, reclaim);
      if (delivery === undefined) return;
      const rowLog = deliveryLog(log, { delivery: delivery.id, event: delivery.event });
      try {
        const event = repoEventSchema.parse(delivery.payload);
        const handler = routeOf(delivery.event, event.action);
        if (handler !== undefined) {
          const github = await options.githubFor(delivery.installationId);
          await handler(createSession(deps, github, rowLog, delivery.id, event), delivery.payload);
        }
        await finishDelivery(db, row, 'handled');
      } catch (error) {
        rowLog.error({ err: error }, 'delivery handling failed; a redelivery from GitHub tries again');
        await finishDelivery(db, row, 'failed', error instanceof Error ? error.message : String(error));
      }
    } finally {
      queued.delete(row);
    }
  }

  function enqueue(row: number, subjectKey: string, reclaim: boolean): void {
    queued.add(row);
    runner.add(subjectKey, () => handle(row, reclaim));
  }

  async function acceptDelivery(delivery: ArrivingDelivery): Promise<Acceptance> {
    if (closed) throw new Error('the webhook inbox is closed');
    const event = repoEventSchema.safeParse(delivery.payload);
    if (!event.success || !isRecord(delivery.payload)) {
      log.warn({ delivery: delivery.id, event: delivery.name, problems: event.success ? 'not an object' : problemsOf(event.error) }, 'delivery without repository or installation ignored');
      return 'not for us';
    }
    if (routeOf(delivery.name, event.data.action) === undefined) return 'not for us';
    const subjectKey = subjectKeyOf(delivery.payload);
    const row = await storeDelivery({
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
      for (const delivery of rows) enqueue(delivery.row, delivery.subjectKey, true);
      if (rows.length > 0) log.info({ deliveries: rows.length }, 'handling deliveries stored before a restart');
      return rows.length;
    },
    idle: () => runner.idle(),
    async close(waitMs = 10_000) {
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), waitMs);
      });
      const done = await Promise.race([runner.idle().then(() => false), timedOut]);
      clearTimeout(timer);
      if (done) log.warn({ running: queued.size, waitedMs: waitMs }, 'stopped waiting for deliveries being handled: the next start handles them again');
    },
  };
}
