/**
 * Test tasks: resolving a spec (versions in the library are reused, missing ones deployed once however many tasks
 * need them at the same time, then tagged with the lane) and ending a lane (its tags go, and every instance that no
 * lane and no baseline uses any more is stopped and removed). Other lanes are untouched throughout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/types.ts';
import { and, eq } from 'drizzle-orm';
import { laneInstances } from '../db/index.ts';
import { stopInstance, type LaneRuntimes } from './instance-runtime.ts';
import {
  announceLaneChange,
  baselineOf,
  claimForDeploy,
  findInstance,
  putInstance,
  removeInstance,
  settleInstance,
  type LaneInstance,
} from './library-store.ts';
import {
  closeLane,
  expiredLanes,
  lanesUsing,
  retireInstance,
  tagMember,
  unusedInstances,
  upsertLane,
  type LaneOwner,
} from './lane-store.ts';
import type { LaneSpec } from './task-spec.ts';

export interface LaneDeps extends LaneRuntimes {
  db: Db;
  /** Who acts, for the audit log (`cli:<user>`, a GitHub login, `yardmaster`). */
  actor: string;
  /** How long to wait for a version another task is deploying (default 60 s). */
  waitMs?: number;
}

/** One service of a resolved task. */
export interface ServiceResolution {
  service: string;
  /** As asked: a version or `baseline`. */
  asked: string;
  version: string | null;
  how: 'baseline' | 'reused' | 'deployed' | 'missing';
  endpoint: string | null;
}

export type TaskResolution =
  | {
      ok: true;
      lane: string;
      mode: LaneSpec['mode'];
      services: ServiceResolution[];
      deployed: number;
      fullCopy: number;
    }
  /** `refused`: nothing was done (the repository's namespace, TTL or quota); `failed`: a version did not come up. */
  | { ok: false; reason: 'refused' | 'failed'; lane: string; message: string; services: ServiceResolution[] };

/**
 * Tags the lane with `service@version`: an instance that is up is reused; a missing (or down, or failed) one is
 * deployed by whoever claims it first while the others wait for it. The tag is taken under the instance's row lock,
 * so a reclaim running at the same time cannot take the instance away from under the lane.
 */
async function tagVersion(
  deps: LaneDeps,
  laneId: number,
  service: string,
  version: string,
): Promise<{ instance: LaneInstance; deployed: boolean }> {
  const deadline = Date.now() + (deps.waitMs ?? 60_000);
  for (;;) {
    const found = await findInstance(deps.db, service, version);
    if (found?.state === 'up') {
      const tagged = await deps.db.transaction((tx) =>
        tagMember(tx, laneId, { service, instanceId: found.id, deployed: false }),
      );
      if (tagged) return { instance: found, deployed: false };
      continue;
    }
    if (found === undefined || found.state === 'down' || found.state === 'failed') {
      const claimed = await deps.db.transaction((tx) =>
        claimForDeploy(tx, service, version, deps.runtime.name, deps.actor),
      );
      if (claimed !== undefined) {
        let outcome: { endpoint: string; ref: string } | { error: string };
        try {
          outcome = await deps.runtime.start(service, version);
        } catch (error) {
          outcome = { error: error instanceof Error ? error.message : String(error) };
        }
        const settled = await deps.db.transaction(async (tx) => {
          const row = await settleInstance(tx, claimed.id, outcome, deps.actor);
          if (row.state === 'up') await tagMember(tx, laneId, { service, instanceId: row.id, deployed: true });
          return row;
        });
        if ('error' in outcome) throw new Error(`${service}@${version} could not start: ${outcome.error}`);
        return { instance: settled, deployed: true };
      }
    }
    if (Date.now() > deadline)
      throw new Error(`${service}@${version} is still starting elsewhere after ${deps.waitMs ?? 60_000} ms`);
    await sleep(100);
  }
}

async function resolveService(
  deps: LaneDeps,
  laneId: number,
  mode: LaneSpec['mode'],
  service: string,
  asked: string,
): Promise<ServiceResolution> {
  if (asked === 'baseline') {
    let baseline = await baselineOf(deps.db, service);
    // A strict lane routes only what it is tagged with, so it names its baseline services too; a fallback lane
    // reaches them through the fallback (and the route says `baseline`). The baseline's instance may be replaced
    // by a new build between reading and tagging it: then the tag goes to the new one.
    for (let attempt = 0; baseline !== undefined && mode === 'strict' && attempt < 3; attempt++) {
      const instanceId = baseline.id;
      if (await deps.db.transaction((tx) => tagMember(tx, laneId, { service, instanceId, deployed: false }))) break;
      baseline = await baselineOf(deps.db, service);
    }
    return {
      service,
      asked,
      version: baseline?.version ?? null,
      how: baseline === undefined ? 'missing' : 'baseline',
      endpoint: baseline?.endpoint ?? null,
    };
  }
  const { instance, deployed } = await tagVersion(deps, laneId, service, asked);
  return {
    service,
    asked,
    version: instance.version,
    how: deployed ? 'deployed' : 'reused',
    endpoint: instance.endpoint,
  };
}

/**
 * Resolves a task's spec into its lane (opening or updating it). With `owner` (a lane opened from a repository) the
 * lane must lie in the repository's namespace and keep within its limits, else nothing is done.
 */
export async function resolveTask(deps: LaneDeps, spec: LaneSpec, owner?: LaneOwner): Promise<TaskResolution> {
  const upserted = await deps.db.transaction((tx) => upsertLane(tx, spec, deps.actor, owner));
  if (!upserted.ok) return { ok: false, reason: 'refused', lane: spec.lane, message: upserted.message, services: [] };
  const lane = upserted.row;
  const settled = await Promise.allSettled(
    Object.entries(spec.services).map(([service, asked]) => resolveService(deps, lane.id, spec.mode, service, asked)),
  );
  const services = settled
    .flatMap((entry) => (entry.status === 'fulfilled' ? [entry.value] : []))
    .sort((a, b) => a.service.localeCompare(b.service));
  const failures = settled.flatMap((entry) =>
    entry.status === 'rejected' ? [entry.reason instanceof Error ? entry.reason.message : String(entry.reason)] : [],
  );
  // An updated lane may have left versions of its old spec unused.
  await reclaimUnused(deps);
  const missing = services.filter((entry) => entry.how === 'missing').map((entry) => entry.service);
  if (failures.length > 0)
    return { ok: false, reason: 'failed', lane: spec.lane, message: failures.join('; '), services };
  if (spec.mode === 'strict' && missing.length > 0) {
    return {
      ok: false,
      reason: 'failed',
      lane: spec.lane,
      message: `strict lane: no baseline instance of ${missing.join(', ')}`,
      services,
    };
  }
  return {
    ok: true,
    lane: spec.lane,
    mode: spec.mode,
    services,
    deployed: services.filter((entry) => entry.how === 'deployed').length,
    fullCopy: services.length,
  };
}

/** Stops and removes every instance no lane and no baseline uses; returns them as `service@version`. */
export async function reclaimUnused(deps: LaneDeps): Promise<string[]> {
  const reclaimed: string[] = [];
  for (const instance of await unusedInstances(deps.db)) {
    if (!(await deps.db.transaction((tx) => retireInstance(tx, instance.id)))) continue;
    await stopInstance(deps, instance);
    const removed = await deps.db.transaction((tx) =>
      removeInstance(tx, instance.id, deps.actor, 'no lane and no baseline uses it', true),
    );
    if (removed !== undefined) reclaimed.push(`${removed.service}@${removed.version}`);
  }
  return reclaimed;
}

export type RemoveVersionResult =
  | { ok: true; removed: LaneInstance }
  | { ok: false; reason: 'not-found' }
  /** Lanes are tagged with it: end them (or give them another version) first. */
  | { ok: false; reason: 'in-use'; lanes: string[] };

/**
 * Removes `service@version` from the library by hand, stopping it if Yardmaster started it. Refused while a lane is
 * tagged with it (a lane's test would lose its version mid-run, and the tag references the row); checked under the
 * row lock and taken `down` in the same transaction, so no task can tag it between the check and the stop.
 */
export async function removeVersion(
  deps: LaneDeps,
  service: string,
  version: string,
  reason: string,
): Promise<RemoveVersionResult> {
  const taken = await deps.db.transaction(async (tx): Promise<RemoveVersionResult> => {
    const found = await findInstance(tx, service, version, { lock: true });
    if (found === undefined) return { ok: false, reason: 'not-found' };
    const using = await lanesUsing(tx, found.id);
    if (using.length > 0) return { ok: false, reason: 'in-use', lanes: using };
    await tx.update(laneInstances).set({ state: 'down' }).where(eq(laneInstances.id, found.id));
    await announceLaneChange(tx);
    return { ok: true, removed: found };
  });
  if (!taken.ok) return taken;
  await stopInstance(deps, taken.removed);
  await deps.db.transaction((tx) => removeInstance(tx, taken.removed.id, deps.actor, reason));
  return taken;
}

/** Ends lane `name` and reclaims what it leaves unused. */
export async function endLane(
  deps: LaneDeps,
  name: string,
  reason: string,
): Promise<{ ended: boolean; reclaimed: string[] }> {
  const ended = await deps.db.transaction((tx) => closeLane(tx, name, deps.actor, reason));
  return { ended, reclaimed: await reclaimUnused(deps) };
}

/** Ends every lane whose TTL has run out. */
export async function endExpiredLanes(deps: LaneDeps, now = new Date()): Promise<string[]> {
  const names = await expiredLanes(deps.db, now);
  for (const name of names) await endLane(deps, name, 'ttl expired');
  return names;
}

/** Starts `service@version` with the runtime and makes it the baseline's instance of the service. */
export async function startBaseline(deps: LaneDeps, service: string, version: string): Promise<LaneInstance> {
  const started = await deps.runtime.start(service, version);
  return deps.db.transaction(async (tx) => {
    await tx
      .update(laneInstances)
      .set({ baseline: false })
      .where(and(eq(laneInstances.service, service), eq(laneInstances.baseline, true)));
    return putInstance(
      tx,
      {
        service,
        version,
        endpoint: started.endpoint,
        baseline: true,
        runtime: deps.runtime.name,
        runtimeRef: started.ref,
      },
      deps.actor,
    );
  });
}
