/**
 * The pg-boss settings of the order lifecycle's queues (their jobs are defined in the work-order service's
 * release-jobs.ts): `release.start`, `release.rollback` and `preflight.run`. Open the queue with
 * `openQueue(database, { queues: RELEASE_QUEUES })` in every process that sends or works them.
 */
import {
  PREFLIGHT_QUEUE,
  ROLLBACK_QUEUE,
  START_QUEUE,
  preflightJobSchema,
  rollbackJobSchema,
  startJobSchema,
} from '../workorders/service/index.ts';
import type { Queue } from './types.ts';

export {
  PREFLIGHT_QUEUE,
  ROLLBACK_QUEUE,
  START_QUEUE,
  preflightJobSchema,
  rollbackJobSchema,
  startJobSchema,
} from '../workorders/service/index.ts';
export type { PreflightJobData, RollbackJobData, StartJobData } from '../workorders/service/index.ts';

const SIX_HOURS = 6 * 3600;

/**
 * Both queues retry a handler that threw (a database hiccup) a few times. pg-boss heartbeats a running handler;
 * a worker that dies stops heartbeating and its job is retried, while the environment lock's own, shorter lease
 * lets another worker resume the release sooner (see release-worker.ts). The expiry only bounds a hung handler.
 */
export const RELEASE_QUEUES = {
  [START_QUEUE]: {
    schema: startJobSchema,
    retryLimit: 3,
    retryDelaySeconds: 5,
    expireInSeconds: SIX_HOURS,
    heartbeatSeconds: 60,
  },
  [ROLLBACK_QUEUE]: {
    schema: rollbackJobSchema,
    retryLimit: 3,
    retryDelaySeconds: 5,
    expireInSeconds: SIX_HOURS,
    heartbeatSeconds: 60,
  },
  /** Pre-flight reads hosts only: a failed handler is retried once; every host is bounded, so ten minutes is ample. */
  [PREFLIGHT_QUEUE]: {
    schema: preflightJobSchema,
    retryLimit: 1,
    retryDelaySeconds: 5,
    expireInSeconds: 600,
  },
} as const;

export type ReleaseQueueDefinitions = typeof RELEASE_QUEUES;

/** The job queue as the release worker uses it; the work-order service sees it through its ReleaseJobQueue port. */
export type ReleaseQueue = Queue<ReleaseQueueDefinitions>;
