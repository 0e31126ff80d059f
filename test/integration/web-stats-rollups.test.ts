/**
 * The trigger-kept rollups of migration 0022 (person_scope_day_counts with person_day_counts, approval_wait_buckets,
 * restore_incidents, order_outcome_day_counts) give what counting the rows gives, after inserts, updates and deletes
 * that the triggers must follow. A range of whole UTC days reads the rollups; the same range one millisecond longer
 * (no row falls in that millisecond: every time here is a whole minute) reads the rows.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rawRows } from '../../src/db/index.ts';
import { apps, approvals, auditLog, planVersions, releases, workOrders } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { approvalWait } from '../../src/web/stats/approval-wait.ts';
import { ordersByOutcome } from '../../src/web/stats/orders-by-outcome.ts';
import { personActivity } from '../../src/web/stats/person-activity.ts';
import { timeToRestore } from '../../src/web/stats/time-to-restore.ts';
import type { DurationSummary, StatsScope } from '../../src/web/stats/types.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const MINUTE = 60_000;
const START = Date.UTC(2026, 9, 1);
const REPOS = ['acme/one', 'acme/two'] as const;
const APPS = ['web', 'api', 'worker'] as const;
const ENVIRONMENTS = ['staging', 'production'] as const;
const PEOPLE = ['ann', 'ben', 'cat', 'dan', 'eve'] as const;
const OUTCOME_CHANGES = [
  ['succeeded', 'release-succeeded'],
  ['failed', 'release-failed'],
  ['failed', 'rollback-finished'],
  ['accepted', 'accepted'],
  ['rejected', 'rejected'],
  ['aborted', 'aborted'],
] as const;
const RELEASE_STATUSES = ['succeeded', 'succeeded', 'failed', 'partial', 'aborted', 'succeeded'] as const;

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(next: () => number, list: readonly T[]): T {
  const item = list[Math.floor(next() * list.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** 120 orders over 40 days with plans, votes, quorum stamps and releases (some without an app yet). */
async function seed(db: Db): Promise<void> {
  const next = random(14);
  const minute = (): Date => new Date(START + Math.floor(next() * 40 * 24 * 60) * MINUTE);
  await db.insert(apps).values(
    REPOS.flatMap((repo, r) =>
      APPS.map((app, a) => ({
        repoFullName: repo,
        name: app,
        project: (r + a) % 2 === 0 ? 'red' : 'blue',
        deployTo: `/srv/${app}`,
      })),
    ),
  );
  for (let number = 1; number <= 120; number += 1) {
    const created = minute();
    const hasApp = number % 15 !== 0;
    const repo = pick(next, REPOS);
    const app = pick(next, APPS);
    const environment = pick(next, ENVIRONMENTS);
    const [order] = await db
      .insert(workOrders)
      .values({
        repoFullName: repo,
        installationId: 1,
        kind: 'issue',
        number,
        title: `order ${number}`,
        state: 'succeeded',
        app: hasApp ? app : null,
        environment: hasApp ? environment : null,
        requester: pick(next, PEOPLE),
        planAuthor: pick(next, PEOPLE),
        deployer: number % 11 === 0 ? null : pick(next, PEOPLE),
        createdAt: created,
        updatedAt: created,
      })
      .returning({ id: workOrders.id });
    if (order === undefined) throw new Error('no order');
    const plans = 1 + Math.floor(next() * 2);
    for (let seq = 1; seq <= plans; seq += 1) {
      const planAt = new Date(created.getTime() + Math.floor(next() * 600) * MINUTE);
      const digest = `d${number}-${seq}`;
      await db.insert(planVersions).values({
        workOrderId: order.id,
        seq,
        author: pick(next, PEOPLE),
        yaml: 'app: x',
        plan: {},
        digest,
        createdAt: planAt,
      });
      const votes = Math.floor(next() * 3);
      let last = planAt;
      for (let vote = 0; vote < votes; vote += 1) {
        last = new Date(last.getTime() + Math.floor(1 + next() * 3000) * MINUTE);
        await db.insert(approvals).values({
          workOrderId: order.id,
          actor: pick(next, PEOPLE),
          source: 'github',
          digest,
          verdict: next() < 0.8 ? 'approved' : 'rejected',
          sourceRef: `vote-${number}-${seq}-${vote}`,
          createdAt: last,
        });
      }
      if (votes > 0 && next() < 0.8) {
        await db.update(planVersions).set({ quorumReachedAt: last }).where(eq(planVersions.digest, digest));
      }
    }
    if (!hasApp) continue;
    const attempts = Math.floor(next() * 3);
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const finished = new Date(created.getTime() + Math.floor(60 + next() * 4000) * MINUTE);
      // The order's state change as the service audits it (hashes do not matter here).
      const [toState, cause] = pick(next, OUTCOME_CHANGES);
      await db.insert(auditLog).values({
        at: finished,
        actor: 'yardmaster',
        action: 'work_order.transition',
        workOrderId: order.id,
        fromState: 'running',
        toState,
        data: { cause },
        prevHash: `prev-${number}-${attempt}`,
        hash: `hash-${number}-${attempt}`,
      });
      await db.insert(releases).values({
        workOrderId: order.id,
        releaseId: `R${number}-${attempt}`,
        repoFullName: repo,
        app,
        environment,
        version: `${number}.${attempt}`,
        status: pick(next, RELEASE_STATUSES),
        finishedAt: finished,
        createdAt: finished,
      });
    }
  }
}

/** Updates and deletes the triggers must follow. */
async function change(db: Db): Promise<void> {
  const orders = await db.select({ id: workOrders.id, number: workOrders.number }).from(workOrders);
  const id = (number: number): number => {
    const found = orders.find((order) => order.number === number);
    if (found === undefined) throw new Error(`no order ${number}`);
    return found.id;
  };
  // An order without an app gets its plan's app; others move app, environment, repository, deployer, requester.
  await db
    .update(workOrders)
    .set({ app: 'api', environment: 'production' })
    .where(eq(workOrders.id, id(15)));
  await db
    .update(workOrders)
    .set({ app: 'worker' })
    .where(eq(workOrders.id, id(4)));
  await db
    .update(workOrders)
    .set({ environment: 'staging', repoFullName: 'acme/two' })
    .where(eq(workOrders.id, id(7)));
  await db
    .update(workOrders)
    .set({ deployer: 'zed' })
    .where(inArray(workOrders.id, [id(2), id(3), id(5)]));
  await db
    .update(workOrders)
    .set({ requester: 'yan', createdAt: new Date(START + 3 * MINUTE) })
    .where(eq(workOrders.id, id(9)));
  // An order opened and deleted again (no plan yet).
  const [extra] = await db
    .insert(workOrders)
    .values({
      repoFullName: 'acme/one',
      installationId: 1,
      kind: 'issue',
      number: 999,
      title: 'gone',
      state: 'requested',
      requester: 'ann',
      createdAt: new Date(START + 86_400_000),
      updatedAt: new Date(START + 86_400_000),
    })
    .returning({ id: workOrders.id });
  if (extra !== undefined) await db.delete(workOrders).where(eq(workOrders.id, extra.id));
  // Releases retried (unfinished, then finished later), moved to another environment, deleted, re-judged.
  const rows = await db
    .select({ id: releases.id, status: releases.status, finishedAt: releases.finishedAt })
    .from(releases);
  for (const [index, row] of rows.entries()) {
    if (index % 7 === 0)
      await db.update(releases).set({ status: 'running', finishedAt: null }).where(eq(releases.id, row.id));
    if (index % 7 === 1 && row.finishedAt !== null) {
      await db
        .update(releases)
        .set({ status: 'succeeded', finishedAt: new Date(row.finishedAt.getTime() + 90 * MINUTE) })
        .where(eq(releases.id, row.id));
    }
    if (index % 7 === 2) await db.update(releases).set({ environment: 'staging' }).where(eq(releases.id, row.id));
    if (index % 7 === 3) await db.delete(releases).where(eq(releases.id, row.id));
    if (index % 7 === 4) await db.update(releases).set({ status: 'failed' }).where(eq(releases.id, row.id));
  }
  // Several rows in one statement: every still-running release finishes at once.
  await db.execute(
    sql`update releases set status = 'partial', finished_at = created_at + interval '2 hours' where status = 'running'`,
  );
  // Approvals withdrawn or re-judged; quorum stamps cleared and moved; a plan deleted.
  const votes = await db.select({ id: approvals.id }).from(approvals);
  for (const [index, vote] of votes.entries()) {
    if (index % 9 === 0) await db.delete(approvals).where(eq(approvals.id, vote.id));
    if (index % 9 === 1) await db.update(approvals).set({ verdict: 'revoked' }).where(eq(approvals.id, vote.id));
    if (index % 9 === 2) await db.update(approvals).set({ actor: 'yan' }).where(eq(approvals.id, vote.id));
  }
  const plans = await db.select({ id: planVersions.id, reached: planVersions.quorumReachedAt }).from(planVersions);
  for (const [index, plan] of plans.entries()) {
    if (index % 8 === 0)
      await db.update(planVersions).set({ quorumReachedAt: null }).where(eq(planVersions.id, plan.id));
    if (index % 8 === 1 && plan.reached !== null) {
      await db
        .update(planVersions)
        .set({ quorumReachedAt: new Date(plan.reached.getTime() + 45 * MINUTE) })
        .where(eq(planVersions.id, plan.id));
    }
    if (index % 8 === 2) await db.update(planVersions).set({ author: 'yan' }).where(eq(planVersions.id, plan.id));
  }
  const unvoted = await db.execute(
    sql`select p.id from plan_versions p where not exists (select 1 from approvals a where a.digest = p.digest) limit 3`,
  );
  for (const row of rawRows(unvoted)) {
    const { id: planId } = z.object({ id: z.coerce.number() }).parse(row);
    await db.delete(planVersions).where(eq(planVersions.id, planId));
  }
}

const WHOLE: StatsScope = { repos: REPOS, from: new Date(START), to: new Date(START + 45 * 86_400_000) };
const SCOPES: StatsScope[] = [
  WHOLE,
  { ...WHOLE, project: 'red' },
  { ...WHOLE, project: 'blue', environment: 'production' },
  { ...WHOLE, app: 'api' },
  { ...WHOLE, environment: 'staging' },
  { ...WHOLE, repos: ['acme/two'], from: new Date(START + 10 * 86_400_000), to: new Date(START + 20 * 86_400_000) },
];
const byRows = (scope: StatsScope): StatsScope => ({ ...scope, from: new Date(scope.from.getTime() - 1) });

/** Within the histogram's documented accuracy: count exact, mean to rounding, percentiles within 4.5 %. */
function expectCloseSummary(rolled: DurationSummary, exact: DurationSummary): void {
  expect(rolled.count).toBe(exact.count);
  if (exact.count === 0) {
    expect(rolled).toEqual(exact);
    return;
  }
  expect(rolled.meanMs).toBeCloseTo(exact.meanMs ?? Number.NaN, 3);
  for (const key of ['p50Ms', 'p90Ms'] as const) {
    const want = exact[key] ?? Number.NaN;
    expect(Math.abs((rolled[key] ?? Number.NaN) - want)).toBeLessThanOrEqual(want * 0.045 + 1);
  }
}

async function expectRollupsMatchRows(db: Db): Promise<void> {
  for (const scope of SCOPES) {
    expect(await personActivity(db, scope)).toEqual(await personActivity(db, byRows(scope)));
    expect(await timeToRestore(db, scope)).toEqual(await timeToRestore(db, byRows(scope)));
    expectCloseSummary(await approvalWait(db, scope), await approvalWait(db, byRows(scope)));
    expect(await ordersByOutcome(db, scope)).toEqual(await ordersByOutcome(db, byRows(scope)));
  }
}

describe.each(BACKENDS)('statistics rollups on %s', (backend) => {
  let test: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    test = await openTestDatabase(backend);
    db = test.database.db;
    await seed(db);
  });
  afterAll(async () => {
    await test?.cleanup();
  });

  it('answers as the rows do after inserts', async () => {
    // The data must exercise what is compared: incidents, restored and not, and waits in many buckets.
    const restore = await timeToRestore(db, WHOLE);
    expect(restore.incidents).toBeGreaterThan(10);
    expect(restore.count).toBeGreaterThan(5);
    expect((await approvalWait(db, WHOLE)).count).toBeGreaterThan(40);
    const outcomes = new Set((await ordersByOutcome(db, WHOLE)).map((entry) => entry.outcome));
    expect([...outcomes].sort()).toEqual(['accepted', 'failed', 'rejected', 'requested', 'rolled_back', 'succeeded']);
    expect((await personActivity(db, { ...WHOLE, project: 'red' })).length).toBe(PEOPLE.length);
    await expectRollupsMatchRows(db);
  });

  it('follows updates and deletes of orders, plans, approvals and releases', async () => {
    const before = await timeToRestore(db, WHOLE);
    await change(db);
    expect(await timeToRestore(db, WHOLE)).not.toEqual(before);
    const production = await personActivity(db, { ...WHOLE, environment: 'production' });
    const staging = await personActivity(db, { ...WHOLE, environment: 'staging' });
    expect([...production, ...staging].map((entry) => entry.person)).toContain('zed');
    await expectRollupsMatchRows(db);
  });

  it('rebuilds the rollups in the migration as the triggers keep them', async () => {
    // What migration 0022 inserts for rows that existed before it, recomputed now: the same as the kept tables.
    const kept = await db.execute(sql`
      select (select count(*) from restore_incidents)::int as incidents,
        (select coalesce(sum(n), 0) from approval_wait_buckets)::int as waits,
        (select coalesce(sum(n), 0) from person_scope_day_counts)::int as facts,
        (select coalesce(sum(n), 0) from person_day_counts)::int as repo_facts,
        (select coalesce(sum(n), 0) from order_outcome_day_counts)::int as outcomes`);
    await db.execute(sql`delete from person_day_counts`);
    await db.execute(sql`delete from order_outcome_day_counts`);
    await db.execute(sql`delete from restore_incidents`);
    await db.execute(sql`delete from approval_wait_buckets`);
    await db.execute(sql`delete from person_scope_day_counts`);
    const backfill = await migrationBackfill();
    for (const statement of backfill) await db.execute(sql.raw(statement));
    const rebuilt = await db.execute(sql`
      select (select count(*) from restore_incidents)::int as incidents,
        (select coalesce(sum(n), 0) from approval_wait_buckets)::int as waits,
        (select coalesce(sum(n), 0) from person_scope_day_counts)::int as facts,
        (select coalesce(sum(n), 0) from person_day_counts)::int as repo_facts,
        (select coalesce(sum(n), 0) from order_outcome_day_counts)::int as outcomes`);
    expect(rawRows(rebuilt)).toEqual(rawRows(kept));
    await expectRollupsMatchRows(db);
  });
});

/** The statements at the end of migration 0022 that fill the rollups from the rows (INSERT … SELECT, DELETE). */
async function migrationBackfill(): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../migrations/0023_stats_rollups.sql', import.meta.url), 'utf8');
  return text
    .split('--> statement-breakpoint')
    .map((statement) => statement.trim())
    .filter((statement) => statement.startsWith('INSERT INTO') || statement.startsWith('DELETE FROM'));
}
