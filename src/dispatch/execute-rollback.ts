/**
 * A `/rollback` of a released order, run by a worker that holds the environment lock: the engine switches each group
 * of hosts back under the lease heartbeat, then the lifecycle ends the order (finishRollback).
 */
import { rollbackEnvironment } from '../deploy/index.ts';
import type { ReleaseEvent } from '../deploy/types.ts';
import {
  approvedPostDeploy,
  finishRollback,
  rollbackTargets,
  type PreparedRun,
  type RollbackOutcome,
  type RollbackRun,
  type RollbackTargets,
} from '../workorders/service/index.ts';
import { startLeaseKeeper } from './lease-keeper.ts';
import { rollbackRequestFor } from './rollback-request.ts';
import type { WorkerContext } from './worker-context.ts';

/** Switches each group of hosts back to its version, one group after the other. */
async function rollBackGroups(
  ctx: WorkerContext,
  prepared: PreparedRun,
  groups: RollbackTargets['groups'],
  signal: AbortSignal,
): Promise<RollbackOutcome['runs']> {
  const runs: RollbackOutcome['runs'] = [];
  const hooks = await approvedPostDeploy(ctx.db, prepared.key, groups.keys());
  const engine = {
    connect: ctx.connectFor(prepared.order.repoFullName),
    onEvent: (event: ReleaseEvent) => {
      ctx.emit({ type: 'release', workOrderId: prepared.order.id, event });
    },
    actor: `yardmaster:${ctx.workerId}`,
  };
  for (const [to, hosts] of groups) {
    runs.push({
      to,
      result: await rollbackEnvironment(rollbackRequestFor(prepared, hosts, to, hooks, { signal }), engine),
    });
  }
  return runs;
}

/** Runs the rollback under the lease heartbeat and ends it (see the top of this file). */
export async function executeRollback(ctx: WorkerContext, prepared: PreparedRun, run: RollbackRun): Promise<void> {
  const orderId = prepared.order.id;
  const { groups, stuck } = await rollbackTargets(ctx.db, prepared, run.version);
  const abort = new AbortController();
  let leaseLost = false;
  const keeper = startLeaseKeeper(ctx.db, {
    key: prepared.key,
    claim: { workOrderId: orderId, owner: ctx.workerId, leaseMs: ctx.leaseMs },
    intervalMs: ctx.heartbeatMs,
    sinceAuditId: run.runningAuditId,
    // A rollback is itself the way back; it is not aborted.
    onAbortRequest: () => undefined,
    onLeaseLost: () => {
      leaseLost = true;
      abort.abort();
    },
    onError: (error) => {
      ctx.emit({ type: 'error', workOrderId: orderId, message: `heartbeat failed: ${errorText(error)}` });
    },
  });
  const hostNames = [
    ...[...groups.values()].flat().map((target) => target.entry.name),
    ...stuck.map((report) => report.host),
  ];
  ctx.emit({ type: 'rollback-started', workOrderId: orderId, hosts: hostNames, to: run.version });
  let runs: RollbackOutcome['runs'];
  try {
    runs = await rollBackGroups(ctx, prepared, groups, abort.signal);
  } finally {
    await keeper.stop();
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the heartbeat while the rollback runs
  if (leaseLost) {
    const message = 'lost the environment lock during the rollback; another worker finishes it';
    ctx.emit({ type: 'error', workOrderId: orderId, message });
    return;
  }
  const reports = [...runs.flatMap((entry) => entry.result.hosts), ...stuck];
  ctx.emit({
    type: 'rollback-finished',
    workOrderId: orderId,
    ok: reports.every((report) => report.ok),
    hosts: reports,
  });
  for (const event of await finishRollback(ctx, prepared, { version: run.version, runs, reports })) ctx.emit(event);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
