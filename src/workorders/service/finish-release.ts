/** The end of a release run: its outcome stored, the order moved, the environment lock freed, at once. */
import type { ReleaseResult } from '../../deploy/types.ts';
import type { Actor, TransitionCause, WorkOrderState } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { userActor } from './audit-actions.ts';
import { releaseEnvironmentLock } from './environment-lock.ts';
import type { LifecycleEvent } from './lifecycle-events.ts';
import { lockWorkOrder } from './order-store.ts';
import type { PreparedRun } from './prepare-run.ts';
import type { ReleaseDeps } from './release-deps.ts';
import { workerActor, type StopReason } from './release-run.ts';
import { storeReleaseResult } from './stored-release.ts';

interface Ending {
  to: WorkOrderState;
  cause: TransitionCause;
  actor: Actor;
  reason: string;
}

function hostList(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/** How a release result moves the order; `partial` counts as failed so that `/retry-failed` can rerun those hosts. */
export function endingOf(result: ReleaseResult, stop: StopReason | undefined, system: Actor): Ending {
  const failed = result.hosts.filter((host) => host.outcome === 'failed').map((host) => host.host);
  switch (result.status) {
    case 'succeeded':
      return {
        to: 'succeeded',
        cause: 'release-succeeded',
        actor: system,
        reason: `released ${result.version} to ${hostList(result.hosts.map((host) => host.host))}`,
      };
    case 'partial':
      return {
        to: 'failed',
        cause: 'release-failed',
        actor: system,
        reason: `${hostList(failed)} failed (within max_failures) and went back; the other hosts run ${result.version}`,
      };
    case 'failed': {
      const first = result.failedHost;
      const reason =
        result.error !== undefined
          ? `the release could not start: ${result.error}`
          : first === undefined
            ? 'the release failed; switched hosts were rolled back'
            : `${first.host} failed at ${first.stage}: ${first.message}; switched hosts were rolled back`;
      return { to: 'failed', cause: 'release-failed', actor: system, reason };
    }
    case 'aborted':
      if (stop?.kind === 'requested') {
        const why = stop.request.reason === null ? '' : `: ${stop.request.reason}`;
        return {
          to: 'aborted',
          cause: 'aborted',
          actor: userActor(stop.request.actor),
          reason: `aborted by @${stop.request.actor}${why}; switched hosts were rolled back`,
        };
      }
      return {
        to: 'aborted',
        cause: 'aborted',
        actor: system,
        reason: 'the worker stopped; switched hosts were rolled back',
      };
  }
}

/**
 * Stores the result and moves the order in one transaction with freeing the lock. A worker that lost its lease
 * (another took the release over) stores nothing: the release is the other worker's now.
 */
export async function finishRelease(
  deps: Pick<ReleaseDeps, 'db' | 'workerId'>,
  prepared: PreparedRun,
  result: ReleaseResult,
  stop: StopReason | undefined,
  attempt: number,
): Promise<LifecycleEvent[]> {
  if (stop?.kind === 'lease-lost') {
    const message = `lost the environment lock during release ${result.releaseId}; another worker finishes it`;
    return [{ type: 'error', workOrderId: prepared.order.id, message }];
  }
  const ending = endingOf(result, stop, workerActor(deps.workerId));
  const moved = await deps.db.transaction(async (tx) => {
    const order = await lockWorkOrder(tx, prepared.order.id);
    if (order === undefined) throw new Error(`work order ${prepared.order.id} vanished`);
    await storeReleaseResult(tx, result);
    const applied =
      order.state === 'running'
        ? await applyCheckedTransition(tx, order, ending.to, endingTransition(ending, result, attempt))
        : undefined;
    await releaseEnvironmentLock(tx, prepared.key, { workOrderId: order.id, owner: deps.workerId });
    return applied?.moved;
  });
  return moved === undefined
    ? []
    : [{ type: 'transition', workOrderId: prepared.order.id, ...moved, reason: ending.reason }];
}

/** The audited transition of an ending, with the release's id, status, attempt and first failed host. */
function endingTransition(ending: Ending, result: ReleaseResult, attempt: number) {
  const failed = result.failedHost;
  return {
    cause: ending.cause,
    actor: ending.actor,
    reason: ending.reason,
    data: {
      releaseId: result.releaseId,
      status: result.status,
      attempt,
      failedHost: failed === undefined ? null : { host: failed.host, stage: failed.stage, message: failed.message },
    },
  };
}
