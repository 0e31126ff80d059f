/**
 * `bench:lanes` only: the library a data plane routes by in the bench — a baseline and two instances of `svc`, the
 * lane `bench-lane` (opened and tagged by lane-store, as a task would) — then, for the large table, 10,000 more
 * lanes written in bulk (the same rows lane-store writes, without one transaction and audit row per lane), and the
 * switch of `bench-lane` between its two instances (lane-store's tagMember: the real path, with its NOTIFY).
 */
import { laneInstances, laneMembers, lanes } from '../src/db/index.ts';
import type { Database } from '../src/db/types.ts';
import { tagMember, upsertLane } from '../src/lanes/lane-store.ts';
import { announceLaneChange, putInstance } from '../src/lanes/library-store.ts';

export const BENCH_LANE = 'bench-lane';
const SERVICE = 'svc';
/** Instances the bulk lanes name (each at an address of its own, so an engine sees as many upstreams). */
const BULK_INSTANCES = 100;
const CHUNK = 1_000;

export interface BenchLibrary {
  /** Instance ids of `svc@a` and `svc@b`, the two instances `bench-lane` switches between. */
  a: number;
  b: number;
  laneId: number;
}

export async function seedLibrary(
  database: Database,
  endpoints: { baseline: string; a: string; b: string },
): Promise<BenchLibrary> {
  return database.db.transaction(async (tx) => {
    const put = (version: string, endpoint: string, baseline: boolean) =>
      putInstance(tx, { service: SERVICE, version, endpoint, baseline, runtime: 'bench' }, 'bench');
    await put('0', endpoints.baseline, true);
    const a = await put('a', endpoints.a, false);
    const b = await put('b', endpoints.b, false);
    const opened = await upsertLane(
      tx,
      { lane: BENCH_LANE, services: { [SERVICE]: 'a' }, calls: [], mode: 'fallback', ttlMs: 86_400_000 },
      'bench',
    );
    if (!opened.ok) throw new Error(opened.message);
    await tagMember(tx, opened.row.id, { service: SERVICE, instanceId: a.id, deployed: false });
    return { a: a.id, b: b.id, laneId: opened.row.id };
  });
}

/** Adds `count` lanes `bulk-<n>`, each with a member for `svc` among 100 instances on 127.0.0.2–101:`port`. */
export async function addBulkLanes(database: Database, count: number, port: number): Promise<void> {
  await database.db.transaction(async (tx) => {
    const instances = await tx
      .insert(laneInstances)
      .values(
        Array.from({ length: BULK_INSTANCES }, (_unused, index) => ({
          service: SERVICE,
          version: `bulk-${index}`,
          endpoint: `http://127.0.0.${index + 2}:${port}`,
          state: 'up' as const,
          runtime: 'bench',
        })),
      )
      .returning({ id: laneInstances.id });
    const expiresAt = new Date(Date.now() + 86_400_000);
    for (let from = 0; from < count; from += CHUNK) {
      const names = Array.from({ length: Math.min(CHUNK, count - from) }, (_unused, index) => from + index);
      const rows = await tx
        .insert(lanes)
        .values(
          names.map((index) => ({
            name: `bulk-${index}`,
            mode: 'fallback' as const,
            spec: { services: { [SERVICE]: `bulk-${index % BULK_INSTANCES}` }, calls: [], mode: 'fallback' },
            expiresAt,
          })),
        )
        .returning({ id: lanes.id, name: lanes.name });
      await tx.insert(laneMembers).values(
        rows.map((row) => ({
          laneId: row.id,
          service: SERVICE,
          instanceId: instances[Number(row.name.slice('bulk-'.length)) % BULK_INSTANCES]?.id ?? 0,
          deployed: false,
        })),
      );
    }
    await announceLaneChange(tx);
  });
}

/** Tags `bench-lane`'s `svc` with instance `to` (`a` or `b`); resolves once the transaction committed. */
export async function switchBenchLane(database: Database, library: BenchLibrary, to: 'a' | 'b'): Promise<void> {
  const tagged = await database.db.transaction((tx) =>
    tagMember(tx, library.laneId, { service: SERVICE, instanceId: library[to], deployed: false }),
  );
  if (!tagged) throw new Error(`svc@${to} is not up`);
}
