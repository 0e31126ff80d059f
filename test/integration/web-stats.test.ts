/**
 * The statistics queries and the Statistics page over a small dataset whose every figure is worked out by hand
 * (see the comments at each row), on both backends. A third repository the viewer may not read has look-alike rows
 * (same app, project and people) that must never be counted.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apps, approvals, auditLog, environments, planVersions, releases, workOrders } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { statsPage } from '../../src/web/pages/stats-page.ts';
import { approvalWait } from '../../src/web/stats/approval-wait.ts';
import { changeFailureRate } from '../../src/web/stats/change-failure-rate.ts';
import { filterOptions } from '../../src/web/stats/filter-options.ts';
import { leadTime } from '../../src/web/stats/lead-time.ts';
import { ordersByOutcome } from '../../src/web/stats/orders-by-outcome.ts';
import { personActivity } from '../../src/web/stats/person-activity.ts';
import { releasesPerApp, releasesPerProject } from '../../src/web/stats/release-counts.ts';
import { releasesPerDay } from '../../src/web/stats/releases-per-day.ts';
import { readStatistics } from '../../src/web/stats/statistics.ts';
import { parseStatsFilters } from '../../src/web/stats/stats-filters.ts';
import { successRate } from '../../src/web/stats/success-rate.ts';
import { timeToRestore } from '../../src/web/stats/time-to-restore.ts';
import type { StatsScope } from '../../src/web/stats/types.ts';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const H = 3_600_000;
const at = (text: string): Date => new Date(`2026-${text}:00Z`);
const VIEWER_REPOS = ['acme/shop', 'acme/billing'] as const;
const OTHER = 'evil/other';
/** 2026-11-01 to 2026-11-05, whole days. */
const SCOPE: StatsScope = { repos: VIEWER_REPOS, from: at('11-01T00:00'), to: at('11-06T00:00') };

async function seed(db: Db): Promise<void> {
  await db.insert(apps).values([
    { repoFullName: 'acme/shop', name: 'checkout', project: 'shop', deployTo: '/srv/checkout' },
    { repoFullName: 'acme/shop', name: 'cart', project: 'shop', deployTo: '/srv/cart' },
    { repoFullName: 'acme/billing', name: 'invoices', project: 'money', deployTo: '/srv/invoices' },
    { repoFullName: OTHER, name: 'checkout', project: 'shop', deployTo: '/srv/checkout' },
  ]);
  await db.insert(environments).values([
    { repoFullName: 'acme/shop', app: 'checkout', name: 'staging', approvalsNeeded: 1 },
    { repoFullName: 'acme/shop', app: 'checkout', name: 'production', production: true, approvalsNeeded: 2 },
    { repoFullName: 'acme/shop', app: 'cart', name: 'production', production: true, approvalsNeeded: 1 },
    { repoFullName: 'acme/billing', app: 'invoices', name: 'production', production: true, approvalsNeeded: 1 },
    { repoFullName: OTHER, app: 'checkout', name: 'production', production: true, approvalsNeeded: 1 },
  ]);
  const order = async (values: {
    repo: string;
    number: number;
    app: string;
    environment: string;
    requester: string;
    planAuthor: string;
    deployer: string;
    created: Date;
  }) => {
    const [row] = await db
      .insert(workOrders)
      .values({
        repoFullName: values.repo,
        installationId: 1,
        kind: 'issue',
        number: values.number,
        title: `order ${values.number}`,
        state: 'succeeded',
        app: values.app,
        environment: values.environment,
        requester: values.requester,
        planAuthor: values.planAuthor,
        deployer: values.deployer,
        createdAt: values.created,
        updatedAt: values.created,
      })
      .returning({ id: workOrders.id });
    if (row === undefined) throw new Error('no order');
    return row.id;
  };
  const plan = (workOrderId: number, seq: number, author: string, digest: string, created: Date) =>
    db.insert(planVersions).values({ workOrderId, seq, author, yaml: 'app: x', plan: {}, digest, createdAt: created });
  // The service stamps the plan when its quorum is reached (in the approving transaction): so do the tests.
  const quorum = (workOrderId: number, digest: string, reached: Date) =>
    db
      .update(planVersions)
      .set({ quorumReachedAt: reached })
      .where(and(eq(planVersions.workOrderId, workOrderId), eq(planVersions.digest, digest)));
  let ref = 0;
  const vote = (
    workOrderId: number,
    actor: string,
    digest: string,
    created: Date,
    verdict: 'approved' | 'rejected' = 'approved',
  ) =>
    db.insert(approvals).values({
      workOrderId,
      actor,
      source: 'github',
      digest,
      verdict,
      sourceRef: `review:${(ref += 1)}`,
      createdAt: created,
    });
  const release = (
    workOrderId: number | null,
    id: string,
    repo: string,
    app: string,
    environment: string,
    status: 'succeeded' | 'partial' | 'failed' | 'aborted' | 'running',
    finished: Date | null,
  ) =>
    db.insert(releases).values({
      workOrderId,
      releaseId: id,
      repoFullName: repo,
      app,
      environment,
      version: id,
      status,
      finishedAt: finished,
      createdAt: finished ?? at('11-05T12:00'),
    });

  // Before the range: a success of checkout/production without an order (not an order, outside the range).
  await release(null, 'R0', 'acme/shop', 'checkout', 'production', 'succeeded', at('10-31T23:00'));

  // WO1 checkout/production (quorum 2). Plan 01:00; dave approves twice (counts once), erin at 04:00 completes the
  // quorum: wait 3 h. R1 fails at 06:00 (incident; the release before it succeeded), R2 succeeds at 10:00: lead
  // time 10 h, restore 4 h.
  const wo1 = await order({
    repo: 'acme/shop',
    number: 1,
    app: 'checkout',
    environment: 'production',
    requester: 'alice',
    planAuthor: 'bob',
    deployer: 'carol',
    created: at('11-01T00:00'),
  });
  await plan(wo1, 1, 'bob', 'd1', at('11-01T01:00'));
  await vote(wo1, 'dave', 'd1', at('11-01T02:00'));
  await vote(wo1, 'dave', 'd1', at('11-01T02:30'));
  await vote(wo1, 'erin', 'd1', at('11-01T04:00'));
  await quorum(wo1, 'd1', at('11-01T04:00'));
  await release(wo1, 'R1', 'acme/shop', 'checkout', 'production', 'failed', at('11-01T06:00'));
  await release(wo1, 'R2', 'acme/shop', 'checkout', 'production', 'succeeded', at('11-01T10:00'));

  // WO2 checkout/staging (quorum 1). Plan d2a at 01:00 approved 01:30 (wait 30 min); a new plan d2b at 02:00,
  // approved 05:00 (wait 3 h). R3 succeeds 12:00 (lead time 12 h); R4 the next day is not its first success.
  const wo2 = await order({
    repo: 'acme/shop',
    number: 2,
    app: 'checkout',
    environment: 'staging',
    requester: 'alice',
    planAuthor: 'bob',
    deployer: 'carol',
    created: at('11-02T00:00'),
  });
  await plan(wo2, 1, 'bob', 'd2a', at('11-02T01:00'));
  await vote(wo2, 'dave', 'd2a', at('11-02T01:30'));
  await quorum(wo2, 'd2a', at('11-02T01:30'));
  await plan(wo2, 2, 'bob', 'd2b', at('11-02T02:00'));
  await vote(wo2, 'erin', 'd2b', at('11-02T05:00'));
  await quorum(wo2, 'd2b', at('11-02T05:00'));
  await release(wo2, 'R3', 'acme/shop', 'checkout', 'staging', 'succeeded', at('11-02T12:00'));
  await release(wo2, 'R4', 'acme/shop', 'checkout', 'staging', 'succeeded', at('11-03T12:00'));

  // WO3 cart/production (quorum 1). erin's rejection does not count; carol approves at 02:00: wait 1 h. R5 partial
  // (incident, first release of cart), R6 aborted (ignored), R7 partial (same incident), R8 succeeds 11-04 06:00:
  // restore 22 h, lead time 30 h.
  const wo3 = await order({
    repo: 'acme/shop',
    number: 3,
    app: 'cart',
    environment: 'production',
    requester: 'bob',
    planAuthor: 'alice',
    deployer: 'dave',
    created: at('11-03T00:00'),
  });
  await plan(wo3, 1, 'alice', 'd3', at('11-03T01:00'));
  await vote(wo3, 'erin', 'd3', at('11-03T01:30'), 'rejected');
  await vote(wo3, 'carol', 'd3', at('11-03T02:00'));
  await quorum(wo3, 'd3', at('11-03T02:00'));
  await release(wo3, 'R5', 'acme/shop', 'cart', 'production', 'partial', at('11-03T08:00'));
  await release(wo3, 'R6', 'acme/shop', 'cart', 'production', 'aborted', at('11-03T09:00'));
  await release(wo3, 'R7', 'acme/shop', 'cart', 'production', 'partial', at('11-04T00:00'));
  await release(wo3, 'R8', 'acme/shop', 'cart', 'production', 'succeeded', at('11-04T06:00'));

  // WO4 invoices/production: wait 2 h; R9 fails and nothing restores it; R10 is still running.
  const wo4 = await order({
    repo: 'acme/billing',
    number: 4,
    app: 'invoices',
    environment: 'production',
    requester: 'carol',
    planAuthor: 'dave',
    deployer: 'erin',
    created: at('11-04T00:00'),
  });
  await plan(wo4, 1, 'dave', 'd4', at('11-04T01:00'));
  await vote(wo4, 'alice', 'd4', at('11-04T03:00'));
  await quorum(wo4, 'd4', at('11-04T03:00'));
  await release(wo4, 'R9', 'acme/billing', 'invoices', 'production', 'failed', at('11-05T00:00'));
  await release(wo4, 'R10', 'acme/billing', 'invoices', 'production', 'running', null);

  // The repo the viewer may not read: same app, project and people.
  const wo5 = await order({
    repo: OTHER,
    number: 1,
    app: 'checkout',
    environment: 'production',
    requester: 'alice',
    planAuthor: 'bob',
    deployer: 'carol',
    created: at('11-01T00:00'),
  });
  await plan(wo5, 1, 'bob', 'd5', at('11-01T01:00'));
  await vote(wo5, 'dave', 'd5', at('11-01T02:00'));
  await quorum(wo5, 'd5', at('11-01T02:00'));
  await release(wo5, 'R11', OTHER, 'checkout', 'production', 'succeeded', at('11-01T05:00'));
  await release(wo5, 'R12', OTHER, 'checkout', 'production', 'failed', at('11-02T00:00'));

  // State changes as the service writes them to the audit log (the chain's hashes do not matter here). Week W44 ends
  // on Sunday 11-01, W45 begins on Monday 11-02.
  let hash = 0;
  const moved = (workOrderId: number, from: string, to: string, cause: string, when: Date) =>
    db.insert(auditLog).values({
      at: when,
      actor: 'yardmaster',
      action: 'work_order.transition',
      workOrderId,
      fromState: from,
      toState: to,
      data: { cause },
      prevHash: `prev-${(hash += 1)}`,
      hash: `hash-${hash}`,
    });
  await moved(wo1, 'requested', 'planned', 'plan-posted', at('11-01T01:00'));
  await moved(wo1, 'running', 'failed', 'release-failed', at('11-01T06:00'));
  await moved(wo1, 'running', 'succeeded', 'release-succeeded', at('11-01T10:00'));
  await moved(wo1, 'succeeded', 'accepted', 'accepted', at('11-02T09:00'));
  await moved(wo2, 'running', 'succeeded', 'release-succeeded', at('11-02T12:00'));
  await moved(wo2, 'running', 'failed', 'rollback-finished', at('11-03T13:00'));
  // WO3 fails twice in W45: each change counts.
  await moved(wo3, 'running', 'failed', 'release-failed', at('11-03T08:00'));
  await moved(wo3, 'running', 'failed', 'release-failed', at('11-04T00:00'));
  await moved(wo3, 'running', 'succeeded', 'release-succeeded', at('11-04T06:00'));
  // The statistic counts the audit rows as written (a rejection of WO4's first plan, then its failed rollback).
  await moved(wo4, 'planned', 'rejected', 'rejected', at('11-04T02:00'));
  await moved(wo4, 'running', 'failed', 'rollback-failed', at('11-05T00:00'));
  await moved(wo4, 'running', 'succeeded', 'release-succeeded', at('11-06T01:00'));
  await moved(wo5, 'running', 'succeeded', 'release-succeeded', at('11-01T05:00'));
  await moved(wo5, 'planned', 'rejected', 'rejected', at('11-02T05:00'));

  // What storing a succeeded result does: the order's first success stamps it.
  await db.execute(sql`update work_orders w set released_at = r.at
    from (select work_order_id, min(finished_at) as at from releases where status = 'succeeded' group by 1) r where r.work_order_id = w.id`);
}

describe.each(BACKENDS)('statistics on %s', (backend) => {
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

  it('counts finished releases per day, environment and result', async () => {
    expect(await releasesPerDay(db, SCOPE)).toEqual([
      { day: '2026-11-01', environment: 'production', status: 'failed', count: 1 },
      { day: '2026-11-01', environment: 'production', status: 'succeeded', count: 1 },
      { day: '2026-11-02', environment: 'staging', status: 'succeeded', count: 1 },
      { day: '2026-11-03', environment: 'production', status: 'aborted', count: 1 },
      { day: '2026-11-03', environment: 'production', status: 'partial', count: 1 },
      { day: '2026-11-03', environment: 'staging', status: 'succeeded', count: 1 },
      { day: '2026-11-04', environment: 'production', status: 'partial', count: 1 },
      { day: '2026-11-04', environment: 'production', status: 'succeeded', count: 1 },
      { day: '2026-11-05', environment: 'production', status: 'failed', count: 1 },
    ]);
  });

  it('computes the success rate and the change failure rate', async () => {
    expect(await successRate(db, SCOPE)).toEqual({ finished: 9, succeeded: 4, rate: 4 / 9 });
    expect(await changeFailureRate(db, SCOPE)).toEqual({
      overall: { finished: 9, failed: 4, rate: 4 / 9 },
      byEnvironment: [
        { environment: 'production', finished: 7, failed: 4, rate: 4 / 7 },
        { environment: 'staging', finished: 2, failed: 0, rate: 0 },
      ],
    });
  });

  it('times lead time to each order’s first successful release', async () => {
    const result = await leadTime(db, SCOPE);
    expect(result.overall.count).toBe(3);
    expect(result.overall.p50Ms).toBeCloseTo(12 * H, 3);
    expect(result.overall.p90Ms).toBeCloseTo(26.4 * H, 3);
    expect(result.overall.meanMs).toBeCloseTo((52 / 3) * H, 3);
    expect(result.perDay.map((day) => [day.day, day.count, day.p50Ms])).toEqual([
      ['2026-11-01', 1, 10 * H],
      ['2026-11-02', 1, 12 * H],
      ['2026-11-04', 1, 30 * H],
    ]);
  });

  it('times approval wait to the approval that completed the quorum', async () => {
    // Waits 3 h, 30 min, 3 h, 1 h, 2 h.
    const result = await approvalWait(db, SCOPE);
    expect(result.count).toBe(5);
    expect(result.p50Ms).toBeCloseTo(2 * H, 3);
    expect(result.p90Ms).toBeCloseTo(3 * H, 3);
    expect(result.meanMs).toBeCloseTo(1.9 * H, 3);
  });

  it('times restore from the first failure of a streak to the next success', async () => {
    const result = await timeToRestore(db, SCOPE);
    expect(result).toMatchObject({ incidents: 3, unrestored: 1, count: 2 });
    expect(result.p50Ms).toBeCloseTo(13 * H, 3);
    expect(result.meanMs).toBeCloseTo(13 * H, 3);
  });

  it('counts releases per project and per app', async () => {
    expect(await releasesPerProject(db, SCOPE)).toEqual([
      { project: 'shop', releases: 8, succeeded: 4, failed: 3 },
      { project: 'money', releases: 1, succeeded: 0, failed: 1 },
    ]);
    expect(await releasesPerApp(db, SCOPE)).toEqual([
      { repoFullName: 'acme/shop', app: 'cart', releases: 4, succeeded: 1, failed: 2 },
      { repoFullName: 'acme/shop', app: 'checkout', releases: 4, succeeded: 3, failed: 1 },
      { repoFullName: 'acme/billing', app: 'invoices', releases: 1, succeeded: 0, failed: 1 },
    ]);
  });

  it('counts what each person did', async () => {
    expect(await personActivity(db, SCOPE)).toEqual([
      { person: 'dave', ordersRequested: 0, plansAuthored: 1, approvalsGiven: 3, releasesDeployed: 4 },
      { person: 'carol', ordersRequested: 1, plansAuthored: 0, approvalsGiven: 1, releasesDeployed: 4 },
      { person: 'alice', ordersRequested: 2, plansAuthored: 1, approvalsGiven: 1, releasesDeployed: 0 },
      { person: 'bob', ordersRequested: 1, plansAuthored: 3, approvalsGiven: 0, releasesDeployed: 0 },
      { person: 'erin', ordersRequested: 0, plansAuthored: 0, approvalsGiven: 2, releasesDeployed: 1 },
    ]);
  });

  it('counts work orders by outcome per ISO week', async () => {
    const w44 = { week: '2026-W44', weekStart: '2026-10-26' };
    const w45 = { week: '2026-W45', weekStart: '2026-11-02' };
    expect(await ordersByOutcome(db, SCOPE)).toEqual([
      { ...w44, outcome: 'requested', count: 1 },
      { ...w44, outcome: 'succeeded', count: 1 },
      { ...w44, outcome: 'failed', count: 1 },
      { ...w45, outcome: 'requested', count: 3 },
      { ...w45, outcome: 'rejected', count: 1 },
      { ...w45, outcome: 'succeeded', count: 2 },
      { ...w45, outcome: 'failed', count: 3 },
      { ...w45, outcome: 'rolled_back', count: 1 },
      { ...w45, outcome: 'accepted', count: 1 },
    ]);
    expect(await ordersByOutcome(db, { ...SCOPE, project: 'money' })).toEqual([
      { ...w45, outcome: 'requested', count: 1 },
      { ...w45, outcome: 'rejected', count: 1 },
      { ...w45, outcome: 'failed', count: 1 },
    ]);
    expect(await ordersByOutcome(db, { ...SCOPE, app: 'checkout', environment: 'staging' })).toEqual([
      { ...w45, outcome: 'requested', count: 1 },
      { ...w45, outcome: 'succeeded', count: 1 },
      { ...w45, outcome: 'rolled_back', count: 1 },
    ]);
    expect(await ordersByOutcome(db, { ...SCOPE, repos: [OTHER] })).toEqual([
      { ...w44, outcome: 'requested', count: 1 },
      { ...w44, outcome: 'succeeded', count: 1 },
      { ...w45, outcome: 'rejected', count: 1 },
    ]);
  });

  it('counts only the scope’s repositories', async () => {
    const other: StatsScope = { ...SCOPE, repos: [OTHER] };
    expect(await successRate(db, other)).toEqual({ finished: 2, succeeded: 1, rate: 0.5 });
    expect((await leadTime(db, other)).overall.p50Ms).toBeCloseTo(5 * H, 3);
    expect((await approvalWait(db, other)).count).toBe(1);
    expect(await timeToRestore(db, other)).toMatchObject({ incidents: 1, unrestored: 1 });

    const none: StatsScope = { ...SCOPE, repos: [] };
    const empty = await readStatistics(db, none);
    expect(empty.releasesPerDay).toEqual([]);
    expect(empty.successRate).toEqual({ finished: 0, succeeded: 0, rate: null });
    expect(empty.changeFailureRate).toEqual({ overall: { finished: 0, failed: 0, rate: null }, byEnvironment: [] });
    expect(empty.leadTime).toEqual({ overall: { count: 0, p50Ms: null, p90Ms: null, meanMs: null }, perDay: [] });
    expect(empty.approvalWait.count).toBe(0);
    expect(empty.timeToRestore).toMatchObject({ incidents: 0, unrestored: 0, count: 0 });
    expect(empty.releasesPerProject).toEqual([]);
    expect(empty.releasesPerApp).toEqual([]);
    expect(empty.personActivity).toEqual([]);
    expect(empty.ordersByOutcome).toEqual([]);
    expect(await filterOptions(db, [])).toEqual({ projects: [], apps: [], environments: [] });
  });

  it('counts from the day rollup what counting the releases themselves gives', async () => {
    // A range that is not whole UTC days is counted from the releases; one millisecond earlier holds no release here.
    for (const scope of [
      SCOPE,
      { ...SCOPE, app: 'cart' },
      { ...SCOPE, project: 'shop' },
      { ...SCOPE, environment: 'staging' },
    ]) {
      const exact: StatsScope = { ...scope, from: new Date(scope.from.getTime() - 1) };
      expect(await releasesPerDay(db, scope)).toEqual(await releasesPerDay(db, exact));
      expect(await successRate(db, scope)).toEqual(await successRate(db, exact));
      expect(await changeFailureRate(db, scope)).toEqual(await changeFailureRate(db, exact));
      expect(await releasesPerProject(db, scope)).toEqual(await releasesPerProject(db, exact));
      expect(await releasesPerApp(db, scope)).toEqual(await releasesPerApp(db, exact));
      expect(await personActivity(db, scope)).toEqual(await personActivity(db, exact));
      expect(await ordersByOutcome(db, scope)).toEqual(await ordersByOutcome(db, exact));
    }
  });

  it('moves a retried release in the rollup: it counts once, on its last finish', async () => {
    const day = { ...SCOPE, from: at('11-20T00:00'), to: at('11-23T00:00') };
    // WO3 names dave as its deployer.
    const [wo3] = await db
      .select({ id: workOrders.id })
      .from(workOrders)
      .where(and(eq(workOrders.repoFullName, 'acme/shop'), eq(workOrders.number, 3)));
    const daveDeployed = (n: number) =>
      n === 0 ? [] : [{ person: 'dave', ordersRequested: 0, plansAuthored: 0, approvalsGiven: 0, releasesDeployed: n }];
    await db.insert(releases).values({
      workOrderId: wo3?.id ?? null,
      releaseId: 'RETRY',
      repoFullName: 'acme/shop',
      app: 'cart',
      environment: 'production',
      version: 'x',
      status: 'failed',
      finishedAt: at('11-20T10:00'),
    });
    expect(await successRate(db, day)).toEqual({ finished: 1, succeeded: 0, rate: 0 });
    expect(await personActivity(db, day)).toEqual(daveDeployed(1));
    await db.update(releases).set({ status: 'running', finishedAt: null }).where(eq(releases.releaseId, 'RETRY'));
    expect(await successRate(db, day)).toEqual({ finished: 0, succeeded: 0, rate: null });
    expect(await personActivity(db, day)).toEqual(daveDeployed(0));
    await db
      .update(releases)
      .set({ status: 'succeeded', finishedAt: at('11-21T09:00') })
      .where(eq(releases.releaseId, 'RETRY'));
    await db
      .update(releases)
      .set({ result: { note: 'unrelated change' } })
      .where(eq(releases.releaseId, 'RETRY'));
    expect(await releasesPerDay(db, day)).toEqual([
      { day: '2026-11-21', environment: 'production', status: 'succeeded', count: 1 },
    ]);
    expect(await personActivity(db, day)).toEqual(daveDeployed(1));
    expect(await personActivity(db, { ...day, from: new Date(day.from.getTime() - 1) })).toEqual(daveDeployed(1));
    await db.delete(releases).where(eq(releases.releaseId, 'RETRY'));
    expect(await successRate(db, day)).toEqual({ finished: 0, succeeded: 0, rate: null });
    expect(await personActivity(db, day)).toEqual([]);
  });

  it('narrows by environment, app, project and time range', async () => {
    const staging: StatsScope = { ...SCOPE, environment: 'staging' };
    expect(await successRate(db, staging)).toEqual({ finished: 2, succeeded: 2, rate: 1 });
    expect((await leadTime(db, staging)).overall).toMatchObject({ count: 1, p50Ms: 12 * H });
    expect((await approvalWait(db, staging)).count).toBe(2);

    const cart: StatsScope = { ...SCOPE, app: 'cart' };
    expect(await timeToRestore(db, cart)).toMatchObject({ incidents: 1, unrestored: 0, count: 1, p50Ms: 22 * H });
    expect(await releasesPerApp(db, cart)).toEqual([
      { repoFullName: 'acme/shop', app: 'cart', releases: 4, succeeded: 1, failed: 2 },
    ]);

    // The other repo's checkout is in project "shop" too, but not readable.
    const money: StatsScope = { ...SCOPE, project: 'money' };
    expect(await successRate(db, money)).toEqual({ finished: 1, succeeded: 0, rate: 0 });
    expect(await releasesPerProject(db, { ...SCOPE, project: 'shop' })).toEqual([
      { project: 'shop', releases: 8, succeeded: 4, failed: 3 },
    ]);
    expect((await personActivity(db, money)).map((entry) => entry.person)).toEqual(['alice', 'carol', 'dave', 'erin']);

    // 11-03 and 11-04 only: R7 continues the incident R5 began, so one incident.
    const middle: StatsScope = { ...SCOPE, from: at('11-03T00:00'), to: at('11-05T00:00') };
    expect((await releasesPerDay(db, middle)).map((row) => row.day)).toEqual([
      '2026-11-03',
      '2026-11-03',
      '2026-11-03',
      '2026-11-04',
      '2026-11-04',
    ]);
    expect(await timeToRestore(db, middle)).toMatchObject({ incidents: 1, count: 1, p50Ms: 22 * H });
    expect((await leadTime(db, middle)).overall).toMatchObject({ count: 1, p50Ms: 30 * H });
  });

  it('offers the viewer’s projects, apps and environments as filters', async () => {
    expect(await filterOptions(db, VIEWER_REPOS)).toEqual({
      projects: ['money', 'shop'],
      apps: ['cart', 'checkout', 'invoices'],
      environments: ['production', 'staging'],
    });
  });

  it('renders the page with cards, charts and people', async () => {
    const viewer = { login: 'alice', repos: VIEWER_REPOS, csrfToken: 'token' };
    const page = (await statsPage(db, viewer, new URLSearchParams({ from: '2026-11-01', to: '2026-11-05' }))).text;
    expect(page).toContain('<title>Statistics · Yardmaster</title>');
    expect(page).toMatch(/data-testid="stat-releases">.*?<div class="value">9<\/div>/s);
    expect(page).toMatch(/data-testid="stat-success-rate">.*?<div class="value">44.4%<\/div>/s);
    expect(page).toMatch(/data-testid="stat-change-failure-rate">.*?<div class="value">44.4%<\/div>/s);
    expect(page).toMatch(/data-testid="stat-lead-time">.*?<div class="value">12 h<\/div>/s);
    expect(page).toMatch(/data-testid="stat-approval-wait">.*?<div class="value">2 h<\/div>/s);
    expect(page).toMatch(/data-testid="stat-time-to-restore">.*?<div class="value">13 h<\/div>/s);
    const figure = (testId: string): string =>
      new RegExp(`data-testid="${testId}">(.*?)</figure>`, 's').exec(page)?.[1] ?? '';
    const points = (testId: string): number => figure(testId).match(/data-point=""/g)?.length ?? 0;
    expect(points('chart-releases-per-day')).toBe(9);
    expect(points('chart-success-rate')).toBe(5);
    expect(points('chart-lead-time')).toBe(3);
    expect(points('chart-change-failure-rate')).toBe(2);
    expect(points('chart-releases-per-project')).toBe(2);
    expect(points('chart-releases-per-app')).toBe(3);
    expect(page).toContain('<td>dave</td><td>0</td><td>1</td><td>3</td><td>4</td>');
    expect(points('chart-orders-by-outcome')).toBe(9);
    expect(page).toContain(
      '<tr><th scope="row">2026-W44</th><td>2026-10-26</td><td>1</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td></tr>',
    );
    expect(page).toContain(
      '<tr><th scope="row">2026-W45</th><td>2026-11-02</td><td>3</td><td>1</td><td>2</td><td>3</td><td>1</td><td>1</td></tr>',
    );
    expect(page).not.toContain('evil/other');
    expect(page).not.toContain('filter-problems');
  });

  it('reports invalid filters on the page and uses the defaults', async () => {
    const viewer = { login: 'alice', repos: VIEWER_REPOS, csrfToken: 'token' };
    const page = (
      await statsPage(db, viewer, new URLSearchParams({ from: 'yesterday', to: '2026-02-30', app: 'x'.repeat(300) }))
    ).text;
    expect(page).toContain('data-testid="filter-problems"');
    expect(page).toContain('From: must be a date like 2026-12-06; ignored');
    expect(page).toContain('To: is not a date; ignored');
    expect(page).toContain('App: is too long; ignored');
    expect(page).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('parseStatsFilters', () => {
  const now = new Date('2026-12-06T15:00:00Z');

  it('defaults to the last 30 days, today included', () => {
    const parsed = parseStatsFilters(new URLSearchParams(), ['a/b'], now);
    expect(parsed.values).toEqual({ from: '2026-11-07', to: '2026-12-06', project: '', app: '', environment: '' });
    expect(parsed.scope).toEqual({
      repos: ['a/b'],
      from: new Date('2026-11-07T00:00:00Z'),
      to: new Date('2026-12-07T00:00:00Z'),
    });
    expect(parsed.problems).toEqual([]);
  });

  it('takes valid values and reports a reversed or too long range', () => {
    expect(
      parseStatsFilters(
        new URLSearchParams({ from: '2026-01-01', to: '2026-01-31', project: ' shop ', environment: 'production' }),
        [],
        now,
      ).scope,
    ).toEqual({
      repos: [],
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-02-01T00:00:00Z'),
      project: 'shop',
      environment: 'production',
    });
    const reversed = parseStatsFilters(new URLSearchParams({ from: '2026-02-01', to: '2026-01-01' }), [], now);
    expect(reversed.values).toMatchObject({ from: '2026-11-07', to: '2026-12-06' });
    expect(reversed.problems).toEqual(['From (2026-02-01) is after To (2026-01-01); showing the last 30 days']);
    const long = parseStatsFilters(new URLSearchParams({ from: '2020-01-01', to: '2026-01-01' }), [], now);
    expect(long.values).toMatchObject({ from: '2025-12-03', to: '2026-01-01' });
    expect(long.problems).toHaveLength(1);
  });
});
