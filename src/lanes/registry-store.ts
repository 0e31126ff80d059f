/**
 * The registry: an instance started outside Yardmaster registers itself (service, version, endpoint, lane tags) and
 * heartbeats; one that stops heartbeating is marked down (the router stops sending to it) until it comes back.
 */
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { laneInstances, lanes } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import { announceLaneChange, putInstance, type LaneInstance } from './library-store.ts';
import { tagMember } from './lane-store.ts';

export interface Registration {
  service: string;
  version: string;
  endpoint: string;
  baseline: boolean;
  /** Lanes this instance serves its service in (they must exist). */
  lanes: string[];
}

/** Registers (or re-registers) an instance and tags the lanes it names; returns the lanes that do not exist. */
export async function register(
  db: Db,
  registration: Registration,
  actor: string,
): Promise<{ instance: LaneInstance; unknownLanes: string[] }> {
  return db.transaction(async (tx) => {
    const instance = await putInstance(
      tx,
      {
        service: registration.service,
        version: registration.version,
        endpoint: registration.endpoint,
        baseline: registration.baseline,
        runtime: 'registered',
      },
      actor,
    );
    const unknownLanes: string[] = [];
    for (const name of registration.lanes) {
      const [lane] = await tx
        .select()
        .from(lanes)
        .where(and(eq(lanes.name, name), isNull(lanes.endedAt)));
      if (lane === undefined) unknownLanes.push(name);
      else await tagMember(tx, lane.id, { service: registration.service, instanceId: instance.id, deployed: false });
    }
    return { instance, unknownLanes };
  });
}

/** A heartbeat: the instance is alive (and up again if it had been marked down). False when it is not registered. */
export async function heartbeat(db: Db, service: string, version: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(laneInstances)
      .set({ heartbeatAt: sql`now()`, state: 'up' })
      .where(
        and(
          eq(laneInstances.service, service),
          eq(laneInstances.version, version),
          eq(laneInstances.packageDigest, ''),
          eq(laneInstances.runtime, 'registered'),
        ),
      )
      .returning({ id: laneInstances.id });
    if (row !== undefined) await announceLaneChange(tx);
    return row !== undefined;
  });
}

/** Marks registered instances without a heartbeat for `silenceMs` down; returns them as `service@version`. */
export async function markSilentDown(db: Db, silenceMs: number): Promise<string[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(laneInstances)
      .set({ state: 'down' })
      .where(
        and(
          eq(laneInstances.runtime, 'registered'),
          eq(laneInstances.state, 'up'),
          lt(laneInstances.heartbeatAt, sql`now() - make_interval(secs => ${silenceMs / 1000})`),
        ),
      )
      .returning({ service: laneInstances.service, version: laneInstances.version });
    if (rows.length > 0) await announceLaneChange(tx);
    return rows.map((row) => `${row.service}@${row.version}`);
  });
}
