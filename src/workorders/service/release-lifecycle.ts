/**
 * The order lifecycle, in one place: approve → queue → lock → run → finish → recover.
 *
 * - approve: `recordVerdict` reaching the quorum (or `/deploy`, `/retry-failed`) moves the order to `approved` or
 *   `scheduled` and queues `release.start` through the same transaction (start-jobs.ts, release-jobs.ts).
 * - queue: the jobs go through the {@link ReleaseJobQueue} port; `src/dispatch` supplies pg-boss and works them.
 * - lock: `checkStartJob` then `beginRelease` refuse a stale job, fail or defer the order (start-refusals.ts), or
 *   take the environment lock (environment-lock.ts, its waiting line in lock-waiters.ts) and move the order to
 *   `running` in one transaction. `/rollback` does the same through `checkRollbackJob` and `beginRollback`.
 * - run: the worker runs the engine under a heartbeat that renews the lease (`renewEnvironmentLock`) and watches
 *   for `/abort` (`pendingAbortRequest`, abort-requests.ts). The lifecycle does not run the engine.
 * - finish: `finishRelease` / `finishRollback` store the outcome, move the order and free the lock at once.
 * - recover: `ordersToRecover` lists orders whose worker died; `recoverRelease` takes one over for resumption.
 *
 * Every entrance takes {@link ReleaseDeps} (the worker's identity, lease and sources beside the service's database,
 * queue and policy) and returns the events to report; none throws for an expected refusal.
 */
export type { ConfigLoader, ReleaseDeps } from './release-deps.ts';
export type { LifecycleEvent, SkipReason } from './lifecycle-events.ts';
export { ROLLBACK_QUEUE, START_QUEUE, rollbackJobSchema, startJobSchema } from './release-jobs.ts';
export type {
  ReleaseJob,
  ReleaseJobQueue,
  RollbackJobData,
  SendReleaseJobOptions,
  StartJobData,
} from './release-jobs.ts';
export type { ReleaseRun, RollbackRun, StopReason } from './release-run.ts';
export type { PreparedRun } from './prepare-run.ts';
export type { EnvironmentKey } from './environment-key.ts';
export { checkStartJob, beginRelease, type BegunRelease, type StartCheck } from './begin-release.ts';
export { checkRollbackJob, beginRollback, type BegunRollback, type RollbackCheck } from './rollback-release.ts';
export { renewEnvironmentLock, type LockClaim } from './environment-lock.ts';
export { pendingAbortRequest, type AbortRequest } from './abort-requests.ts';
export { finishRelease } from './finish-release.ts';
export { finishRollback, rollbackTargets, type RollbackOutcome, type RollbackTargets } from './finish-rollback.ts';
export { ordersToRecover, recoverRelease, type RecoveredRun, type Recovery } from './recover-release.ts';
export { approvedPostDeploy } from './approved-hooks.ts';
