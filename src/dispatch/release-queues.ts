/**
 * The queues of work-order releases: `release.start` (an approved order's release, queued in the approval's
 * transaction) and `release.rollback` (a `/rollback` of a released order). Open the queue with
 * `openQueue(database, { queues: RELEASE_QUEUES })` in every process that sends or works them.
 */
import { z } from 'zod';
import type { Queue } from './types.ts';

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

export const START_QUEUE = 'release.start';
export const ROLLBACK_QUEUE = 'release.rollback';

const SIX_HOURS = 6 * 3600;

/**
 * Both queues retry a handler that threw (a database hiccup) a few times. pg-boss heartbeats a running handler;
 * a worker that dies stops heartbeating and its job is retried, while the environment lock's own, shorter lease
 * lets another worker resume the release sooner (see release-worker.ts). The expiry only bounds a hung handler.
 */
export const RELEASE_QUEUES = {
  [START_QUEUE]: { schema: startJobSchema, retryLimit: 3, retryDelaySeconds: 5, expireInSeconds: SIX_HOURS, heartbeatSeconds: 60 },
  [ROLLBACK_QUEUE]: { schema: rollbackJobSchema, retryLimit: 3, retryDelaySeconds: 5, expireInSeconds: SIX_HOURS, heartbeatSeconds: 60 },
} as const;

export type ReleaseQueueDefinitions = typeof RELEASE_QUEUES;

/** The job queue as the work-order service and the release worker use it. */
export type ReleaseQueue = Queue<ReleaseQueueDefinitions>;
