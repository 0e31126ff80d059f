/**
 * The lanes page: the shared library's instances, the active lanes with what each reused or deployed, and the
 * savings (instances deployed against what a full copy per lane would have deployed). Lanes of a pull request show
 * only to viewers who may read its repository; the library itself belongs to no repository and shows to viewers who
 * can read at least one (anyone can sign in with GitHub; readers of an installed repository are the team).
 */
import { asc, eq, isNull } from 'drizzle-orm';
import { laneInstances, laneMembers, lanes } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

export interface LaneOverview {
  name: string;
  mode: string;
  createdAt: Date;
  expiresAt: Date;
  pull: { repoFullName: string; number: number } | null;
  services: { service: string; version: string; deployed: boolean; state: string; endpoint: string | null }[];
}

export interface LanesOverview {
  instances: (typeof laneInstances.$inferSelect & { lanes: string[] })[];
  lanes: LaneOverview[];
  /** Over the lanes shown: instances their tasks deployed, and what a full copy per task would have deployed. */
  savings: { deployed: number; fullCopy: number };
}

export async function lanesOverview(
  db: DbExecutor,
  repos: readonly string[],
  everything = false,
): Promise<LanesOverview> {
  if (repos.length === 0 && !everything) return { instances: [], lanes: [], savings: { deployed: 0, fullCopy: 0 } };
  const readable = new Set(repos);
  const instances = await db
    .select()
    .from(laneInstances)
    .orderBy(asc(laneInstances.service), asc(laneInstances.version));
  const active = (await db.select().from(lanes).where(isNull(lanes.endedAt)).orderBy(asc(lanes.name))).filter(
    (lane) => lane.repoFullName === null || readable.has(lane.repoFullName),
  );
  const members = await db
    .select({
      laneId: laneMembers.laneId,
      service: laneMembers.service,
      deployed: laneMembers.deployed,
      instanceId: laneMembers.instanceId,
    })
    .from(laneMembers)
    .innerJoin(lanes, eq(lanes.id, laneMembers.laneId))
    .where(isNull(lanes.endedAt))
    .orderBy(asc(laneMembers.service));
  const byId = new Map(instances.map((row) => [row.id, row]));
  const laneName = new Map(active.map((lane) => [lane.id, lane.name]));
  const shown: LaneOverview[] = active.map((lane) => ({
    name: lane.name,
    mode: lane.mode,
    createdAt: lane.createdAt,
    expiresAt: lane.expiresAt,
    pull:
      lane.repoFullName !== null && lane.pullNumber !== null
        ? { repoFullName: lane.repoFullName, number: lane.pullNumber }
        : null,
    services: members
      .filter((member) => member.laneId === lane.id)
      .map((member) => {
        const instance = byId.get(member.instanceId);
        return {
          service: member.service,
          version: instance?.version ?? '?',
          deployed: member.deployed,
          state: instance?.state ?? 'gone',
          endpoint: instance?.endpoint ?? null,
        };
      }),
  }));
  return {
    instances: instances.map((row) => ({
      ...row,
      lanes: members
        .filter((member) => member.instanceId === row.id && laneName.has(member.laneId))
        .map((member) => laneName.get(member.laneId) ?? ''),
    })),
    lanes: shown,
    savings: {
      deployed: shown.reduce((sum, lane) => sum + lane.services.filter((service) => service.deployed).length, 0),
      fullCopy: shown.reduce((sum, lane) => sum + lane.services.length, 0),
    },
  };
}
