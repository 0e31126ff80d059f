/** Types of the job queue: queue definitions (name → payload schema + settings) and what handlers receive. */
import type { z } from 'zod';
import type { DbExecutor } from '../db/types.ts';

/**
 * How pg-boss treats jobs of one queue with the same singletonKey:
 * `standard` no limit; `exclusive` at most one queued-or-active job per key (a second send returns null);
 * `singleton` at most one active job per key (others wait); `stately` one queued and one active per key.
 */
export type QueuePolicy = 'standard' | 'exclusive' | 'singleton' | 'stately';

/** One queue: the schema every job's data is checked against (on send and again on receipt), and its settings. */
export interface QueueDefinition<Data extends object = object> {
  schema: z.ZodType<Data>;
  /** Fixed when the queue is first created: pg-boss cannot change a queue's policy later. */
  policy?: QueuePolicy;
  /** Attempts after the first when the handler throws (pg-boss default 2). */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Doubles the delay after each failed attempt (with jitter): for deliveries to services that may be down a while. */
  retryBackoff?: boolean;
  /** How long a job may stay active before pg-boss fails it (default 15 min): set above the longest release. */
  expireInSeconds?: number;
  /**
   * Seconds (>= 10) without a heartbeat after which an active job counts as lost (its worker died) and is retried,
   * instead of waiting out expireInSeconds. pg-boss heartbeats running handlers by itself; the handler does nothing.
   * Fixed when the queue is first created, like the policy.
   */
  heartbeatSeconds?: number;
}

export type QueueDefinitions = Readonly<Record<string, QueueDefinition>>;

/** The data type of queue `N`. */
export type JobData<D extends QueueDefinitions, N extends keyof D> =
  D[N] extends QueueDefinition<infer Data> ? Data : never;

export interface SendJobOptions {
  /** Not picked up before this time (a work order's scheduled time). */
  startAfter?: Date;
  /** With an `exclusive`/`singleton`/`stately` queue, the key the policy applies to (e.g. the work order id). */
  singletonKey?: string;
  /**
   * Insert the job through this transaction, so it commits or rolls back with the caller's other writes
   * ("the approval and the job enqueue happen in one transaction"). On PGlite this is required whenever a
   * transaction is open: the one connection is held by it, and a send outside it would wait for it forever.
   */
  tx?: DbExecutor;
}

export interface QueueJob<Data> {
  id: string;
  data: Data;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Aborted when the job expires or the queue stops without waiting. */
  signal: AbortSignal;
}

export interface WorkJobOptions {
  /** Handlers of this queue running at once in this process (default 1). */
  concurrency?: number;
  /**
   * Seconds between polls (default 2, minimum 0.5). New jobs wake workers at once through LISTEN/NOTIFY; the poll
   * is what starts a job whose startAfter has come, so it bounds how late a scheduled job starts.
   */
  pollingIntervalSeconds?: number;
}

/** A thin typed face over pg-boss. */
export interface Queue<D extends QueueDefinitions> {
  /** Enqueues a job; null when a queue policy refused it as a duplicate of its singletonKey. */
  send<N extends keyof D & string>(name: N, data: JobData<D, N>, options?: SendJobOptions): Promise<string | null>;
  /**
   * Starts a worker: `handler` gets one job at a time; returning completes it, throwing fails it (retried up to
   * retryLimit). Data that no longer matches the queue's schema fails the job without calling the handler.
   * Resolves to the worker id.
   */
  work<N extends keyof D & string>(
    name: N,
    handler: (job: QueueJob<JobData<D, N>>) => Promise<void>,
    options?: WorkJobOptions,
  ): Promise<string>;
  /**
   * Cancels a job that has not finished; true if it was cancelled, false if it had already finished (or never
   * existed). Pass `tx` to cancel together with the change that makes the job moot (a new plan digest, an abort).
   * A job already running is marked cancelled, but its handler is not interrupted: that is the caller's to do.
   */
  cancel(name: keyof D & string, jobId: string, options?: { tx?: DbExecutor }): Promise<boolean>;
  /** Jobs of each queue: queued (ready, deferred, blocked) and active; pg-boss's counts, refreshed by its maintenance. */
  depth(): Promise<{ queue: string; queued: number; active: number }[]>;
  /** Stops every worker, waiting up to `timeoutMs` (default 30 s) for running handlers, then lets go of the database. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}
