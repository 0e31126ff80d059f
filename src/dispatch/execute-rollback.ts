/**
 * A `/rollback` of a released order, run by a worker that holds the environment lock: the engine switches each group
 * of hosts back under the lease heartbeat, then the lifecycle ends the order (finishRollback).
 */
import { rollbackEnvironment } from '../deploy/rollback-environment.ts';
import {
  approvedPostDeploy,
  finishRollback,
  rollbackTargets,
  type PreparedRun,
  type RollbackOutcome,
  type RollbackRun,
} from '../workorders/service/index.ts';
import { startLeaseKeeper } from './lease-keeper.ts';
import { rollbackRequestFor } from './rollback-request.ts';
import type { WorkerContext } from './worker-context.ts';

/** Runs the rollback and ends it (see the top of this file). */
export async function executeRollback(ctx: WorkerContext, prepared: PreparedRun, run: RollbackRun): Promise<void> {
  const { groups, stuck } = await rollbackTargets(ctx.db, prepared, run.version);
  const abort = new AbortController();
  let leaseLost = false;
  const keeper = startLeaseKeeper(ctx.db, {
    key: prepared.key,
    claim: { workOrderId: prepared.order.id, owner: ctx.workerId, leaseMs: ctx.leaseMs },
    intervalMs: ctx.heartbeatMs,
    sinceAuditId: run.runningAuditId,
    // A rollback is itself the way back; it is not aborted.
    onAbortRequest: () => undefined,
    onLeaseLost: () => {
      leaseLost = true;
      abort.abort();
    },
    onError: (error) =>
      ctx.emit({
        type: 'error',
        workOrderId: prepared.order.id,
        message: `heartbeat failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
  });
  const hostNames = [
    ...[...groups.values()].flat().map((target) => target.entry.name),
    ...stuck.map((report) => report.host),
  ];
  ctx.emit({ type: 'rollback-started', workOrderId: prepared.order.id, hosts: hostNames, to: run.version });
  const runs: RollbackOutcome['runs'] = [];
  const hooks = await approvedPostDeploy(ctx.db, prepared.key, groups.keys());
  try {
    for (const [to, hosts] of groups) {
      const result = await rollbackEnvironment(
        rollbackRequestFor(prepared, hosts, to, hooks, { signal: abort.signal }),
        {
          connect: ctx.connectFor(prepared.order.repoFullName),
          onEvent: (event) => ctx.emit({ type: 'release', workOrderId: prepared.order.id, event }),
          actor: `yardmaster:${ctx.workerId}`,
        },
      );
      runs.push({ to, result });
    }
  } finally {
    await keeper.stop();
  }
  if (leaseLost) {
    ctx.emit({
      type: 'error',
      workOrderId: prepared.order.id,
      message: 'lost the environment lock during the rollback; another worker finishes it',
    });
    return;
  }
  const reports = [...runs.flatMap((entry) => entry.result.hosts), ...stuck];
  ctx.emit({
    type: 'rollback-finished',
    workOrderId: prepared.order.id,
    ok: reports.every((report) => report.ok),
    hosts: reports,
  });
  for (const event of await finishRollback(ctx, prepared, { version: run.version, runs, reports })) ctx.emit(event);
}
