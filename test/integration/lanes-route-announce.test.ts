/**
 * A change to what routers route by is announced when it commits (NOTIFY yardmaster_lanes), so a router sees it at
 * once and not at its next safety reload: here a lane's spec taken again (its members go, its mode changes) with
 * nothing tagged after it, the instance it used still used by another lane (so no reclaiming announces it either).
 * A notification naming a lane reloads that lane alone; any other, the whole table. Real PostgreSQL, the route
 * watcher with its safety reload out of reach.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lanes } from '../../src/db/index.ts';
import { tagMember, upsertLane } from '../../src/lanes/lane-store.ts';
import { putInstance } from '../../src/lanes/library-store.ts';
import { watchRoutes, type RouteWatcher } from '../../src/lanes/route-watcher.ts';
import type { LaneSpec } from '../../src/lanes/task-spec.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

let test: TestDatabase;
let watcher: RouteWatcher;

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  watcher = await watchRoutes(test.database, { safetyReloadMs: 600_000 });
}, 60_000);

afterAll(async () => {
  await watcher?.close();
  await test?.cleanup();
});

function laneSpec(lane: string, services: Record<string, string>, mode: LaneSpec['mode']): LaneSpec {
  return { lane, services, calls: [], mode, ttlMs: 3_600_000 };
}

it('announces a lane whose spec is taken again, with nothing tagged after it', async () => {
  const { db } = test.database;
  await db.transaction(async (tx) => {
    await putInstance(
      tx,
      { service: 'a', version: '1', endpoint: 'http://127.0.0.1:9', baseline: true, runtime: 'test' },
      'tester',
    );
    const two = await putInstance(
      tx,
      { service: 'a', version: '2', endpoint: 'http://127.0.0.1:9', baseline: false, runtime: 'test' },
      'tester',
    );
    for (const lane of ['l1', 'l2']) {
      const opened = await upsertLane(tx, laneSpec(lane, { a: '2' }, 'fallback'), 'tester');
      if (!opened.ok) throw new Error(opened.message);
      await tagMember(tx, opened.row.id, { service: 'a', instanceId: two.id, deployed: false });
    }
  });
  await waitFor(
    'the lanes routed',
    () => Promise.resolve(watcher.routes().lanes.get('l1')?.services.has('a') === true ? true : undefined),
    10_000,
  );

  // l1 now asks for b only, strict; b is not tagged (as while its version is missing).
  await db.transaction(async (tx) => {
    const taken = await upsertLane(tx, laneSpec('l1', { b: '1' }, 'strict'), 'tester');
    if (!taken.ok) throw new Error(taken.message);
  });
  const l1 = await waitFor(
    'l1 routed by its new spec',
    () => {
      const lane = watcher.routes().lanes.get('l1');
      return Promise.resolve(lane?.mode === 'strict' && !lane.services.has('a') ? lane : undefined);
    },
    10_000,
  );
  expect(l1.services.size).toBe(0);
  expect(watcher.routes().lanes.get('l2')?.services.get('a')?.version).toBe('2');
});

it('reloads only the lane a notification names, and the whole table on any other', async () => {
  const { db } = test.database;
  // l2 changes behind the routers' backs (no NOTIFY).
  await db.update(lanes).set({ mode: 'strict' }).where(eq(lanes.name, 'l2'));
  await db.transaction(async (tx) => {
    const opened = await upsertLane(tx, laneSpec('l3', { a: '1' }, 'fallback'), 'tester');
    if (!opened.ok) throw new Error(opened.message);
  });
  await waitFor('l3 routed', () => Promise.resolve(watcher.routes().lanes.get('l3')), 10_000);
  // Only l3 was reloaded: l2 is still routed as it was.
  expect(watcher.routes().lanes.get('l2')?.mode).toBe('fallback');
  await db.execute(sql`select pg_notify('yardmaster_lanes', '')`);
  await waitFor(
    'l2 routed as the database says',
    () => Promise.resolve(watcher.routes().lanes.get('l2')?.mode === 'strict' ? true : undefined),
    10_000,
  );
  expect(watcher.routes().lanes.get('l2')?.services.get('a')?.version).toBe('2');
});

it('routes every lane of a transaction that opens more lanes than one reload names', async () => {
  await test.database.db.transaction(async (tx) => {
    for (let index = 0; index < 1_500; index++) {
      const opened = await upsertLane(tx, laneSpec(`many-${index}`, {}, 'strict'), 'tester');
      if (!opened.ok) throw new Error(opened.message);
    }
  });
  await waitFor(
    'the 1,500 lanes routed',
    () =>
      Promise.resolve(
        Array.from({ length: 1_500 }, (_unused, index) => `many-${index}`).every(
          (name) => watcher.routes().lanes.get(name)?.mode === 'strict',
        )
          ? true
          : undefined,
      ),
    30_000,
  );
});
