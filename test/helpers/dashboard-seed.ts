/**
 * A small, known history for dashboard tests: two repositories (one the viewer can read, one it cannot), orders in
 * several states with plans, approvals, audit rows, a finished release with stage events and output on two hosts, a
 * held lock with a waiter, and a lane library.
 */
import { appendAudit } from '../../src/db/audit-log.ts';
import {
  approvals,
  apps,
  environmentLocks,
  environmentLockWaiters,
  environments,
  hostRuns,
  laneInstances,
  laneMembers,
  lanes,
  planVersions,
  preflightRuns,
  releases,
  stageEvents,
  stageOutput,
  workOrders,
} from '../../src/db/schema.ts';
import type { Db } from '../../src/db/types.ts';
import { STAGES } from '../../src/deploy/types.ts';

export const READABLE_REPO = 'acme/shop';
export const HIDDEN_REPO = 'acme/secret-ledger';

export interface SeededHistory {
  /** acme/shop#1: released and accepted; its release `rel-shop-1` ran on web-1 and web-2. */
  releasedOrderId: number;
  /** acme/shop#2: planned, one approval so far. */
  plannedOrderId: number;
  /** acme/shop#3: approved, waiting behind #1's lock. */
  waitingOrderId: number;
  /** acme/secret-ledger#7: only its readers may see it. */
  hiddenOrderId: number;
}

const PLAN = (version: string) =>
  `app: shop\nenvironment: production\nversion: "${version}"\nartifact: https://artifacts.example.com/shop-${version}.tar.gz\nstrategy: { type: serial }\n`;

async function order(db: Db, values: typeof workOrders.$inferInsert): Promise<number> {
  const rows = await db.insert(workOrders).values(values).returning({ id: workOrders.id });
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('order not inserted');
  return id;
}

export async function seedDashboardHistory(db: Db): Promise<SeededHistory> {
  const day = (n: number, hour = 10) => new Date(Date.UTC(2026, 10, n, hour, 0, 0));
  await db.insert(apps).values([
    { repoFullName: READABLE_REPO, name: 'shop', project: 'storefront', deployTo: '/srv/shop' },
    { repoFullName: HIDDEN_REPO, name: 'ledger', project: 'finance', deployTo: '/srv/ledger' },
  ]);
  await db.insert(environments).values([
    {
      repoFullName: READABLE_REPO,
      app: 'shop',
      name: 'production',
      production: true,
      approvalsNeeded: 2,
      hosts: ['web'],
    },
    { repoFullName: HIDDEN_REPO, app: 'ledger', name: 'production', production: true, hosts: ['vault'] },
  ]);
  const common = { installationId: 4242, kind: 'issue' as const, app: 'shop', environment: 'production' };
  const releasedOrderId = await order(db, {
    ...common,
    repoFullName: READABLE_REPO,
    number: 1,
    title: 'Ship the new checkout',
    state: 'accepted',
    requester: 'pam',
    planAuthor: 'dev',
    deployer: 'dora',
    acceptor: 'ann',
    createdAt: day(2),
    updatedAt: day(3),
    releasedAt: day(3),
  });
  const plannedOrderId = await order(db, {
    ...common,
    repoFullName: READABLE_REPO,
    number: 2,
    title: 'Raise the cart limit',
    state: 'planned',
    requester: 'pam',
    planAuthor: 'dev',
    createdAt: day(4),
    updatedAt: day(4),
  });
  const waitingOrderId = await order(db, {
    ...common,
    repoFullName: READABLE_REPO,
    number: 3,
    title: 'Hotfix <script>alert(1)</script>',
    state: 'approved',
    requester: 'quinn',
    planAuthor: 'dev',
    createdAt: day(5),
    updatedAt: day(5),
  });
  const hiddenOrderId = await order(db, {
    ...common,
    repoFullName: HIDDEN_REPO,
    number: 7,
    title: 'Rotate ledger keys',
    state: 'running',
    app: 'ledger',
    requester: 'mallory',
    planAuthor: 'mallory',
    createdAt: day(5),
    updatedAt: day(5),
  });

  await db.insert(planVersions).values([
    {
      workOrderId: releasedOrderId,
      seq: 1,
      author: 'dev',
      yaml: PLAN('2.0.0'),
      plan: {},
      digest: 'a'.repeat(64),
      commitSha: 'c'.repeat(40),
      createdAt: day(2, 11),
    },
    // Its quorum of two was reached with erin's approval at 14:00.
    {
      workOrderId: releasedOrderId,
      seq: 2,
      author: 'dev',
      yaml: PLAN('2.0.1'),
      plan: {},
      digest: 'b'.repeat(64),
      commitSha: 'c'.repeat(40),
      createdAt: day(2, 12),
      quorumReachedAt: day(2, 14),
    },
    {
      workOrderId: plannedOrderId,
      seq: 1,
      author: 'dev',
      yaml: PLAN('2.1.0'),
      plan: {},
      digest: 'd'.repeat(64),
      createdAt: day(4, 11),
    },
    {
      workOrderId: hiddenOrderId,
      seq: 1,
      author: 'mallory',
      yaml: 'app: ledger\nsecret_plan: true\n',
      plan: {},
      digest: 'e'.repeat(64),
      createdAt: day(5, 11),
    },
  ]);
  await db.insert(approvals).values([
    {
      workOrderId: releasedOrderId,
      actor: 'carol',
      source: 'github',
      digest: 'b'.repeat(64),
      verdict: 'approved',
      sourceRef: 'review:1',
      createdAt: day(2, 13),
    },
    {
      workOrderId: releasedOrderId,
      actor: 'erin',
      source: 'slack',
      digest: 'b'.repeat(64),
      verdict: 'approved',
      sourceRef: 'slack:1',
      createdAt: day(2, 14),
    },
    {
      workOrderId: plannedOrderId,
      actor: 'carol',
      source: 'github',
      digest: 'd'.repeat(64),
      verdict: 'approved',
      sourceRef: 'comment:9',
      createdAt: day(4, 12),
    },
  ]);
  await db.transaction(async (tx) => {
    const moves: [number, string, string | null, string, string][] = [
      [releasedOrderId, 'pam', null, 'requested', 'opened'],
      [releasedOrderId, 'dev', 'requested', 'planned', 'plan-posted'],
      [releasedOrderId, 'erin', 'planned', 'approved', 'quorum-reached'],
      [releasedOrderId, 'yardmaster', 'approved', 'running', 'started'],
      [releasedOrderId, 'yardmaster', 'running', 'succeeded', 'release-succeeded'],
      [releasedOrderId, 'ann', 'succeeded', 'accepted', 'accepted'],
      [plannedOrderId, 'pam', null, 'requested', 'opened'],
      [plannedOrderId, 'dev', 'requested', 'planned', 'plan-posted'],
      [hiddenOrderId, 'mallory', null, 'requested', 'opened'],
      [hiddenOrderId, 'mallory', 'approved', 'running', 'ledger-secret-reason'],
    ];
    for (const [workOrderId, actor, fromState, toState, reason] of moves) {
      await appendAudit(tx, {
        actor,
        action: fromState === null ? 'work_order.opened' : 'work_order.transition',
        workOrderId,
        fromState,
        toState,
        reason,
      });
    }
    await appendAudit(tx, { actor: 'cli:ops', action: 'lane.instance_added', data: { service: 'cart', version: '1' } });
  });

  await db.insert(releases).values([
    {
      workOrderId: releasedOrderId,
      releaseId: 'rel-shop-1',
      repoFullName: READABLE_REPO,
      app: 'shop',
      environment: 'production',
      version: '2.0.1',
      status: 'succeeded',
      startedAt: day(3, 9),
      finishedAt: day(3, 10),
      createdAt: day(3, 9),
    },
    {
      workOrderId: hiddenOrderId,
      releaseId: 'rel-ledger-1',
      repoFullName: HIDDEN_REPO,
      app: 'ledger',
      environment: 'production',
      version: '9.9.9',
      status: 'running',
      startedAt: day(5, 12),
      createdAt: day(5, 12),
    },
  ]);
  for (const host of ['web-1', 'web-2']) {
    for (const stage of STAGES) {
      await db.insert(stageEvents).values({ releaseId: 'rel-shop-1', host, stage, result: 'started', at: day(3, 9) });
      await db.insert(stageEvents).values({
        releaseId: 'rel-shop-1',
        host,
        stage,
        result: stage === 'monitor' ? 'skipped' : 'ok',
        durationMs: 1200,
        at: day(3, 9),
      });
    }
    await db.insert(stageOutput).values({
      releaseId: 'rel-shop-1',
      host,
      stage: 'post_deploy',
      stream: 'stdout',
      line: `migrations applied on ${host}`,
    });
    await db.insert(hostRuns).values({
      releaseId: 'rel-shop-1',
      host,
      outcome: 'released',
      previousVersion: '1.9.0',
      durationMs: 12_000,
      finishedAt: day(3, 10),
    });
  }
  await db
    .insert(stageEvents)
    .values({ releaseId: 'rel-ledger-1', host: 'vault-1', stage: 'check', result: 'started' });
  await db.insert(stageOutput).values({
    releaseId: 'rel-ledger-1',
    host: 'vault-1',
    stage: 'check',
    stream: 'stdout',
    line: 'ledger master key fingerprint 42',
  });

  await db.insert(environmentLocks).values([
    {
      repoFullName: READABLE_REPO,
      app: 'shop',
      environment: 'production',
      lockedBy: 'dora',
      manualReason: 'database maintenance',
      acquiredAt: day(5, 8),
    },
    {
      repoFullName: HIDDEN_REPO,
      app: 'ledger',
      environment: 'production',
      holderWorkOrderId: hiddenOrderId,
      owner: 'worker-x',
      acquiredAt: day(5, 12),
    },
  ]);
  await db
    .insert(environmentLockWaiters)
    .values({ repoFullName: READABLE_REPO, app: 'shop', environment: 'production', workOrderId: waitingOrderId });

  const instances = await db
    .insert(laneInstances)
    .values([
      {
        service: 'cart',
        version: 'baseline',
        baseline: true,
        runtime: 'registered',
        state: 'up',
        endpoint: 'http://127.0.0.1:9',
      },
      { service: 'cart', version: '1', runtime: 'process', state: 'up', endpoint: 'http://127.0.0.1:10' },
    ])
    .returning({ id: laneInstances.id, version: laneInstances.version });
  const laneRows = await db
    .insert(lanes)
    .values({ name: 'feature-42', mode: 'fallback', spec: {}, expiresAt: new Date(Date.now() + 86_400_000) })
    .returning({ id: lanes.id });
  const laneId = laneRows[0]?.id;
  const cartOne = instances.find((row) => row.version === '1')?.id;
  if (laneId === undefined || cartOne === undefined) throw new Error('lanes not seeded');
  await db.insert(laneMembers).values({ laneId, service: 'cart', instanceId: cartOne, deployed: true });
  // The planned order's pre-flight failed on web-2 (the latest of acme/shop production); the hidden order's passed.
  await db.insert(preflightRuns).values([
    {
      workOrderId: releasedOrderId,
      digest: 'b'.repeat(64),
      status: 'passed',
      hosts: [
        { host: 'web-1', ok: true, checks: {} },
        { host: 'web-2', ok: true, checks: {} },
      ],
      requestedBy: 'dev',
      requestedAt: day(2, 12),
      finishedAt: day(2, 12),
    },
    {
      workOrderId: plannedOrderId,
      digest: 'd'.repeat(64),
      status: 'failed',
      hosts: [
        { host: 'web-1', ok: true, checks: {} },
        { host: 'web-2', ok: false, checks: { tools: { ok: false, detail: 'missing: tar' } } },
      ],
      requestedBy: 'dev',
      requestedAt: day(4, 11),
      finishedAt: day(4, 11),
    },
    {
      workOrderId: hiddenOrderId,
      digest: 'e'.repeat(64),
      status: 'passed',
      hosts: [{ host: 'vault-1', ok: true, checks: {} }],
      requestedBy: 'mallory',
      requestedAt: day(5, 11),
      finishedAt: day(5, 11),
    },
  ]);
  return { releasedOrderId, plannedOrderId, waitingOrderId, hiddenOrderId };
}
