/** What the library holds, for `yardmaster lanes list` and the lanes API: instances with the lanes using them. */
import { asc, eq, isNull } from 'drizzle-orm';
import { laneInstances, laneMembers, lanes } from '../db/index.ts';
import type { DbExecutor } from '../db/types.ts';

export interface LibraryInstance {
  service: string;
  version: string;
  /** The build's package digest ('' when the version was started without one). */
  build: string;
  state: string;
  baseline: boolean;
  endpoint: string | null;
  runtime: string;
  lanes: string[];
  lastUsedAt: string;
  description: string;
  owner: string;
  labels: Record<string, string>;
}

export interface LibraryView {
  instances: LibraryInstance[];
  lanes: { name: string; mode: string; expiresAt: string; services: Record<string, string> }[];
}

export async function libraryView(db: DbExecutor): Promise<LibraryView> {
  const instances = await db
    .select()
    .from(laneInstances)
    .orderBy(asc(laneInstances.service), asc(laneInstances.version), asc(laneInstances.id));
  const members = await db
    .select({ lane: lanes.name, instanceId: laneMembers.instanceId, service: laneMembers.service })
    .from(laneMembers)
    .innerJoin(lanes, eq(lanes.id, laneMembers.laneId))
    .where(isNull(lanes.endedAt));
  const active = await db.select().from(lanes).where(isNull(lanes.endedAt)).orderBy(asc(lanes.name));
  const versionOf = new Map(instances.map((row) => [row.id, row.version]));
  return {
    instances: instances.map((row) => ({
      service: row.service,
      version: row.version,
      build: row.packageDigest,
      state: row.state,
      baseline: row.baseline,
      endpoint: row.endpoint,
      runtime: row.runtime,
      lanes: members
        .filter((member) => member.instanceId === row.id)
        .map((member) => member.lane)
        .sort(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      description: row.description,
      owner: row.owner,
      labels: row.labels,
    })),
    lanes: active.map((lane) => ({
      name: lane.name,
      mode: lane.mode,
      expiresAt: lane.expiresAt.toISOString(),
      services: Object.fromEntries(
        members
          .filter((member) => member.lane === lane.name)
          .map((member) => [member.service, versionOf.get(member.instanceId) ?? '?']),
      ),
    })),
  };
}
