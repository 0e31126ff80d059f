/**
 * The work-order service on PostgreSQL, without a worker: roles, four eyes, quorum, replays, digests, the approval
 * and its start job in one transaction, freeze windows, locks, aborts. Jobs stay queued and are inspected in pg-boss.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepoConfig } from '../../src/config/types.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { approvals, auditLog, environmentLocks, planVersions, workOrders } from '../../src/db/schema.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RELEASE_QUEUES, START_QUEUE, type ReleaseQueue } from '../../src/dispatch/release-queues.ts';
import { parseCommand } from '../../src/workorders/parse-command.ts';
import {
  acquireEnvironmentLock,
  releaseEnvironmentLock,
  renewEnvironmentLock,
} from '../../src/workorders/service/environment-lock.ts';
import { addLockWaiter } from '../../src/workorders/service/lock-waiters.ts';
import {
  AUDIT_ACTIONS,
  cancelWorkOrder,
  currentPlan,
  getWorkOrder,
  handleCommand,
  openWorkOrder,
  recordVerdict,
  refreshPlanCommit,
  submitPlan,
  type CommandResult,
  type RepoContext,
  type ServiceDeps,
  type WorkOrder,
} from '../../src/workorders/service/index.ts';
import type { Command } from '../../src/workorders/types.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import {
  environmentConfig,
  jobData,
  jobState,
  planComment,
  repoConfig,
  repoContext,
  startJobCount,
} from '../helpers/workorder-fixtures.ts';
import { defaultPolicySource } from '../../src/policy/index.ts';

const SHA = 'a'.repeat(64);
const REPO = 'acme/shop';
// A Wednesday, and a Saturday for the weekend freeze of `frozen`.
const WEDNESDAY = new Date('2026-03-04T12:00:00Z');
const SATURDAY = new Date('2026-03-07T12:00:00Z');

const config: RepoConfig = repoConfig([{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }], {
  production: environmentConfig(),
  staging: environmentConfig({ approvals: 0, approvers: [], production: false }),
  frozen: environmentConfig({ freeze: ['Sat-Sun'] }),
});
const context: RepoContext = repoContext(config);

let test: TestDatabase;
let queue: ReleaseQueue;
let deps: ServiceDeps;
let clock = WEDNESDAY;
let nextIssue = 100;
let nextRef = 1;

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  queue = await openQueue(test.database, {
    queues: RELEASE_QUEUES,
    onError: (error) => {
      console.error('pg-boss:', error);
    },
  });
  deps = {
    db: test.database.db,
    queue,
    now: () => clock,
    policy: defaultPolicySource({ artifactsDir: '/nonexistent' }),
  };
});

afterAll(async () => {
  await queue?.stop({ timeoutMs: 2_000 });
  await test?.cleanup();
});

async function openIssue(title = 'Release shop'): Promise<WorkOrder> {
  const opened = await openWorkOrder(
    deps,
    {
      repoFullName: REPO,
      installationId: 1,
      number: nextIssue++,
      kind: 'issue',
      title,
      requester: 'pam',
      form: { requirement: 'ship it', acceptor: 'pam' },
    },
    context,
  );
  if (!opened.ok) throw new Error(opened.message);
  return opened.order;
}

async function postPlan(order: WorkOrder, environment: string, version: string, author = 'carol', more?: string) {
  return submitPlan(
    deps,
    {
      order,
      commentId: nextRef++,
      author,
      markdown: planComment({
        environment,
        version,
        url: 'https://artifacts.example.com/shop.tgz',
        sha256: SHA,
        ...(more === undefined ? {} : { more }),
      }),
      commitSha: 'c0ffee',
    },
    context,
  );
}

async function plannedOrder(environment = 'production', version = '2.0.0'): Promise<WorkOrder> {
  const order = await openIssue();
  const plan = await postPlan(order, environment, version);
  if (!plan.ok) throw new Error(plan.message);
  return order;
}

async function run(
  order: WorkOrder,
  actor: string,
  text: string,
  sourceRef = `comment:${nextRef++}`,
): Promise<CommandResult> {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(`not a command: ${text}`);
  return handleCommand(deps, { order, actor, command: parsed.command, source: 'github', sourceRef }, context);
}

async function digestOf(order: WorkOrder): Promise<string> {
  const plan = await currentPlan(deps.db, order.id);
  if (plan === undefined) throw new Error('no plan');
  return plan.row.digest;
}

async function approvedOrder(environment = 'production'): Promise<WorkOrder> {
  const order = await plannedOrder(environment);
  expect(await run(order, 'dave', '/approve')).toMatchObject({ ok: true });
  expect(await run(order, 'erin', '/approve')).toMatchObject({ ok: true });
  return reload(order);
}

async function reload(order: WorkOrder): Promise<WorkOrder> {
  const fresh = await getWorkOrder(deps.db, order.id);
  if (fresh === undefined) throw new Error('order vanished');
  return fresh;
}

describe('opening work orders', () => {
  it('refuses someone who is not a project manager', async () => {
    const refused = await openWorkOrder(
      deps,
      { repoFullName: REPO, installationId: 1, number: 1, kind: 'issue', title: 'x', requester: 'dev' },
      context,
    );
    expect(refused).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(refused.ok ? '' : refused.message).toContain('project manager');
  });

  it('opens an issue order once: a redelivery returns the same order', async () => {
    const input = {
      repoFullName: REPO,
      installationId: 1,
      number: 2,
      kind: 'issue' as const,
      title: 'Release',
      requester: 'pam',
    };
    const first = await openWorkOrder(deps, input, context);
    const second = await openWorkOrder(deps, input, context);
    expect(first).toMatchObject({ ok: true, created: true, order: { state: 'requested' } });
    expect(second).toMatchObject({ ok: true, created: false });
    if (!first.ok || !second.ok) throw new Error('not opened');
    expect(second.order.id).toBe(first.order.id);
    const opened = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, first.order.id), eq(auditLog.action, AUDIT_ACTIONS.opened)));
    expect(opened).toHaveLength(1);
  });

  it('opens one PR deployment per environment, and refuses an environment nobody configured', async () => {
    const base = {
      repoFullName: REPO,
      installationId: 1,
      number: 3,
      kind: 'pull_request' as const,
      title: 'PR 3',
      requester: 'pam',
      headSha: 'beef',
    };
    expect(await openWorkOrder(deps, { ...base, environment: 'moon' }, context)).toMatchObject({
      ok: false,
      reason: 'unknown-environment',
    });
    expect(await openWorkOrder(deps, base, context)).toMatchObject({ ok: false, reason: 'missing-environment' });
    const first = await openWorkOrder(deps, { ...base, environment: 'staging' }, context);
    const again = await openWorkOrder(deps, { ...base, environment: 'staging' }, context);
    const other = await openWorkOrder(deps, { ...base, environment: 'production' }, context);
    if (!first.ok || !again.ok || !other.ok) throw new Error('not opened');
    expect(again.order.id).toBe(first.order.id);
    expect(other.order.id).not.toBe(first.order.id);
    // The plan of a PR deployment must name its environment.
    const mismatch = await postPlan(first.order, 'production', '1.0.0', 'dev');
    expect(mismatch).toMatchObject({ ok: false, reason: 'environment-mismatch' });
  });
});

describe('plans', () => {
  it('answers a comment without a plan, a broken plan, a plan that does not fit the config, and a non-developer', async () => {
    const order = await openIssue();
    expect(await submitPlan(deps, { order, commentId: 1, author: 'dev', markdown: 'LGTM' }, context)).toMatchObject({
      ok: false,
      reason: 'no-plan',
    });
    const broken = await submitPlan(
      deps,
      {
        order,
        commentId: 1,
        author: 'dev',
        markdown: '```yaml\napp: shop\nenvironment: production\nversion: "bad version"\n```',
      },
      context,
    );
    expect(broken).toMatchObject({ ok: false, reason: 'invalid-plan' });
    if (broken.ok || broken.reason !== 'invalid-plan') throw new Error('expected issues');
    expect(broken.issues.some((issue) => issue.line === 4)).toBe(true);
    expect(await postPlan(order, 'production', '2.0.0', 'dev', 'hosts: [db]')).toMatchObject({
      ok: false,
      reason: 'invalid-targets',
    });
    expect(await postPlan(order, 'production', '2.0.0', 'dave')).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect((await reload(order)).state).toBe('requested');
  });

  it('stores a plan, moves the order to planned and summarises it', async () => {
    const order = await openIssue();
    const result = await postPlan(
      order,
      'production',
      '2.0.0',
      'carol',
      'commands:\n  post_deploy: ["systemctl reload shop"]\n  health: { command: "true", retries: 2, interval: 1s }',
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome).toBe('stored');
    expect(result.moved).toEqual([{ from: 'requested', to: 'planned', cause: 'plan-posted' }]);
    expect(result.summary).toMatchObject({
      app: 'shop',
      environment: 'production',
      version: '2.0.0',
      seq: 1,
      batches: [['web-1']],
      approvals: { needed: 2, from: ['team:ops'], excluding: 'carol' },
    });
    expect(result.summary.stages.map((stage) => stage.stage)).toHaveLength(9);
    // The probe's command is listed verbatim among the stage's commands; the check's words hold nothing the plan wrote.
    expect(result.summary.stages.find((stage) => stage.stage === 'health')).toMatchObject({
      commands: ['true'],
      check: '3 tries 1s apart',
    });
    // The same plan again (another comment, same meaning) changes nothing.
    const again = await postPlan(
      order,
      'production',
      '2.0.0',
      'carol',
      'commands:\n  post_deploy: ["systemctl reload shop"]\n  health: { command: "true", retries: 2, interval: 1s }',
    );
    expect(again).toMatchObject({ ok: true, outcome: 'unchanged', moved: [] });
  });
});

describe('approvals', () => {
  it('refuses the plan author (four eyes) and non-approvers, counts a replayed approval once, and queues the start with the quorum', async () => {
    const order = await plannedOrder();
    const own = await run(order, 'carol', '/approve');
    expect(own).toMatchObject({ ok: false, reason: 'own-plan' });
    expect(own.message).toContain('four eyes');
    expect(await run(order, 'dev', '/approve')).toMatchObject({ ok: false, reason: 'not-allowed' });

    const first = await run(order, 'dave', '/approve looks good', 'comment:replayed');
    expect(first).toMatchObject({ ok: true, outcome: 'approval-recorded', moved: [] });
    expect(first.message).toContain('1 of 2');
    const replay = await run(order, 'dave', '/approve looks good', 'comment:replayed');
    expect(replay).toMatchObject({ ok: true, outcome: 'duplicate' });
    // A Slack click replayed, straight through recordVerdict:
    const slack = {
      order,
      actor: 'dave',
      source: 'slack' as const,
      sourceRef: 'slack:1',
      verdict: 'approved' as const,
      digestSeen: await digestOf(order),
    };
    expect(await recordVerdict(deps, slack, context)).toMatchObject({
      ok: true,
      duplicate: false,
      quorum: { counted: ['dave'] },
    });
    expect(await recordVerdict(deps, slack, context)).toMatchObject({ ok: true, duplicate: true });
    expect((await reload(order)).state).toBe('planned');
    expect(await deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id))).toHaveLength(2);
    const quorumStamp = async () =>
      (
        await deps.db
          .select({ at: planVersions.quorumReachedAt })
          .from(planVersions)
          .where(eq(planVersions.workOrderId, order.id))
      ).map((row) => row.at);
    expect(await quorumStamp()).toEqual([null]);

    const second = await run(order, 'erin', '/approve');
    expect(second).toMatchObject({ ok: true, moved: [{ from: 'planned', to: 'approved', cause: 'quorum-reached' }] });
    // The plan is stamped with the moment its quorum was reached (the approval-wait statistic reads it).
    const [erinsVote] = await deps.db
      .select()
      .from(approvals)
      .where(and(eq(approvals.workOrderId, order.id), eq(approvals.actor, 'erin')));
    expect(await quorumStamp()).toEqual([erinsVote?.createdAt]);
    const approved = await reload(order);
    expect(approved.state).toBe('approved');
    if (!second.ok || second.jobId === undefined) throw new Error('no job');
    expect(approved.startJobId).toBe(second.jobId);
    expect(await jobState(deps.db, second.jobId)).toBe('created');
    expect(await jobData(deps.db, second.jobId)).toEqual({ workOrderId: order.id, digest: await digestOf(order) });
  });

  it('queues nothing when the transaction of the quorum fails: the approval, the transition and the job roll back together', async () => {
    const order = await plannedOrder();
    expect(await run(order, 'dave', '/approve')).toMatchObject({ ok: true });
    const jobsBefore = await startJobCount(deps.db);
    const failing: ServiceDeps = {
      ...deps,
      queue: {
        async send(name, data, options) {
          await queue.send(name, data, options);
          throw new Error('disk full right after the enqueue');
        },
        cancel: (name, jobId, options) => queue.cancel(name, jobId, options),
      },
    };
    const command: Command = { name: 'approve' };
    await expect(
      handleCommand(failing, { order, actor: 'erin', command, source: 'github', sourceRef: 'comment:doomed' }, context),
    ).rejects.toThrow('disk full');
    expect(await startJobCount(deps.db)).toBe(jobsBefore);
    expect(await deps.db.select().from(approvals).where(eq(approvals.sourceRef, 'comment:doomed'))).toEqual([]);
    expect(await reload(order)).toMatchObject({ state: 'planned', startJobId: null });
    // Once the failure is gone the same approval goes through.
    expect(
      await handleCommand(
        deps,
        { order, actor: 'erin', command, source: 'github', sourceRef: 'comment:doomed' },
        context,
      ),
    ).toMatchObject({
      ok: true,
      moved: [{ to: 'approved' }],
    });
  });

  it('drops approvals when the plan is replaced, cancels the queued start, and refuses approvals of the old digest', async () => {
    const order = await approvedOrder();
    const oldDigest = await digestOf(order);
    const jobId = order.startJobId;
    if (jobId === null) throw new Error('no start job');
    const replaced = await postPlan(order, 'production', '2.0.1', 'dev');
    expect(replaced).toMatchObject({
      ok: true,
      outcome: 'stored',
      moved: [{ from: 'approved', to: 'planned', cause: 'plan-replaced' }],
      droppedApprovals: ['dave', 'erin'],
      cancelledJob: true,
    });
    expect(await jobState(deps.db, jobId)).toBe('cancelled');
    expect(await reload(order)).toMatchObject({ state: 'planned', startJobId: null });
    const status = await run(order, 'anyone', '/status');
    expect(status).toMatchObject({
      ok: true,
      status: { approvals: { counted: [], missing: 2 }, plan: { seq: 2, version: '2.0.1' } },
    });
    // The rows stay, bound to the digest they saw.
    expect(await deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id))).toHaveLength(2);
    const late = await recordVerdict(
      deps,
      { order, actor: 'dave', source: 'slack', sourceRef: 'slack:late', verdict: 'approved', digestSeen: oldDigest },
      context,
    );
    expect(late).toMatchObject({ ok: false, reason: 'stale-digest' });
    // The author of v2 is dev, so carol may approve it now.
    expect(await run(order, 'carol', '/approve')).toMatchObject({ ok: true, outcome: 'approval-recorded' });
  });

  it('a withdrawn approval sends an approved order back to planned; a rejection by an approver is final', async () => {
    const order = await approvedOrder();
    const digest = await digestOf(order);
    const withdrawn = await recordVerdict(
      deps,
      { order, actor: 'erin', source: 'github', sourceRef: 'review:9', verdict: 'revoked', digestSeen: digest },
      context,
    );
    expect(withdrawn).toMatchObject({ ok: true, moved: [{ from: 'approved', to: 'planned', cause: 'quorum-lost' }] });
    const rejected = await run(order, 'carol', '/reject "not during the sale"');
    expect(rejected).toMatchObject({ ok: true, outcome: 'rejected', moved: [{ from: 'planned', to: 'rejected' }] });
    const final = await reload(order);
    expect(final.state).toBe('rejected');
    expect(final.closedAt).not.toBeNull();
    expect(await run(order, 'erin', '/approve')).toMatchObject({ ok: false, reason: 'wrong-state' });
  });

  it('approves at once where no approvals are needed, and schedules a plan with a future schedule', async () => {
    const staging = await openIssue();
    const instant = await postPlan(staging, 'staging', '1.0.0', 'dev');
    expect(instant).toMatchObject({
      ok: true,
      moved: [{ to: 'planned' }, { to: 'approved', cause: 'quorum-reached' }],
    });
    expect((await reload(staging)).state).toBe('approved');

    const later = await openIssue();
    expect(await postPlan(later, 'production', '2.0.0', 'carol', 'schedule: 2099-01-01T02:00:00Z')).toMatchObject({
      ok: true,
    });
    expect(await run(later, 'dave', '/approve')).toMatchObject({ ok: true });
    const scheduled = await run(later, 'erin', '/approve');
    expect(scheduled).toMatchObject({
      ok: true,
      moved: [{ to: 'approved' }, { from: 'approved', to: 'scheduled', cause: 'start-deferred' }],
    });
    expect((await reload(later)).state).toBe('scheduled');
  });
});

describe('pushes and closing', () => {
  it('a push to the PR binds the plan to the new head: a new digest, approvals dropped', async () => {
    const opened = await openWorkOrder(
      deps,
      {
        repoFullName: REPO,
        installationId: 1,
        number: 40,
        kind: 'pull_request',
        title: 'PR 40',
        requester: 'pam',
        environment: 'production',
        headSha: 'aaa',
      },
      context,
    );
    if (!opened.ok) throw new Error(opened.message);
    const order = opened.order;
    expect(await postPlan(order, 'production', '2.0.0')).toMatchObject({ ok: true });
    expect(await run(order, 'dave', '/approve')).toMatchObject({ ok: true });
    expect(await run(order, 'erin', '/approve')).toMatchObject({ ok: true, moved: [{ to: 'approved' }] });
    const before = await digestOf(order);
    const pushed = await refreshPlanCommit(
      deps,
      { order, commitSha: 'bbb', actor: { kind: 'user', login: 'carol' } },
      context,
    );
    expect(pushed).toMatchObject({
      ok: true,
      outcome: 'stored',
      moved: [{ from: 'approved', to: 'planned', cause: 'plan-replaced' }],
      cancelledJob: true,
    });
    expect(await digestOf(order)).not.toBe(before);
    expect(await reload(order)).toMatchObject({ headSha: 'bbb', state: 'planned' });
    // The same head again changes nothing.
    expect(
      await refreshPlanCommit(deps, { order, commitSha: 'bbb', actor: { kind: 'user', login: 'carol' } }, context),
    ).toMatchObject({ outcome: 'unchanged' });
  });

  it('closing the issue cancels an order that has not started, with its queued job', async () => {
    const order = await approvedOrder();
    const jobId = order.startJobId;
    if (jobId === null) throw new Error('no start job');
    const cancelled = await cancelWorkOrder(deps, {
      order,
      actor: { kind: 'user', login: 'pam' },
      reason: 'issue closed',
    });
    expect(cancelled).toMatchObject({ ok: true, moved: { from: 'approved', to: 'cancelled' }, cancelledJob: true });
    expect(await jobState(deps.db, jobId)).toBe('cancelled');
    expect((await reload(order)).closedAt).not.toBeNull();
    expect(
      await cancelWorkOrder(deps, { order, actor: { kind: 'user', login: 'pam' }, reason: 'again' }),
    ).toMatchObject({ ok: false, reason: 'wrong-state' });
  });
});

describe('the environment lock', () => {
  const key = { repoFullName: REPO, app: 'shop', environment: 'lock-test' };

  it("serves waiting orders in the order they queued, and keeps a dead holder's lock for its recovery", async () => {
    const [a, b, c] = [await approvedOrder(), await approvedOrder(), await approvedOrder()];
    if (a === undefined || b === undefined || c === undefined) throw new Error('orders missing');
    const claim = (order: WorkOrder, owner: string, leaseMs = 60_000) => ({ workOrderId: order.id, owner, leaseMs });
    expect(await acquireEnvironmentLock(deps.db, key, claim(a, 'w1'))).toMatchObject({ ok: true });
    expect(await acquireEnvironmentLock(deps.db, key, claim(b, 'w2'))).toMatchObject({ ok: false, reason: 'held' });
    await addLockWaiter(deps.db, key, b.id);
    expect(await renewEnvironmentLock(deps.db, key, claim(a, 'w1'))).toBe(true);
    expect(await renewEnvironmentLock(deps.db, key, claim(a, 'w2'))).toBe(false);
    expect(await releaseEnvironmentLock(deps.db, key, claim(a, 'w1'))).toBe(true);
    // c never waited: b is ahead of it.
    expect(await acquireEnvironmentLock(deps.db, key, claim(c, 'w3'))).toMatchObject({
      ok: false,
      reason: 'queued-behind',
      ahead: 1,
    });
    expect(await acquireEnvironmentLock(deps.db, key, claim(b, 'w2', 1))).toMatchObject({ ok: true });

    // b's worker dies (its 1 ms lease runs out) while b is running: only b's recovery may take the lock.
    await deps.db.update(workOrders).set({ state: 'running' }).where(eq(workOrders.id, b.id));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await acquireEnvironmentLock(deps.db, key, claim(c, 'w3'))).toMatchObject({ ok: false, reason: 'held' });
    expect(await acquireEnvironmentLock(deps.db, key, claim(b, 'rescuer'))).toMatchObject({
      ok: true,
      lock: { owner: 'rescuer' },
    });
    expect(await renewEnvironmentLock(deps.db, key, claim(b, 'w2'))).toBe(false);
    await deps.db.update(workOrders).set({ state: 'approved' }).where(eq(workOrders.id, b.id));
  });
});

describe('commands', () => {
  it('refuses each command to someone without its role', async () => {
    const order = await approvedOrder();
    const refusals: [string, string, string][] = [
      ['dev', '/approve', 'approver'],
      ['dev', '/reject no', 'approver'],
      ['dev', '/deploy', 'deployer'],
      ['dev', '/deploy --override-freeze "hotfix"', 'deployer'],
      ['pam', '/abort', 'deployer'],
      ['pam', '/rollback', 'deployer'],
      ['pam', '/retry-failed', 'deployer'],
      ['dev', '/lock maintenance', 'deployer'],
      ['dev', '/unlock', 'deployer'],
      ['dave', '/accept', 'acceptor'],
    ];
    for (const [actor, text, role] of refusals) {
      const result = await run(order, actor, text);
      expect(result, text).toMatchObject({ ok: false, reason: 'not-allowed' });
      expect(result.message, text).toContain(
        role === 'approver' ? 'not an approver' : `not a${role === 'acceptor' ? 'n' : ''} ${role}`,
      );
    }
    expect(await run(order, 'stranger', '/status')).toMatchObject({ ok: true, outcome: 'status' });
    expect((await reload(order)).state).toBe('approved');
  });

  it('refuses commands in states that do not take them', async () => {
    const order = await plannedOrder();
    expect(await run(order, 'dave', '/deploy')).toMatchObject({ ok: false, reason: 'wrong-state' });
    expect(await run(order, 'pam', '/accept')).toMatchObject({ ok: false, reason: 'wrong-state' });
    expect(await run(order, 'dave', '/retry-failed')).toMatchObject({ ok: false, reason: 'wrong-state' });
    expect(await run(order, 'dave', '/rollback')).toMatchObject({ ok: false, reason: 'nothing-to-roll-back' });
    expect(await run(order, 'dave', '/abort')).toMatchObject({ ok: false, reason: 'wrong-state' });
    expect(await run(order, 'dave', '/deploy staging')).toMatchObject({ ok: false, reason: 'not-an-order-command' });
  });

  it('refuses /deploy during a freeze window, and starts with an override whose reason is audited', async () => {
    const order = await approvedOrder('frozen');
    const firstJob = order.startJobId;
    if (firstJob === null) throw new Error('no start job');
    clock = SATURDAY;
    try {
      const refused = await run(order, 'dave', '/deploy');
      expect(refused).toMatchObject({ ok: false, reason: 'frozen' });
      expect(refused.message).toContain('Sat-Sun');
      expect(refused.message).toContain('2026-03-09T00:00:00.000Z');
      const overridden = await run(order, 'dave', '/deploy --override-freeze "payment outage hotfix"');
      expect(overridden).toMatchObject({ ok: true, outcome: 'start-queued' });
      if (!overridden.ok || overridden.jobId === undefined) throw new Error('no job');
      expect(await jobState(deps.db, firstJob)).toBe('cancelled');
      expect(await jobData(deps.db, overridden.jobId)).toMatchObject({
        freezeOverride: { actor: 'dave', reason: 'payment outage hotfix' },
      });
      const [row] = await deps.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.action, AUDIT_ACTIONS.freezeOverride)));
      expect(row).toMatchObject({ actor: 'dave', reason: 'payment outage hotfix', data: { window: 'Sat-Sun' } });
    } finally {
      clock = WEDNESDAY;
    }
    // Outside the window a plain /deploy starts it.
    expect(await run(order, 'erin', '/deploy')).toMatchObject({ ok: true, outcome: 'start-queued' });
  });

  it('/abort before the start aborts the order and cancels its job', async () => {
    const order = await approvedOrder();
    const jobId = order.startJobId;
    if (jobId === null) throw new Error('no start job');
    const aborted = await run(order, 'dave', '/abort wrong version');
    expect(aborted).toMatchObject({
      ok: true,
      outcome: 'aborted',
      moved: [{ from: 'approved', to: 'aborted', cause: 'aborted' }],
    });
    expect(await jobState(deps.db, jobId)).toBe('cancelled');
  });

  it('/lock and /unlock hold the environment by hand', async () => {
    const order = await plannedOrder();
    expect(await run(order, 'dave', '/lock database migration')).toMatchObject({ ok: true, outcome: 'locked' });
    expect(await run(order, 'erin', '/lock again')).toMatchObject({ ok: false, reason: 'already-locked' });
    const [lock] = await deps.db.select().from(environmentLocks).where(eq(environmentLocks.environment, 'production'));
    expect(lock).toMatchObject({ lockedBy: 'dave', manualReason: 'database migration', holderWorkOrderId: null });
    const status = await run(order, 'anyone', '/status');
    expect(status.message).toContain('locked by @dave: database migration');
    expect(await run(order, 'erin', '/unlock')).toMatchObject({ ok: true, outcome: 'unlocked' });
    expect(await run(order, 'erin', '/unlock')).toMatchObject({ ok: false, reason: 'not-locked' });
  });

  it('keeps every change in an intact audit chain', async () => {
    const chain = await verifyAuditChain(deps.db);
    expect(chain.ok).toBe(true);
    const transitions = await deps.db.select().from(auditLog).where(eq(auditLog.action, AUDIT_ACTIONS.transition));
    expect(transitions.length).toBeGreaterThan(10);
    const orders = await deps.db.select().from(workOrders);
    expect(orders.length).toBeGreaterThan(5);
    // Every order's state is where its last transition put it.
    for (const order of orders) {
      const last = transitions.filter((row) => row.workOrderId === order.id).at(-1);
      expect(last?.toState ?? 'requested', `order ${order.id}`).toBe(order.state);
    }
    expect(await queue.cancel(START_QUEUE, '00000000-0000-0000-0000-000000000000')).toBe(false);
  });
});
