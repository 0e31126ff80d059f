/**
 * End to end without GitHub: the work-order service on PostgreSQL and a release worker deploying to three real sshd
 * hosts. Issue opened → plan → the author's approval refused → two approvals by ops → worker releases → succeeded →
 * /accept. Then: a lock makes an order wait; a failing health check fails the order with the host named; a retry
 * finishes it; a /rollback; an /abort of a running release.
 */
import { and, asc, eq } from 'drizzle-orm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry, RepoConfig } from '../../src/config/types.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { auditLog, environmentLocks, hostRuns, releases, stageEvents } from '../../src/db/schema.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RELEASE_QUEUES, type ReleaseQueue } from '../../src/dispatch/release-queues.ts';
import { startReleaseWorker, type ReleaseWorker } from '../../src/dispatch/release-worker.ts';
import type { WorkerEvent } from '../../src/dispatch/worker-events.ts';
import { parseCommand } from '../../src/workorders/parse-command.ts';
import {
  AUDIT_ACTIONS,
  getWorkOrder,
  handleCommand,
  openWorkOrder,
  submitPlan,
  type CommandResult,
  type ServiceDeps,
  type WorkOrder,
} from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { isLocked, liveTarget } from '../helpers/host-files.ts';
import { buildPackage, connectWith, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { environmentConfig, planComment, repoConfig, repoContext, waitFor } from '../helpers/workorder-fixtures.ts';
import { defaultPolicySource } from '../../src/policy/index.ts';

const REPO = 'acme/shop';

let fleet: SshdFleet;
let work: string;
let test: TestDatabase;
let queue: ReleaseQueue;
let worker: ReleaseWorker;
let deps: ServiceDeps;
let hosts: HostEntry[];
let config: RepoConfig;
let packages: Record<string, BuiltPackage>;
const events: WorkerEvent[] = [];
let nextNumber = 1;
let nextRef = 1;

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-workorders-'));
  packages = {};
  for (const version of ['2.0.0', '3.0.0', '4.0.0'])
    packages[version] = await buildPackage(join(work, 'pkgs'), version);
  hosts = fleet.hostEntries();
  config = repoConfig(hosts, { production: environmentConfig(), frozen: environmentConfig({ freeze: ['Mon-Sun'] }) });
  test = await openTestDatabase('postgres');
  queue = await openQueue(test.database, {
    queues: RELEASE_QUEUES,
    onError: (error) => {
      console.error('pg-boss:', error);
    },
  });
  deps = { db: test.database.db, queue, policy: defaultPolicySource({ artifactsDir: work }) };
  worker = await startReleaseWorker({
    database: test.database,
    queue,
    connect: connectWith(fleet.privateKey, fleet.user),
    loadConfig: () => Promise.resolve({ ok: true, config }),
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    onEvent: (event) => events.push(event),
    pollingIntervalSeconds: 0.5,
    waitRetryMs: 300,
    sweepIntervalMs: 0,
  });
});

afterAll(async () => {
  await worker?.stop();
  await queue?.stop({ timeoutMs: 5_000 });
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const deployDir = (index: number): string => hosts[index]?.deployTo ?? '';
const context = () => repoContext(config);

async function run(order: WorkOrder, actor: string, text: string): Promise<CommandResult> {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(`not a command: ${text}`);
  return handleCommand(
    deps,
    { order, actor, command: parsed.command, source: 'github', sourceRef: `comment:${nextRef++}` },
    context(),
  );
}

async function openOrder(version: string, more: string, environment = 'production'): Promise<WorkOrder> {
  const opened = await openWorkOrder(
    deps,
    {
      repoFullName: REPO,
      installationId: 7,
      number: nextNumber++,
      kind: 'issue',
      title: `Release ${version}`,
      requester: 'pam',
      form: { acceptor: 'pam' },
    },
    context(),
  );
  if (!opened.ok) throw new Error(opened.message);
  const pkg = packages[version];
  if (pkg === undefined) throw new Error(`no package ${version}`);
  const plan = await submitPlan(
    deps,
    {
      order: opened.order,
      commentId: nextRef++,
      author: 'carol',
      markdown: planComment({ environment, version, url: pkg.url, sha256: pkg.sha256, more }),
      commitSha: 'deadbeef',
    },
    context(),
  );
  if (!plan.ok) throw new Error(plan.message);
  return opened.order;
}

async function approve(order: WorkOrder): Promise<void> {
  expect(await run(order, 'dave', '/approve')).toMatchObject({ ok: true, outcome: 'approval-recorded' });
  expect(await run(order, 'erin', '/approve')).toMatchObject({ ok: true, moved: [{ to: 'approved' }] });
}

async function stateOf(order: WorkOrder): Promise<WorkOrderState> {
  const fresh = await getWorkOrder(deps.db, order.id);
  if (fresh === undefined) throw new Error('order vanished');
  return fresh.state;
}

function waitForState(order: WorkOrder, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`order ${order.id} to reach ${states.join('|')}`, async () => {
    const state = await stateOf(order);
    return states.includes(state) ? state : undefined;
  });
}

async function transitionsOf(order: WorkOrder): Promise<string[]> {
  const rows = await deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.action, AUDIT_ACTIONS.transition)))
    .orderBy(asc(auditLog.id));
  return rows.map((row) => `${row.fromState ?? ''}→${row.toState ?? ''}`);
}

const HEALTH =
  'commands:\n  post_deploy: ["echo $YM_VERSION >> ../../post-deploy.log"]\n  health: { command: "test ! -e ../../FAIL_HEALTH && test -f VERSION", retries: 1, interval: 100ms }';

describe('a work order from issue to accepted release', () => {
  let order: WorkOrder;

  it('releases to three hosts once two ops approved, the author being refused', async () => {
    order = await openOrder('2.0.0', HEALTH);
    const own = await run(order, 'carol', '/approve');
    expect(own).toMatchObject({ ok: false, reason: 'own-plan' });
    await approve(order);
    expect(await waitForState(order, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    for (let index = 0; index < 3; index++) {
      expect(await liveTarget(deployDir(index))).toBe('releases/2.0.0');
      expect(isLocked(deployDir(index))).toBe(false);
    }
    const [release] = await deps.db.select().from(releases).where(eq(releases.workOrderId, order.id));
    expect(release).toMatchObject({ status: 'succeeded', version: '2.0.0' });
    if (release === undefined) throw new Error('no release');
    const runs = await deps.db.select().from(hostRuns).where(eq(hostRuns.releaseId, release.releaseId));
    expect(runs.map((row) => [row.host, row.outcome, row.attempt, row.previousVersion]).sort()).toEqual([
      ['host-1', 'released', 1, null],
      ['host-2', 'released', 1, null],
      ['host-3', 'released', 1, null],
    ]);
    const stages = await deps.db.select().from(stageEvents).where(eq(stageEvents.releaseId, release.releaseId));
    const finished = stages.filter((row) => row.result !== 'started');
    expect(finished).toHaveLength(27);
    expect(finished.filter((row) => row.stage === 'health').every((row) => row.result === 'ok')).toBe(true);
    // Adapters heard every stage and the transitions.
    expect(
      events.filter(
        (event) => event.type === 'release' && event.workOrderId === order.id && event.event.type === 'stage.finished',
      ),
    ).toHaveLength(27);
    expect(
      events
        .filter((event) => event.type === 'transition' && event.workOrderId === order.id)
        .map((event) => event.type === 'transition' && event.to),
    ).toEqual(['running', 'succeeded']);
    const [lock] = await deps.db.select().from(environmentLocks).where(eq(environmentLocks.environment, 'production'));
    expect(lock).toMatchObject({ holderWorkOrderId: null, owner: null });
  });

  it('is accepted by the acceptor, and every step is in an intact audit chain', async () => {
    const status = await run(order, 'anyone', '/status');
    expect(status).toMatchObject({
      ok: true,
      status: {
        order: { state: 'succeeded' },
        startQueued: false,
        release: { version: '2.0.0', status: 'succeeded', failedHost: null },
        environment: { heldBy: null },
      },
    });
    expect(status.ok && status.status?.release?.hosts.map((host) => host.outcome)).toEqual([
      'released',
      'released',
      'released',
    ]);
    expect(await run(order, 'dave', '/accept')).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(await run(order, 'pam', '/accept thanks')).toMatchObject({ ok: true, outcome: 'accepted' });
    expect(await stateOf(order)).toBe('accepted');
    expect(await transitionsOf(order)).toEqual([
      'requested→planned',
      'planned→approved',
      'approved→running',
      'running→succeeded',
      'succeeded→accepted',
    ]);
    const chain = await verifyAuditChain(deps.db);
    expect(chain).toMatchObject({ ok: true });
  });
});

describe('waiting, failing, retrying, rolling back', () => {
  let order: WorkOrder;

  it('waits while the environment is locked, then fails on a health check and names the host', async () => {
    order = await openOrder('3.0.0', HEALTH);
    await writeFile(join(deployDir(1), 'FAIL_HEALTH'), 'x');
    expect(await run(order, 'dave', '/lock "db maintenance"')).toMatchObject({ ok: true, outcome: 'locked' });
    await approve(order);
    const waiting = await waitFor('the order to wait for the lock', () =>
      Promise.resolve(events.find((event) => event.type === 'waiting' && event.workOrderId === order.id)),
    );
    expect(waiting).toMatchObject({ reason: 'manual-lock', message: 'locked by @dave: db maintenance' });
    const status = await run(order, 'anyone', '/status');
    expect(status).toMatchObject({
      ok: true,
      status: { order: { state: 'approved' }, environment: { lockedBy: 'dave', waitingPosition: 1 } },
    });
    expect(await run(order, 'erin', '/unlock')).toMatchObject({ ok: true });

    expect(await waitForState(order, ['succeeded', 'failed', 'aborted'])).toBe('failed');
    const [release] = await deps.db.select().from(releases).where(eq(releases.workOrderId, order.id));
    expect(release).toMatchObject({ status: 'failed', result: { failedHost: { host: 'host-2', stage: 'health' } } });
    if (release === undefined) throw new Error('no release');
    const runs = await deps.db.select().from(hostRuns).where(eq(hostRuns.releaseId, release.releaseId));
    expect(runs.map((row) => [row.host, row.outcome, row.previousVersion]).sort()).toEqual([
      ['host-1', 'rolled_back', '2.0.0'],
      ['host-2', 'failed', '2.0.0'],
    ]);
    expect(runs.find((row) => row.host === 'host-2')?.failure).toMatchObject({
      stage: 'health',
      rolledBackTo: '2.0.0',
    });
    const [failed] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.toState, 'failed')));
    expect(failed?.reason).toContain('host-2 failed at health');
    for (let index = 0; index < 3; index++) expect(await liveTarget(deployDir(index))).toBe('releases/2.0.0');
    expect(await run(order, 'pam', '/accept')).toMatchObject({ ok: false, reason: 'wrong-state' });
  });

  it('/retry-failed runs the same release again on the hosts that did not end on it', async () => {
    await rm(join(deployDir(1), 'FAIL_HEALTH'));
    expect(await run(order, 'dev', '/retry-failed')).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(await run(order, 'dave', '/retry-failed')).toMatchObject({
      ok: true,
      outcome: 'retry-queued',
      moved: [{ from: 'failed', to: 'approved' }],
    });
    expect(await waitForState(order, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    const rows = await deps.db.select().from(releases).where(eq(releases.workOrderId, order.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'succeeded' });
    const runs = await deps.db
      .select()
      .from(hostRuns)
      .where(and(eq(hostRuns.releaseId, rows[0]?.releaseId ?? ''), eq(hostRuns.attempt, 2)));
    expect(runs.map((row) => [row.host, row.outcome]).sort()).toEqual([
      ['host-1', 'released'],
      ['host-2', 'released'],
      ['host-3', 'released'],
    ]);
    for (let index = 0; index < 3; index++) expect(await liveTarget(deployDir(index))).toBe('releases/3.0.0');
  });

  it('/rollback switches every host back to what it ran before the order', async () => {
    const rolled = await run(order, 'dave', '/rollback');
    expect(rolled).toMatchObject({
      ok: true,
      outcome: 'rollback-queued',
      moved: [{ from: 'succeeded', to: 'running', cause: 'rollback-started' }],
    });
    expect(await waitForState(order, ['failed'])).toBe('failed');
    for (let index = 0; index < 3; index++) expect(await liveTarget(deployDir(index))).toBe('releases/2.0.0');
    const [last] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.toState, 'failed')))
      .orderBy(asc(auditLog.id))
      .offset(1);
    expect(last).toMatchObject({ fromState: 'running', data: { cause: 'rollback-finished' } });
    expect(await run(order, 'dave', '/retry-failed')).toMatchObject({ ok: false, reason: 'nothing-to-retry' });
  });

  it('/abort stops a running release and rolls back what it switched', async () => {
    // Blocks only the new release: the rollback runs the same post_deploy in 2.0.0, which must go through.
    const blocking =
      'commands:\n  post_deploy: ["if [ \\"$YM_VERSION\\" = 4.0.0 ] && [ -e ../../BLOCK ]; then while [ -e ../../BLOCK ]; do sleep 0.1; done; fi"]';
    const aborting = await openOrder('4.0.0', blocking);
    await writeFile(join(deployDir(0), 'BLOCK'), 'x');
    try {
      await approve(aborting);
      await waitFor('host-1 to block in post_deploy', async () =>
        (await stateOf(aborting)) === 'running' && (await liveTarget(deployDir(0))) === 'releases/4.0.0'
          ? true
          : undefined,
      );
      expect(await run(aborting, 'pam', '/abort')).toMatchObject({ ok: false, reason: 'not-allowed' });
      expect(await run(aborting, 'erin', '/abort "wrong build"')).toMatchObject({
        ok: true,
        outcome: 'abort-requested',
      });
      expect(await run(aborting, 'dave', '/abort')).toMatchObject({ ok: false, reason: 'abort-already-requested' });
      expect(await waitForState(aborting, ['succeeded', 'failed', 'aborted'])).toBe('aborted');
    } finally {
      await rm(join(deployDir(0), 'BLOCK'), { force: true });
    }
    const [aborted] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, aborting.id), eq(auditLog.toState, 'aborted')));
    expect(aborted).toMatchObject({ actor: 'erin', fromState: 'running' });
    expect(aborted?.reason).toContain('wrong build');
    for (let index = 0; index < 3; index++) {
      expect(await liveTarget(deployDir(index))).toBe('releases/2.0.0');
      expect(isLocked(deployDir(index))).toBe(false);
    }
    expect(await verifyAuditChain(deps.db)).toMatchObject({ ok: true });
  });
});

describe('freeze windows at the worker', () => {
  it('defers an approved order past the freeze, and runs it when a deployer overrides with a reason', async () => {
    const order = await openOrder('3.0.0', HEALTH, 'frozen');
    await approve(order);
    const deferred = await waitFor('the worker to defer the start', () =>
      Promise.resolve(events.find((event) => event.type === 'deferred' && event.workOrderId === order.id)),
    );
    expect(deferred).toMatchObject({ window: 'Mon-Sun' });
    expect(await stateOf(order)).toBe('scheduled');
    expect(await run(order, 'dave', '/deploy')).toMatchObject({ ok: false, reason: 'frozen' });
    expect(await run(order, 'dave', '/deploy --override-freeze "customer hotfix"')).toMatchObject({
      ok: true,
      outcome: 'start-queued',
    });
    expect(await waitForState(order, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    expect(await transitionsOf(order)).toEqual([
      'requested→planned',
      'planned→approved',
      'approved→scheduled',
      'scheduled→running',
      'running→succeeded',
    ]);
    const [started] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.toState, 'running')));
    expect(started).toMatchObject({
      data: { cause: 'started', freezeOverride: { actor: 'dave', reason: 'customer hotfix' } },
    });
    for (let index = 0; index < 3; index++) expect(await liveTarget(deployDir(index))).toBe('releases/3.0.0');
  });
});
