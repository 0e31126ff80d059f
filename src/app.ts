/**
 * The Probot app: every event Yardmaster acts on goes into the webhook inbox (stored, answered), whose handlers in
 * src/github run after the answer; with redeliveries on, deliveries GitHub could not hand over are asked for again at
 * start and after an outage. Wiring only.
 */
import { sql } from 'drizzle-orm';
import type { ApplicationFunction } from 'probot';
import { processHolderId, takePeriodicTurn } from './db/index.ts';
import {
  type AppDeps,
  createDeliveryInbox,
  createRedeliveryTrigger,
  type DeliveryInbox,
  type DeliveryInboxOptions,
  type RedeliveryTrigger,
  type RedeliveryTriggerOptions,
  ROUTED_EVENTS,
} from './github/index.ts';

export type { AppDeps } from './github/index.ts';

/** The lease name of the redelivery sweep (at start and after an outage, one server at a time). */
export const REDELIVERY_SWEEP_JOB = 'github.redelivery-sweep';

/** Yardmaster's GitHub App: the Probot app function and its inbox's life. */
export interface YardmasterApp {
  /** The Probot app function: subscribes to the events and handles deliveries a stopped process left behind. */
  load: ApplicationFunction;
  /** Resolves once every delivery received so far is handled (tests, shutdown). */
  idle(): Promise<void>;
  /** Takes no more deliveries into handling and waits (bounded) for those running; the rest wait, stored, for the next start. */
  close(waitMs?: number): Promise<void>;
  /** Resolves once no redelivery sweep is under way. */
  swept(): Promise<void>;
}

/** What may be set; `redeliveries` (absent: off) sweeps GitHub for deliveries it recorded as failed. */
export interface YardmasterAppOptions
  extends Pick<DeliveryInboxOptions, 'concurrency' | 'onAnswered' | 'retry' | 'leaseMs' | 'stallSweepMs' | 'holder'> {
  redeliveries?: Pick<RedeliveryTriggerOptions, 'bounds' | 'probeIntervalMs' | 'recoveryDelayMs' | 'onSwept'>;
}

/** Yardmaster's webhook handling, over the work-order service in `deps`. */
export function createYardmasterApp(deps: AppDeps, options: YardmasterAppOptions = {}): YardmasterApp {
  const { redeliveries, ...inboxOptions } = options;
  let inbox: DeliveryInbox | undefined;
  let trigger: RedeliveryTrigger | undefined;
  return {
    load: async (app) => {
      const db = deps.service.db;
      const redelivery =
        redeliveries === undefined
          ? undefined
          : createRedeliveryTrigger({
              db,
              app: () => app.auth(),
              log: app.log,
              probe: async () => {
                await db.execute(sql`select 1`);
              },
              // One sweep at a time across servers: the server holding the lease (a minute from its last sweep).
              mayRun: async () => (await takePeriodicTurn(db, REDELIVERY_SWEEP_JOB, processHolderId(), 0, 60_000)).held,
              ...redeliveries,
            });
      trigger = redelivery;
      const loaded = createDeliveryInbox({
        deps,
        githubFor: (installationId) => app.auth(installationId),
        log: app.log,
        ...inboxOptions,
        ...(redelivery === undefined
          ? {}
          : {
              onStored: (ok: boolean) => {
                redelivery.stored(ok);
              },
            }),
      });
      inbox = loaded;
      app.on([...ROUTED_EVENTS], async (context) => {
        await loaded.accept({ id: context.id, name: context.name, payload: context.payload });
      });
      await loaded.resume();
      void redelivery?.sweep();
    },
    idle: () => inbox?.idle() ?? Promise.resolve(),
    async close(waitMs) {
      await trigger?.stop(waitMs);
      await inbox?.close(waitMs);
    },
    swept: () => trigger?.settled() ?? Promise.resolve(),
  };
}
