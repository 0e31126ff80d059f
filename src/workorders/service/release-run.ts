/** Which run of an order's release (or rollback) a worker executes, and why a run stopped early. */
import type { RetrySource } from '../../deploy/index.ts';
import type { Actor } from '../types.ts';
import type { AbortRequest } from './abort-requests.ts';

/** Which run of the release this is. */
export interface ReleaseRun {
  releaseId: string;
  /** 1 for the first run; retries and resumptions count up (host_runs keep each attempt). */
  attempt: number;
  /** The audit row of the order's move to `running`: abort requests after it count. */
  runningAuditId: number;
  mode: { kind: 'fresh' } | { kind: 'retry'; previous: RetrySource } | { kind: 'resume' };
}

export interface RollbackRun {
  /** The version `/rollback` named; absent = each host's version before the order's release. */
  version: string | undefined;
  runningAuditId: number;
}

/** Why a run stopped before its end. */
export type StopReason = { kind: 'requested'; request: AbortRequest } | { kind: 'lease-lost' } | { kind: 'stopping' };

/** The worker, as the actor of the transitions it makes. */
export function workerActor(workerId: string): Actor {
  return { kind: 'system', component: workerId };
}
