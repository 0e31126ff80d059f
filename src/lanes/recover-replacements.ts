/**
 * Recovery of a replacement cut short: when the process replacing a version's build dies after routes switched
 * (replace-instance.ts step 3) and before the old build was stopped (step 4), the old row stays `down` with its
 * process running. The lanes server's sweep finds such rows — `down`, started by a runtime of this process, with a
 * newer build of the same service and version `up` — once the drain limit has passed since the switch (the newer
 * build's `heartbeat_at`, set by the switch), stops each with the runtime that started it and removes its row,
 * audited (`lane.instance_removed`, reason "interrupted replacement"). A replacement still draining is never touched:
 * its old build is younger than the limit. The row is locked while it is stopped, so two servers sweeping at once
 * stop it once.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { laneInstances } from '../db/index.ts';
import { runtimeOf, stopInstance } from './instance-runtime.ts';
import type { LaneDeps } from './lane-tasks.ts';
import { removeInstance } from './library-store.ts';
import { MAX_DRAIN_MS } from './replace-instance.ts';

/** How long after a switch an old build left running counts as forgotten (the longest drain, and a margin). */
export const INTERRUPTED_REPLACEMENT_MS = MAX_DRAIN_MS + 60_000;

/** The most old builds one sweep stops (the rest wait for the next sweep). */
const MAX_PER_SWEEP = 50;

/**
 * Stops and removes old builds left `down` by interrupted replacements, switched at least `afterMs` ago (default
 * {@link INTERRUPTED_REPLACEMENT_MS}); the names (`service@version build`) of those it removed.
 */
export async function recoverInterruptedReplacements(
  deps: LaneDeps,
  afterMs: number = INTERRUPTED_REPLACEMENT_MS,
): Promise<string[]> {
  const newer = alias(laneInstances, 'newer');
  const seconds = Math.max(afterMs, 0) / 1000;
  const candidates = await deps.db
    .select({ id: laneInstances.id, runtime: laneInstances.runtime, newerDigest: newer.packageDigest })
    .from(laneInstances)
    .innerJoin(
      newer,
      and(
        eq(newer.service, laneInstances.service),
        eq(newer.version, laneInstances.version),
        ne(newer.id, laneInstances.id),
        eq(newer.state, 'up'),
        sql`${newer.id} > ${laneInstances.id}`,
        sql`coalesce(${newer.heartbeatAt}, ${newer.createdAt}) < now() - make_interval(secs => ${seconds})`,
      ),
    )
    .where(and(eq(laneInstances.state, 'down'), sql`${laneInstances.runtimeRef} is not null`))
    .orderBy(laneInstances.id)
    .limit(MAX_PER_SWEEP);
  const removed: string[] = [];
  for (const candidate of candidates) {
    if (runtimeOf(deps, candidate) === undefined) continue;
    const name = await deps.db.transaction(async (tx) => {
      const [old] = await tx
        .select()
        .from(laneInstances)
        .where(and(eq(laneInstances.id, candidate.id), eq(laneInstances.state, 'down')))
        .for('update', { skipLocked: true });
      if (old === undefined) return undefined;
      await stopInstance(deps, old);
      const row = await removeInstance(
        tx,
        old.id,
        deps.actor,
        `interrupted replacement: build ${candidate.newerDigest} is up`,
        true,
      );
      return row === undefined ? undefined : `${row.service}@${row.version} ${row.packageDigest || '(no build)'}`;
    });
    if (name !== undefined) removed.push(name);
  }
  return removed;
}
