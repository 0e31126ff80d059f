/**
 * A repository's lane lives at most its `max_lane_ttl` from when it was opened: posting the spec again renews the
 * TTL, but never past that bound (else a lane could be kept forever by editing its comment). Operators' lanes renew
 * freely.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanes } from '../../src/db/schema.ts';
import { repoLaneId } from '../../src/lanes/lane-id.ts';
import { upsertLane } from '../../src/lanes/lane-store.ts';
import type { LaneSpec } from '../../src/lanes/task-spec.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const HOUR = 3_600_000;
const REPO = 'acme/shop';
const LIMITS = { maxTtlMs: 2 * HOUR, maxInstances: 5 };

function spec(lane: string, ttlMs: number): LaneSpec {
  return { lane, services: { pay: '7' }, calls: [], mode: 'fallback', ttlMs };
}

describe.each(BACKENDS)('lane lifetime on %s', (backend) => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await openTestDatabase(backend);
  });

  afterAll(async () => {
    await test?.cleanup();
  });

  /** Makes the lane look opened `ago` ms ago. */
  async function openedAgo(name: string, ago: number): Promise<Date> {
    const openedAt = new Date(Date.now() - ago);
    await test.database.db.update(lanes).set({ createdAt: openedAt }).where(sql`${lanes.name} = ${name}`);
    return openedAt;
  }

  it('renews a repository lane only up to max_lane_ttl after it was opened', async () => {
    const name = repoLaneId(REPO, 'renewed');
    const owner = { repoFullName: REPO, number: 7, limits: LIMITS };
    const opened = await test.database.db.transaction((tx) => upsertLane(tx, spec(name, HOUR), 'carol', owner));
    expect(opened.ok).toBe(true);
    const openedAt = await openedAgo(name, 90 * 60_000);
    const renewed = await test.database.db.transaction((tx) => upsertLane(tx, spec(name, HOUR), 'carol', owner));
    if (!renewed.ok) throw new Error(renewed.message);
    // Asked: now + 1h (= opened + 2h30); kept: opened + 2h, the repository's bound.
    expect(renewed.row.expiresAt.getTime()).toBe(openedAt.getTime() + LIMITS.maxTtlMs);
  });

  it('takes the asked TTL when it ends before the bound', async () => {
    const name = repoLaneId(REPO, 'early');
    const owner = { repoFullName: REPO, number: 8, limits: LIMITS };
    await test.database.db.transaction((tx) => upsertLane(tx, spec(name, HOUR), 'carol', owner));
    await openedAgo(name, 10 * 60_000);
    const before = Date.now();
    const renewed = await test.database.db.transaction((tx) => upsertLane(tx, spec(name, 30 * 60_000), 'carol', owner));
    if (!renewed.ok) throw new Error(renewed.message);
    expect(renewed.row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(renewed.row.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
  });

  it("renews an operator's lane from now, whenever it was opened", async () => {
    await test.database.db.transaction((tx) => upsertLane(tx, spec('ops-lane', HOUR), 'operator'));
    await openedAgo('ops-lane', 100 * HOUR);
    const before = Date.now();
    const renewed = await test.database.db.transaction((tx) => upsertLane(tx, spec('ops-lane', HOUR), 'operator'));
    if (!renewed.ok) throw new Error(renewed.message);
    expect(renewed.row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + HOUR);
  });
});
