/**
 * The jobs of the order lifecycle and the queue port they go through: `release.start` (an approved order's release,
 * queued in the approval's transaction) and `release.rollback` (a `/rollback` of a released order). The lifecycle
 * only sends and cancels them, always inside its own transactions; `src/dispatch` supplies the queue (pg-boss, with
 * its retry and expiry settings) and works the jobs.
 */
import { z } from 'zod';
import type { DbExecutor } from '../../db/types.ts';

const workOrderId = z.number().int().positive();

/** Starts (or retries, or resumes) the release of an order's current plan; refused by the worker for another digest. */
export const startJobSchema = z.object({
  workOrderId,
  /** The plan digest the approvals were for. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  /** `/retry-failed`: run the order's last release again on the hosts that did not end on it. */
  retry: z.boolean().optional(),
  /** `/deploy --override-freeze`: who overrode the environment's freeze windows and why (also in the audit log). */
  freezeOverride: z.object({ actor: z.string().min(1), reason: z.string().min(1) }).optional(),
});
export type StartJobData = z.infer<typeof startJobSchema>;

/** Switches every host of an order's release back: to `version`, else to what each host ran before the release. */
export const rollbackJobSchema = z.object({ workOrderId, version: z.string().min(1).optional() });
export type RollbackJobData = z.infer<typeof rollbackJobSchema>;

/** Runs the pre-flight (the check stage, read-only, on every host) of one plan version; `attempt` as stored. */
export const preflightJobSchema = z.object({
  workOrderId,
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  attempt: z.number().int().positive(),
});
export type PreflightJobData = z.infer<typeof preflightJobSchema>;

export const START_QUEUE = 'release.start';
export const PREFLIGHT_QUEUE = 'preflight.run';
export const ROLLBACK_QUEUE = 'release.rollback';

/** How a job is sent: through the caller's transaction, not before `startAfter`, once per `singletonKey`. */
export interface SendReleaseJobOptions {
  tx?: DbExecutor;
  startAfter?: Date;
  singletonKey?: string;
}

/** A job as its handler gets it. */
export interface ReleaseJob<Data> {
  id: string;
  data: Data;
}

/** The port: what the lifecycle needs of a job queue (the dispatch's pg-boss queue is one). */
export interface ReleaseJobQueue {
  /** Enqueues a job; null when the queue refused it as a duplicate of its singletonKey. */
  send(name: typeof START_QUEUE, data: StartJobData, options?: SendReleaseJobOptions): Promise<string | null>;
  send(name: typeof ROLLBACK_QUEUE, data: RollbackJobData, options?: SendReleaseJobOptions): Promise<string | null>;
  send(name: typeof PREFLIGHT_QUEUE, data: PreflightJobData, options?: SendReleaseJobOptions): Promise<string | null>;
  /** Cancels a job that has not finished (through `tx`); false if it had finished already. */
  cancel(
    name: typeof START_QUEUE | typeof ROLLBACK_QUEUE,
    jobId: string,
    options?: { tx?: DbExecutor },
  ): Promise<boolean>;
}
