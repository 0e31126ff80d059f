/**
 * A `/rollback` of a released order, run by a worker that holds the environment lock. Targets are explicit per host
 * (the version asked for, else what each host ran before the order's release, as recorded when the release first
 * reached it), so running the rollback again after a worker died is harmless: hosts already back are left alone.
 */
import { sql } from 'drizzle-orm';
import type { ResolvedHost } from '../config/types.ts';
import { releases } from '../db/schema.ts';
import { rollbackEnvironment, type HostRollbackReport, type RollbackResult } from '../deploy/rollback-environment.ts';
import { applyCheckedTransition } from '../workorders/service/apply-transition.ts';
import { lastTransitionInto } from '../workorders/service/audit-queries.ts';
import { lockWorkOrder } from '../workorders/service/order-store.ts';
import { toJsonRecord } from '../workorders/service/plan-store.ts';
import { hostRunsOf } from '../workorders/service/release-store.ts';
import type { Actor } from '../workorders/types.ts';
import { releaseEnvironmentLock } from './environment-lock.ts';
import { startLeaseKeeper } from './lease-keeper.ts';
import type { PreparedRun } from './prepare-run.ts';
import { approvedPostDeploy } from './approved-hooks.ts';
import { rollbackRequestFor } from './rollback-request.ts';
import type { WorkerContext } from './worker-context.ts';

export interface RollbackRun {
  /** The version `/rollback` named; absent = each host's version before the order's release. */
  version: string | undefined;
  runningAuditId: number;
}

interface Targets {
  groups: Map<string, ResolvedHost[]>;
  /** Hosts with nowhere to go back to. */
  stuck: HostRollbackReport[];
}

async function rollbackTargets(ctx: WorkerContext, prepared: PreparedRun, version: string | undefined): Promise<Targets> {
  if (version !== undefined) return { groups: new Map([[version, prepared.hosts]]), stuck: [] };
  const started = await lastTransitionInto(ctx.db, prepared.order.id, 'running', 'started');
  const runs = started?.releaseId === undefined ? [] : await hostRunsOf(ctx.db, started.releaseId);
  const before = new Map<string, string | null>();
  for (const run of runs) if (!before.has(run.host)) before.set(run.host, run.previousVersion);
  const groups = new Map<string, ResolvedHost[]>();
  const stuck: HostRollbackReport[] = [];
  for (const target of prepared.hosts) {
    const name = target.entry.name;
    if (!before.has(name)) continue;
    const to = before.get(name) ?? null;
    if (to === null) {
      stuck.push({ host: name, from: null, to: null, ok: false, message: 'it ran no release before this work order', durationMs: 0 });
      continue;
    }
    groups.set(to, [...(groups.get(to) ?? []), target]);
  }
  return { groups, stuck };
}

/** Runs the rollback, stores its runs as releases, ends the order `failed` (rollback-finished or -failed), frees the lock. */
export async function executeRollback(ctx: WorkerContext, prepared: PreparedRun, run: RollbackRun): Promise<void> {
  const { groups, stuck } = await rollbackTargets(ctx, prepared, run.version);
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
    onError: (error) => ctx.emit({ type: 'error', workOrderId: prepared.order.id, message: `heartbeat failed: ${error instanceof Error ? error.message : String(error)}` }),
  });
  ctx.emit({ type: 'rollback-started', workOrderId: prepared.order.id, hosts: [...[...groups.values()].flat().map((target) => target.entry.name), ...stuck.map((report) => report.host)], to: run.version });
  const results: RollbackResult[] = [];
  const hooks = await approvedPostDeploy(ctx.db, prepared.key, groups.keys());
  try {
    for (const [to, hosts] of groups) {
      results.push(
        await rollbackEnvironment(
          rollbackRequestFor(prepared, hosts, to, hooks, { signal: abort.signal }),
          {
            connect: ctx.connectFor(prepared.order.repoFullName),
            onEvent: (event) => ctx.emit({ type: 'release', workOrderId: prepared.order.id, event }),
            actor: `yardmaster:${ctx.workerId}`,
          },
        ),
      );
    }
  } finally {
    await keeper.stop();
  }
  if (leaseLost) {
    ctx.emit({ type: 'error', workOrderId: prepared.order.id, message: 'lost the environment lock during the rollback; another worker finishes it' });
    return;
  }
  const reports = [...results.flatMap((result) => result.hosts), ...stuck];
  const failed = reports.filter((report) => !report.ok);
  ctx.emit({ type: 'rollback-finished', workOrderId: prepared.order.id, ok: failed.length === 0, hosts: reports });
  const reason =
    failed.length === 0
      ? `rolled back ${reports.length} host(s)${run.version === undefined ? '' : ` to ${run.version}`}`
      : `rollback failed on ${failed.map((report) => `${report.host} (${report.message})`).join(', ')}`;
  const system: Actor = { kind: 'system', component: ctx.workerId };
  const moved = await ctx.db.transaction(async (tx) => {
    const order = await lockWorkOrder(tx, prepared.order.id);
    if (order === undefined) throw new Error(`work order ${prepared.order.id} vanished`);
    for (const [index, result] of results.entries()) {
      await tx.insert(releases).values({
        workOrderId: order.id,
        releaseId: result.releaseId,
        repoFullName: order.repoFullName,
        app: result.app,
        environment: result.environment,
        version: [...groups.keys()][index] ?? 'previous',
        status: result.ok ? 'succeeded' : 'failed',
        startedAt: sql`now()`,
        finishedAt: sql`now()`,
        result: toJsonRecord({ kind: 'rollback', ...result }),
      });
    }
    const applied =
      order.state === 'running'
        ? await applyCheckedTransition(tx, order, 'failed', {
            cause: failed.length === 0 ? 'rollback-finished' : 'rollback-failed',
            actor: system,
            reason,
            data: { rollbacks: results.map((result) => result.releaseId), failedHosts: failed.map((report) => report.host) },
          })
        : undefined;
    await releaseEnvironmentLock(tx, prepared.key, { workOrderId: order.id, owner: ctx.workerId });
    return applied?.moved;
  });
  if (moved !== undefined) ctx.emit({ type: 'transition', workOrderId: prepared.order.id, ...moved, reason });
}
