/**
 * Smoke test on the embedded database (PGlite in memory, one connection): the service's transactions, the enqueue
 * inside them and the release worker must keep to the "only tx inside a transaction" rule, or this deadlocks.
 * A work order goes from issue to accepted through a local-executor host.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepoConfig } from '../../src/config/types.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RELEASE_QUEUES, type ReleaseQueue } from '../../src/dispatch/release-queues.ts';
import { startReleaseWorker, type ReleaseWorker } from '../../src/dispatch/release-worker.ts';
import { connectExecutor } from '../../src/executors/registry.ts';
import { localExecutorPolicy } from '../helpers/policy-fixtures.ts';
import { parseCommand } from '../../src/workorders/parse-command.ts';
import {
  getWorkOrder,
  handleCommand,
  openWorkOrder,
  submitPlan,
  type ServiceDeps,
  type WorkOrder,
} from '../../src/workorders/service/index.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import {
  environmentConfig,
  jobState,
  planComment,
  repoConfig,
  repoContext,
  waitFor,
} from '../helpers/workorder-fixtures.ts';

let work: string;
let test: TestDatabase;
let queue: ReleaseQueue;
let worker: ReleaseWorker;
let deps: ServiceDeps;
let config: RepoConfig;
let pkg: BuiltPackage;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-pglite-orders-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  await mkdir(join(work, 'local-1'));
  config = repoConfig(
    [{ name: 'local-1', address: 'localhost', port: 22, executor: 'local', deployTo: join(work, 'local-1') }],
    { production: environmentConfig() },
  );
  test = await openTestDatabase('pglite');
  queue = await openQueue(test.database, {
    queues: RELEASE_QUEUES,
    onError: (error) => {
      console.error('pg-boss:', error);
    },
  });
  // The local executor is the operator's choice: this test's policy grants it.
  const policy = localExecutorPolicy(work);
  deps = { db: test.database.db, queue, policy };
  worker = await startReleaseWorker({
    database: test.database,
    queue,
    connect: (host, signal) =>
      connectExecutor(host, { defaultUser: 'nobody', acceptNewHostKeys: false, readyTimeoutMs: 5_000, signal }),
    loadConfig: () => Promise.resolve({ ok: true, config }),
    policy,
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    pollingIntervalSeconds: 0.5,
    sweepIntervalMs: 0,
  });
});

afterAll(async () => {
  await worker?.stop();
  await queue?.stop({ timeoutMs: 5_000 });
  await test?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function run(order: WorkOrder, actor: string, text: string) {
  const parsed = parseCommand(text);
  if (!parsed.ok) throw new Error(text);
  return handleCommand(
    deps,
    { order, actor, command: parsed.command, source: 'cli', sourceRef: `cli:${actor}:${text}` },
    repoContext(config),
  );
}

describe('work orders on PGlite', () => {
  it('opens, plans, approves (enqueue in the same transaction), releases and accepts', async () => {
    const opened = await openWorkOrder(
      deps,
      { repoFullName: 'acme/shop', installationId: 1, number: 1, kind: 'issue', title: 'Release', requester: 'pam' },
      repoContext(config),
    );
    if (!opened.ok) throw new Error(opened.message);
    const order = opened.order;
    const planned = await submitPlan(
      deps,
      {
        order,
        commentId: 1,
        author: 'carol',
        markdown: planComment({ environment: 'production', version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }),
      },
      repoContext(config),
    );
    expect(planned).toMatchObject({ ok: true, moved: [{ to: 'planned' }] });
    expect(await run(order, 'carol', '/approve')).toMatchObject({ ok: false, reason: 'own-plan' });
    expect(await run(order, 'erin', '/approve')).toMatchObject({ ok: true, outcome: 'approval-recorded' });
    const approved = await run(order, 'dave', '/approve');
    expect(approved).toMatchObject({ ok: true, moved: [{ to: 'approved' }] });
    if (!approved.ok || approved.jobId === undefined) throw new Error('no job');
    await waitFor('the release to finish', async () => {
      const state = (await getWorkOrder(deps.db, order.id))?.state;
      return state === 'succeeded' || state === 'failed' ? state : undefined;
    });
    expect((await getWorkOrder(deps.db, order.id))?.state).toBe('succeeded');
    expect(await jobState(deps.db, approved.jobId)).toBe('completed');
    expect(await liveTarget(join(work, 'local-1'))).toBe('releases/1.0.0');
    expect(await run(order, 'pam', '/accept')).toMatchObject({ ok: true, outcome: 'accepted' });
    expect(await verifyAuditChain(deps.db)).toMatchObject({ ok: true });
  });
});
