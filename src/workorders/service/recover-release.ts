/**
 * Recovering an order whose worker died: it is `running`, and its environment lock's lease ran out. The lock is
 * taken over (only possible once the lease expired, so a live worker is never raced) and the takeover is audited;
 * the worker then finishes the run: a release is resumed (hosts in doubt switched back, then the release run again
 * with the same id), a rollback is run again (its targets are explicit per host).
 */
import { appendAudit } from '../../db/index.ts';
import { AUDIT_ACTIONS, SYSTEM_ACTOR } from './audit-actions.ts';
import { lastTransitionInto, type TransitionRow } from './audit-queries.ts';
import {
  acquireEnvironmentLock,
  expiredRunningLocks,
  readEnvironmentLock,
  type EnvironmentLockRow,
} from './environment-lock.ts';
import type { LifecycleEvent } from './lifecycle-events.ts';
import { getWorkOrder, lockWorkOrder } from './order-store.ts';
import { prepareRun, type PreparedRun } from './prepare-run.ts';
import { lockClaim, type ReleaseDeps } from './release-deps.ts';
import type { ReleaseRun, RollbackRun } from './release-run.ts';
import { hostRunsOf, latestRelease } from './release-store.ts';

/** What the worker runs once it took a dead worker's order over. */
export type RecoveredRun =
  | { kind: 'rollback'; prepared: PreparedRun; run: RollbackRun }
  | { kind: 'release'; prepared: PreparedRun; run: ReleaseRun }
  | { kind: 'none'; events: LifecycleEvent[] };

export type Recovery =
  | { outcome: 'not-running' | 'busy' }
  | { outcome: 'unprepared'; events: LifecycleEvent[] }
  | { outcome: 'resumed'; resume: RecoveredRun };

/** Orders whose release lost its worker: running, with an expired lease on their environment lock. */
export async function ordersToRecover(db: ReleaseDeps['db']): Promise<number[]> {
  const locks = await expiredRunningLocks(db);
  return locks.flatMap((lock) => (lock.holderWorkOrderId === null ? [] : [lock.holderWorkOrderId]));
}

interface Takeover {
  orderId: number;
  last: TransitionRow;
  releaseId: string | undefined;
  before: EnvironmentLockRow | undefined;
}

/** Takes the lock over from the dead worker and audits it, in one transaction; false when someone else holds it. */
async function takeOver(deps: ReleaseDeps, prepared: PreparedRun, takeover: Takeover): Promise<boolean> {
  const { orderId, last, releaseId, before } = takeover;
  return deps.db.transaction(async (tx) => {
    const locked = await lockWorkOrder(tx, orderId);
    if (locked?.state !== 'running') return false;
    const lock = await acquireEnvironmentLock(tx, prepared.key, lockClaim(deps, orderId));
    if (!lock.ok) return false;
    await appendAudit(tx, {
      actor: SYSTEM_ACTOR,
      action: AUDIT_ACTIONS.releaseRecovered,
      workOrderId: orderId,
      reason: `worker ${deps.workerId} takes over from ${before?.owner ?? 'a stopped worker'}`,
      data: {
        cause: last.cause,
        releaseId: releaseId ?? null,
        previousOwner: before?.owner ?? null,
        worker: deps.workerId,
      },
    });
    return true;
  });
}

/** What the taken-over order runs: its rollback again, or its release resumed with the next attempt. */
async function recoveredRun(deps: ReleaseDeps, prepared: PreparedRun, takeover: Takeover): Promise<RecoveredRun> {
  const { orderId, last, releaseId } = takeover;
  if (last.cause === 'rollback-started')
    return { kind: 'rollback', prepared, run: { version: last.version, runningAuditId: last.auditId } };
  if (releaseId === undefined)
    return {
      kind: 'none',
      events: [{ type: 'error', workOrderId: orderId, message: 'running without a release to resume' }],
    };
  const attempts = (await hostRunsOf(deps.db, releaseId)).map((run) => run.attempt);
  const attempt = Math.max(0, ...attempts) + 1;
  return {
    kind: 'release',
    prepared,
    run: { releaseId, attempt, runningAuditId: last.auditId, mode: { kind: 'resume' } },
  };
}

/** Takes over the order if it runs and nobody live holds its lock; see the top of this file. */
export async function recoverRelease(deps: ReleaseDeps, orderId: number): Promise<Recovery> {
  const order = await getWorkOrder(deps.db, orderId);
  if (order?.state !== 'running') return { outcome: 'not-running' };
  const last = await lastTransitionInto(deps.db, orderId, 'running');
  if (last === undefined) return { outcome: 'not-running' };
  // It continues an approved release: the approved settings, whatever the config says now.
  const prepared = await prepareRun(deps, order, { settings: 'approved' });
  if (!prepared.ok)
    return {
      outcome: 'unprepared',
      events: [{ type: 'error', workOrderId: orderId, message: `cannot resume: ${prepared.message}` }],
    };
  const before = await readEnvironmentLock(deps.db, prepared.run.key);
  // A rollback still waiting for the lock: its own job gets it in turn.
  if (last.cause === 'rollback-started' && before?.holderWorkOrderId !== orderId) return { outcome: 'busy' };
  const releaseId = last.releaseId ?? (await latestRelease(deps.db, orderId))?.releaseId;
  const takeover = { orderId, last, releaseId, before };
  if (!(await takeOver(deps, prepared.run, takeover))) return { outcome: 'busy' };
  return { outcome: 'resumed', resume: await recoveredRun(deps, prepared.run, takeover) };
}
