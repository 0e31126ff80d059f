/**
 * Pre-flight in the work-order service on PostgreSQL, without a worker: each stored plan version queues its pre-flight
 * in the plan's transaction, `/preflight` (developers and approvers) queues the next attempt and an older attempt's
 * result is dropped, `preflight: required` refuses approvals until the current digest's pre-flight passed, and a job
 * for a replaced plan stores that it did not run. Jobs stay queued and are inspected in pg-boss.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RepoConfig } from '../../src/config/types.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import type { PreflightReport } from '../../src/deploy/preflight-types.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RELEASE_QUEUES, type ReleaseQueue } from '../../src/dispatch/release-queues.ts';
import { defaultPolicySource, storeSecretSource } from '../../src/policy/index.ts';
import {
  checkPreflightJob,
  currentPlan,
  getWorkOrder,
  handleCommand,
  openWorkOrder,
  preflightOf,
  submitPlan,
  type RepoContext,
  type ServiceDeps,
  type WorkOrder,
} from '../../src/workorders/service/index.ts';
import { recordPreflightResult } from '../../src/workorders/service/preflight-store.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { environmentConfig, planComment, repoConfig, repoContext } from '../helpers/workorder-fixtures.ts';

const SHA = 'a'.repeat(64);
const REPO = 'acme/shop';

const config: RepoConfig = repoConfig([{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }], {
  production: environmentConfig({ approvals: 1 }),
  guarded: environmentConfig({ approvals: 1, preflight: 'required' }),
  staging: environmentConfig({ approvals: 0, approvers: [], production: false }),
});
const context: RepoContext = repoContext(config);

let test: TestDatabase;
let queue: ReleaseQueue;
let deps: ServiceDeps;
let nextIssue = 300;
let nextRef = 1;

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  queue = await openQueue(test.database, { queues: RELEASE_QUEUES });
  deps = { db: test.database.db, queue, policy: defaultPolicySource({ artifactsDir: '/nonexistent' }) };
});

afterAll(async () => {
  await queue?.stop({ timeoutMs: 2_000 });
  await test?.cleanup();
});

async function plannedOrder(environment: string, version = '2.0.0'): Promise<WorkOrder> {
  const opened = await openWorkOrder(
    deps,
    {
      repoFullName: REPO,
      installationId: 1,
      number: nextIssue++,
      kind: 'issue',
      title: 'Release shop',
      requester: 'pam',
      form: { requirement: 'ship it', acceptor: 'pam' },
    },
    context,
  );
  if (!opened.ok) throw new Error(opened.message);
  await postPlan(opened.order, environment, version);
  return opened.order;
}

async function postPlan(order: WorkOrder, environment: string, version: string): Promise<void> {
  const url = 'https://artifacts.example.com/shop.tgz';
  const markdown = planComment({ environment, version, url, sha256: SHA });
  const plan = await submitPlan(deps, { order, commentId: nextRef++, author: 'carol', markdown }, context);
  if (!plan.ok) throw new Error(plan.message);
}

async function digestOf(order: WorkOrder): Promise<string> {
  const current = await currentPlan(deps.db, order.id);
  if (current === undefined) throw new Error('no plan');
  return current.row.digest;
}

function command(order: WorkOrder, actor: string, name: 'preflight' | 'approve') {
  return handleCommand(
    deps,
    { order, actor, command: { name }, source: 'github', sourceRef: `comment:${String(nextRef++)}` },
    context,
  );
}

async function preflightJobs(workOrderId: number): Promise<unknown[]> {
  const rows = rawRows(
    await deps.db.execute(
      sql`select data from pgboss.job where name = 'preflight.run' and (data->>'workOrderId')::int = ${workOrderId} order by created_on`,
    ),
  );
  return z
    .array(z.object({ data: z.unknown() }))
    .parse(rows)
    .map((row) => row.data);
}

function report(ok: boolean): PreflightReport {
  return {
    ok,
    packageBytes: 1000,
    hosts: [{ host: 'web-1', ok, checks: { tools: { ok, detail: ok ? 'all present' : 'missing: tar' } } }],
  };
}

describe('pre-flight in the service', () => {
  it('queues each stored version’s pre-flight in the plan’s transaction, and none for an order that starts at once', async () => {
    const order = await plannedOrder('production');
    const digest = await digestOf(order);
    expect(await preflightOf(deps.db, order.id, digest)).toMatchObject({
      status: 'pending',
      attempt: 1,
      requestedBy: 'carol',
      hosts: [],
      replyCommentId: null,
    });
    expect(await preflightJobs(order.id)).toEqual([{ workOrderId: order.id, digest, attempt: 1 }]);

    const atOnce = await plannedOrder('staging');
    expect((await getWorkOrder(deps.db, atOnce.id))?.state).toBe('approved');
    expect(await preflightOf(deps.db, atOnce.id, await digestOf(atOnce))).toBeUndefined();
    expect(await preflightJobs(atOnce.id)).toEqual([]);
  });

  it('/preflight: developers and approvers queue the next attempt; a stale attempt’s result is dropped', async () => {
    const order = await plannedOrder('production');
    const digest = await digestOf(order);
    const refused = await command(order, 'pam', 'preflight');
    expect(refused).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(refused.ok ? '' : refused.message).toContain('@pam is neither a developer nor an approver');

    const byApprover = await command(order, 'dave', 'preflight');
    expect(byApprover).toMatchObject({ ok: true, outcome: 'preflight-queued' });
    expect(byApprover.message).toBe(
      'Pre-flight of plan v1 queued (run 2); its result comes as the check run yardmaster / preflight.',
    );
    const byDeveloper = await command(order, 'dev', 'preflight');
    expect(byDeveloper).toMatchObject({ ok: true, outcome: 'preflight-queued' });
    expect(byDeveloper.message).toContain('(run 3)');
    expect((await preflightJobs(order.id)).map((job) => z.object({ attempt: z.number() }).parse(job).attempt)).toEqual([
      1, 2, 3,
    ]);
    expect(
      await recordPreflightResult(deps.db, { workOrderId: order.id, digest, attempt: 2, report: report(false) }),
    ).toBeUndefined();
    expect(
      await recordPreflightResult(deps.db, { workOrderId: order.id, digest, attempt: 3, report: report(true) }),
    ).toMatchObject({ status: 'passed', attempt: 3, requestedBy: 'dev' });
    // A finished attempt is not finished again.
    expect(
      await recordPreflightResult(deps.db, { workOrderId: order.id, digest, attempt: 3, report: report(false) }),
    ).toBeUndefined();
  });

  it('preflight: required refuses approvals while pending or failed, and takes them once it passed', async () => {
    const order = await plannedOrder('guarded');
    const digest = await digestOf(order);
    const pending = await command(order, 'dave', 'approve');
    expect(pending).toMatchObject({ ok: false, reason: 'preflight-not-passed' });
    expect(pending.ok ? '' : pending.message).toContain('after the pre-flight of plan v1 has passed; it is pending');

    await recordPreflightResult(deps.db, { workOrderId: order.id, digest, attempt: 1, report: report(false) });
    const failed = await command(order, 'erin', 'approve');
    expect(failed.ok ? '' : failed.message).toContain('it is failed on web-1: fix the hosts and run /preflight again');
    expect((await getWorkOrder(deps.db, order.id))?.state).toBe('planned');

    // Not required: the same failed pre-flight does not hold an approval back.
    const free = await plannedOrder('production');
    await recordPreflightResult(deps.db, {
      workOrderId: free.id,
      digest: await digestOf(free),
      attempt: 1,
      report: report(false),
    });
    expect(await command(free, 'dave', 'approve')).toMatchObject({ ok: true, outcome: 'approval-recorded' });
    expect((await getWorkOrder(deps.db, free.id))?.state).toBe('approved');

    expect(await command(order, 'dave', 'preflight')).toMatchObject({ ok: true });
    await recordPreflightResult(deps.db, { workOrderId: order.id, digest, attempt: 2, report: report(true) });
    expect(await command(order, 'dave', 'approve')).toMatchObject({ ok: true, outcome: 'approval-recorded' });
    expect((await getWorkOrder(deps.db, order.id))?.state).toBe('approved');
  });

  it('stores "not run" for the job of a replaced plan, and skips a job whose attempt is not the latest', async () => {
    const order = await plannedOrder('production', '3.0.0');
    const first = await digestOf(order);
    await postPlan(order, 'production', '3.0.1');
    const sources = {
      db: deps.db,
      policy: deps.policy,
      loadConfig: () => Promise.resolve({ ok: true as const, config }),
      secrets: storeSecretSource(deps.db, undefined),
    };
    const replaced = await checkPreflightJob(sources, { workOrderId: order.id, digest: first, attempt: 1 });
    expect(replaced).toMatchObject({
      kind: 'done',
      view: { status: 'failed', message: 'not run: a newer plan version replaced this one' },
    });
    const second = await digestOf(order);
    expect(await checkPreflightJob(sources, { workOrderId: order.id, digest: second, attempt: 7 })).toEqual({
      kind: 'skip',
    });
    expect(await checkPreflightJob(sources, { workOrderId: order.id, digest: second, attempt: 1 })).toMatchObject({
      kind: 'run',
      prepared: { hosts: [{ entry: { name: 'web-1' } }] },
    });
  });
});
