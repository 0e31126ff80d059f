/**
 * A `/rollback`'s targets and its end. Targets are explicit per host (the version asked for, else what each host ran
 * before the order's release, as recorded when the release first reached it), so running the rollback again after a
 * worker died is harmless: hosts already back are left alone. At the end its runs are stored as releases, the order
 * ends `failed` (rollback-finished or rollback-failed) and the lock is freed, in one transaction.
 */
import { sql } from 'drizzle-orm';
import type { ResolvedHost } from '../../config/types.ts';
import { releases } from '../../db/index.ts';
import type { Tx } from '../../db/types.ts';
import type { HostRollbackReport, RollbackResult } from '../../deploy/index.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { lastTransitionInto } from './audit-queries.ts';
import { releaseEnvironmentLock } from './environment-lock.ts';
import type { LifecycleEvent } from './lifecycle-events.ts';
import { lockWorkOrder } from './order-store.ts';
import { toJsonRecord } from './plan-store.ts';
import type { PreparedRun } from './prepare-run.ts';
import type { ReleaseDeps } from './release-deps.ts';
import { workerActor } from './release-run.ts';
import { hostRunsOf } from './release-store.ts';
import type { WorkOrder } from './types.ts';

export interface RollbackTargets {
  /** Hosts by the version they go back to. */
  groups: Map<string, ResolvedHost[]>;
  /** Hosts with nowhere to go back to. */
  stuck: HostRollbackReport[];
}

/** Where each host of the prepared run goes: to `version`, else to what it ran before the order's release. */
export async function rollbackTargets(
  db: ReleaseDeps['db'],
  prepared: PreparedRun,
  version: string | undefined,
): Promise<RollbackTargets> {
  if (version !== undefined) return { groups: new Map([[version, prepared.hosts]]), stuck: [] };
  const started = await lastTransitionInto(db, prepared.order.id, 'running', 'started');
  const runs = started?.releaseId === undefined ? [] : await hostRunsOf(db, started.releaseId);
  const before = new Map<string, string | null>();
  for (const run of runs) if (!before.has(run.host)) before.set(run.host, run.previousVersion);
  const groups = new Map<string, ResolvedHost[]>();
  const stuck: HostRollbackReport[] = [];
  for (const target of prepared.hosts) {
    const name = target.entry.name;
    if (!before.has(name)) continue;
    const to = before.get(name) ?? null;
    if (to === null) {
      stuck.push({
        host: name,
        from: null,
        to: null,
        ok: false,
        message: 'it ran no release before this work order',
        durationMs: 0,
      });
      continue;
    }
    groups.set(to, [...(groups.get(to) ?? []), target]);
  }
  return { groups, stuck };
}

/** What the rollback did: one engine run per target version, and every host's report (stuck hosts included). */
export interface RollbackOutcome {
  version: string | undefined;
  runs: { to: string; result: RollbackResult }[];
  reports: HostRollbackReport[];
}

async function storeRollbackRuns(tx: Tx, order: WorkOrder, runs: RollbackOutcome['runs']): Promise<void> {
  for (const { to, result } of runs) {
    await tx.insert(releases).values({
      workOrderId: order.id,
      releaseId: result.releaseId,
      repoFullName: order.repoFullName,
      app: result.app,
      environment: result.environment,
      version: to,
      status: result.ok ? 'succeeded' : 'failed',
      startedAt: sql`now()`,
      finishedAt: sql`now()`,
      result: toJsonRecord({ kind: 'rollback', ...result }),
    });
  }
}

function rollbackReason(outcome: RollbackOutcome, failed: readonly HostRollbackReport[]): string {
  if (failed.length > 0)
    return `rollback failed on ${failed.map((report) => `${report.host} (${report.message})`).join(', ')}`;
  const to = outcome.version === undefined ? '' : ` to ${outcome.version}`;
  return `rolled back ${outcome.reports.length} host(s)${to}`;
}

/** Stores the rollback's runs, ends the order `failed` (rollback-finished or -failed) and frees the lock. */
export async function finishRollback(
  deps: Pick<ReleaseDeps, 'db' | 'workerId'>,
  prepared: PreparedRun,
  outcome: RollbackOutcome,
): Promise<LifecycleEvent[]> {
  const failed = outcome.reports.filter((report) => !report.ok);
  const reason = rollbackReason(outcome, failed);
  const moved = await deps.db.transaction(async (tx) => {
    const order = await lockWorkOrder(tx, prepared.order.id);
    if (order === undefined) throw new Error(`work order ${prepared.order.id} vanished`);
    await storeRollbackRuns(tx, order, outcome.runs);
    const applied =
      order.state === 'running'
        ? await applyCheckedTransition(tx, order, 'failed', {
            cause: failed.length === 0 ? 'rollback-finished' : 'rollback-failed',
            actor: workerActor(deps.workerId),
            reason,
            data: {
              rollbacks: outcome.runs.map((run) => run.result.releaseId),
              failedHosts: failed.map((report) => report.host),
            },
          })
        : undefined;
    await releaseEnvironmentLock(tx, prepared.key, { workOrderId: order.id, owner: deps.workerId });
    return applied?.moved;
  });
  return moved === undefined ? [] : [{ type: 'transition', workOrderId: prepared.order.id, ...moved, reason }];
}
