/**
 * A worker killed mid-release loses nothing: a worker process (a child process here) is killed with SIGKILL while
 * host-2 of three sits in post_deploy, already switched to the new release. Once the dead worker's lease runs out,
 * another worker takes the release over: host-2 is switched back to its earlier release (it never passed its health
 * check), then the release runs again with the same id, so host-1 (done) is left alone and host-2 and host-3 go
 * through all nine stages. The order ends succeeded with every host on a release that passed its checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry, RepoConfig } from '../../src/config/types.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { auditLog, environmentLocks, hostRuns, releases } from '../../src/db/schema.ts';
import { runRelease } from '../../src/deploy/run-release.ts';
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
  type ServiceDeps,
  type WorkOrder,
} from '../../src/workorders/service/index.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { isLocked, liveTarget } from '../helpers/host-files.ts';
import { buildPackage, connectWith, plan, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { environmentConfig, planComment, repoConfig, repoContext, waitFor } from '../helpers/workorder-fixtures.ts';
import { defaultPolicySource } from '../../src/policy/index.ts';

const POST_DEPLOY =
  'echo "$YM_VERSION" >> ../../post-deploy.log; if [ "$YM_VERSION" = 2.0.0 ] && [ -e ../../BLOCK ]; then touch ../../BLOCKED; while [ -e ../../BLOCK ]; do sleep 0.1; done; fi';

let fleet: SshdFleet;
let work: string;
let test: TestDatabase;
let queue: ReleaseQueue;
let deps: ServiceDeps;
let hosts: HostEntry[];
let config: RepoConfig;
let v1: BuiltPackage;
let v2: BuiltPackage;
let child: ChildProcess | undefined;
let rescuer: ReleaseWorker | undefined;
const rescuerEvents: WorkerEvent[] = [];

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-recovery-'));
  v1 = await buildPackage(join(work, 'pkgs'), '1.0.0');
  v2 = await buildPackage(join(work, 'pkgs'), '2.0.0');
  hosts = fleet.hostEntries();
  config = repoConfig(hosts, { production: environmentConfig() });
  test = await openTestDatabase('postgres');
  queue = await openQueue(test.database, {
    queues: RELEASE_QUEUES,
    onError: (error) => {
      console.error('pg-boss:', error);
    },
  });
  deps = { db: test.database.db, queue, policy: defaultPolicySource({ artifactsDir: work }) };
  // What the hosts run before the work order: 1.0.0 everywhere.
  const environment = config.apps.shop?.environments.production;
  const app = config.apps.shop;
  if (environment === undefined || app === undefined) throw new Error('no environment');
  const baseline = await runRelease(
    {
      plan: plan(v1, '1.0.0', {
        app: 'shop',
        environment: 'production',
        commands: { check: [], preDeploy: [], postDeploy: [POST_DEPLOY], release: [] },
      }),
      app,
      environment,
      hosts: hosts.map((entry) => ({ entry, deployTo: entry.deployTo ?? '' })),
      secrets: {},
    },
    { connect: connectWith(fleet.privateKey, fleet.user), artifactsDir: work, cacheDir: join(work, 'cache') },
  );
  expect(baseline.status).toBe('succeeded');
});

afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rescuer?.stop();
  await queue?.stop({ timeoutMs: 5_000 });
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const deployDir = (index: number): string => hosts[index]?.deployTo ?? '';

/** Starts the worker process and resolves once it listens for jobs. */
async function startChildWorker(): Promise<ChildProcess> {
  if (test.url === null) throw new Error('needs PostgreSQL');
  const settings = {
    databaseUrl: test.url,
    privateKeyPath: fleet.privateKeyPath,
    user: fleet.user,
    config,
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    workerId: 'doomed-worker',
    leaseMs: 2_000,
  };
  const script = new URL('../helpers/release-worker-process.ts', import.meta.url).pathname;
  const spawned = spawn(process.execPath, [script], {
    env: { ...process.env, YM_WORKER_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: spawned.stdout });
  await new Promise<void>((resolve, reject) => {
    spawned.once('exit', (code) => {
      reject(new Error(`the worker process exited early (${String(code)})`));
    });
    lines.on('line', (line) => {
      if (line === '{"type":"ready"}') resolve();
    });
  });
  return spawned;
}

async function command(order: WorkOrder, actor: string, text: string): Promise<void> {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(text);
  const result = await handleCommand(
    deps,
    { order, actor, command: parsed.command, source: 'github', sourceRef: `comment:${actor}:${text}` },
    repoContext(config),
  );
  expect(result.ok, result.message).toBe(true);
}

describe('a worker killed mid-release', () => {
  it('is taken over once its lease expires, and the release finishes with every host on a checked release', async () => {
    child = await startChildWorker();
    const opened = await openWorkOrder(
      deps,
      {
        repoFullName: 'acme/shop',
        installationId: 7,
        number: 1,
        kind: 'issue',
        title: 'Release 2.0.0',
        requester: 'pam',
      },
      repoContext(config),
    );
    if (!opened.ok) throw new Error(opened.message);
    const order = opened.order;
    const more = `commands:\n  post_deploy: [${JSON.stringify(POST_DEPLOY)}]\n  health: { command: "test -f VERSION", retries: 1, interval: 100ms }`;
    const planned = await submitPlan(
      deps,
      {
        order,
        commentId: 1,
        author: 'carol',
        markdown: planComment({ environment: 'production', version: '2.0.0', url: v2.url, sha256: v2.sha256, more }),
      },
      repoContext(config),
    );
    expect(planned.ok).toBe(true);

    await writeFile(join(deployDir(1), 'BLOCK'), 'x');
    await command(order, 'dave', '/approve');
    await command(order, 'erin', '/approve');
    await waitFor('host-2 to block in post_deploy', () =>
      Promise.resolve(existsSync(join(deployDir(1), 'BLOCKED')) ? true : undefined),
    );
    expect(await liveTarget(deployDir(0))).toBe('releases/2.0.0');
    expect(await liveTarget(deployDir(1))).toBe('releases/2.0.0');
    expect(await liveTarget(deployDir(2))).toBe('releases/1.0.0');

    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect((await getWorkOrder(deps.db, order.id))?.state).toBe('running');
    const [held] = await deps.db.select().from(environmentLocks).where(eq(environmentLocks.environment, 'production'));
    expect(held).toMatchObject({ holderWorkOrderId: order.id, owner: 'doomed-worker' });
    await rm(join(deployDir(1), 'BLOCK'));

    rescuer = await startReleaseWorker({
      database: test.database,
      queue,
      connect: connectWith(fleet.privateKey, fleet.user),
      loadConfig: () => Promise.resolve({ ok: true, config }),
      artifactsDir: work,
      cacheDir: join(work, 'cache'),
      workerId: 'rescuer',
      leaseMs: 2_000,
      sweepIntervalMs: 200,
      onEvent: (event) => rescuerEvents.push(event),
    });
    await waitFor('the order to finish', async () => {
      const state = (await getWorkOrder(deps.db, order.id))?.state;
      return state === 'succeeded' || state === 'failed' || state === 'aborted' ? state : undefined;
    });
    expect((await getWorkOrder(deps.db, order.id))?.state).toBe('succeeded');

    expect(rescuerEvents.find((event) => event.type === 'recovering')).toMatchObject({
      hosts: [{ host: 'host-2', to: '1.0.0', ok: true }],
    });
    const [recovered] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.action, AUDIT_ACTIONS.releaseRecovered)));
    expect(recovered).toMatchObject({ data: { previousOwner: 'doomed-worker', worker: 'rescuer', cause: 'started' } });

    const [release] = await deps.db.select().from(releases).where(eq(releases.workOrderId, order.id));
    expect(release).toMatchObject({ status: 'succeeded' });
    const runs = await deps.db
      .select()
      .from(hostRuns)
      .where(eq(hostRuns.releaseId, release?.releaseId ?? ''))
      .orderBy(asc(hostRuns.attempt), asc(hostRuns.host));
    expect(runs.map((run) => [run.attempt, run.host, run.outcome, run.previousVersion])).toEqual([
      [1, 'host-1', 'released', '1.0.0'],
      [1, 'host-2', 'rolled_back', '1.0.0'],
      [2, 'host-1', 'unchanged', '2.0.0'],
      [2, 'host-2', 'released', '1.0.0'],
      [2, 'host-3', 'released', '1.0.0'],
    ]);
    for (let index = 0; index < 3; index++) {
      expect(await liveTarget(deployDir(index))).toBe('releases/2.0.0');
      expect(isLocked(deployDir(index))).toBe(false);
    }
    // host-2 ran the new post_deploy, went back to 1.0.0, then took 2.0.0 for good. 1.0.0 was released outside any
    // work order, so Yardmaster has no approved plan of it: going back ran no post_deploy (the hooks recorded on the
    // host are never run by the server).
    expect((await readFile(join(deployDir(1), 'post-deploy.log'), 'utf8')).trim().split('\n')).toEqual([
      '1.0.0',
      '2.0.0',
      '2.0.0',
    ]);
    const [lock] = await deps.db.select().from(environmentLocks).where(eq(environmentLocks.environment, 'production'));
    expect(lock).toMatchObject({ holderWorkOrderId: null, owner: null });
    const transitions = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.action, AUDIT_ACTIONS.transition)))
      .orderBy(asc(auditLog.id));
    expect(transitions.map((row) => row.toState)).toEqual(['planned', 'approved', 'running', 'succeeded']);
    expect(await verifyAuditChain(deps.db)).toMatchObject({ ok: true });
  });
});
