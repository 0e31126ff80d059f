/**
 * Before a release whose worker died is run again, every host it may have left half-way is switched back to what it
 * ran before. A host is in doubt when the dead attempt recorded reaching it (host_runs row, outcome still
 * `untouched`) but not how it ended, and it ran another version before: it may have been switched without passing
 * its health check. Hosts the attempt finished need nothing: the engine leaves them released (skipped as unchanged
 * when the release runs again) or back on their earlier release.
 */
import { and, eq } from 'drizzle-orm';
import { posix } from 'node:path';
import type { ResolvedHost } from '../config/types.ts';
import { hostRuns } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import { type HostRollbackReport, rollbackEnvironment } from '../deploy/index.ts';
import type { ConnectHost } from '../deploy/types.ts';
import { shellQuote } from '../executors/index.ts';
import { approvedPostDeploy, hostRunsOf, type HostRunRow, type PreparedRun } from '../workorders/service/index.ts';
import { rollbackRequestFor } from './rollback-request.ts';

export interface RecoveredHost {
  host: string;
  to: string | null;
  ok: boolean;
  message: string;
}

/** The rows of the latest attempt that never got an outcome, for hosts that ran another version before. */
export function hostsInDoubt(runs: readonly HostRunRow[], version: string): HostRunRow[] {
  const last = Math.max(0, ...runs.map((run) => run.attempt));
  return runs.filter((run) => run.attempt === last && run.outcome === 'untouched' && run.previousVersion !== version);
}

/** A host that had no release before: `current` is removed if it points at this release's version. */
async function removeCurrent(connect: ConnectHost, target: ResolvedHost, version: string): Promise<RecoveredHost> {
  const host = target.entry.name;
  const signal = new AbortController().signal;
  try {
    const executor = await connect(target.entry, signal);
    try {
      const current = shellQuote(posix.join(target.deployTo, 'current'));
      const script = `if [ "$(readlink ${current} 2>/dev/null)" = ${shellQuote(`releases/${version}`)} ]; then rm -f ${current}; fi`;
      const result = await executor.exec(script, { signal, timeoutMs: 60_000 });
      if (result.exitCode !== 0)
        return { host, to: null, ok: false, message: `could not remove current (exit ${String(result.exitCode)})` };
      return { host, to: null, ok: true, message: 'no earlier release: current removed' };
    } finally {
      await executor.close().catch(() => undefined);
    }
  } catch (error) {
    return { host, to: null, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function fromRollback(report: HostRollbackReport): RecoveredHost {
  return { host: report.host, to: report.to, ok: report.ok, message: report.message };
}

/**
 * Switches the hosts in doubt back (grouped by the version each ran before, with the standalone rollback, which
 * takes over the dead release's host locks) and settles their host_runs rows.
 */
export async function recoverHostsInDoubt(
  db: Db,
  prepared: PreparedRun,
  releaseId: string,
  options: { connect: ConnectHost; actor: string },
): Promise<RecoveredHost[]> {
  const doubtful = hostsInDoubt(await hostRunsOf(db, releaseId), prepared.plan.version);
  const targets = new Map(prepared.hosts.map((host) => [host.entry.name, host]));
  const groups = new Map<string | null, ResolvedHost[]>();
  for (const run of doubtful) {
    const target = targets.get(run.host);
    if (target === undefined) continue;
    const group = groups.get(run.previousVersion) ?? [];
    group.push(target);
    groups.set(run.previousVersion, group);
  }
  const recovered: RecoveredHost[] = [];
  const hooks = await approvedPostDeploy(
    db,
    prepared.key,
    [...groups.keys()].filter((to): to is string => to !== null),
  );
  for (const [to, hosts] of groups) {
    if (to === null) {
      recovered.push(
        ...(await Promise.all(hosts.map((target) => removeCurrent(options.connect, target, prepared.plan.version)))),
      );
      continue;
    }
    const result = await rollbackEnvironment(rollbackRequestFor(prepared, hosts, to, hooks, { breakLock: true }), {
      connect: options.connect,
      actor: options.actor,
    });
    recovered.push(...result.hosts.map(fromRollback));
  }
  const attempt = Math.max(0, ...doubtful.map((run) => run.attempt));
  for (const host of recovered) {
    await db
      .update(hostRuns)
      .set({
        outcome: host.ok ? 'rolled_back' : 'failed',
        failure: { recovery: true, message: host.message, rolledBackTo: host.to },
      })
      .where(and(eq(hostRuns.releaseId, releaseId), eq(hostRuns.host, host.host), eq(hostRuns.attempt, attempt)));
  }
  return recovered;
}
