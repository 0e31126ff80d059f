/**
 * `npm run bench:dispatch`: approval → first stage started, over 50 work orders, on a real PostgreSQL (a throwaway
 * database) with a release worker on its own pg-boss instance, as a separate worker process would have, releasing
 * to a `local`-executor host. Orders go one at a time, so each figure is dispatch latency, not waiting in line.
 * The clock starts before the approving `/approve` (its transaction enqueues the job) and stops at the worker's
 * first `stage.started` event. Prints p50/p95/max; target p95 < 250 ms.
 *
 * Environment: BENCH_ORDERS (default 50), BENCH_WARMUP (default 3), BENCH_MAINTENANCE_URL, BENCH_TIMEOUT_MS
 * (default 5 min). Stops by itself; drops its database and removes its temp dir on success, error, timeout, Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Database } from '../src/db/types.ts';
import { openQueue } from '../src/dispatch/queue.ts';
import { RELEASE_QUEUES, type ReleaseQueue } from '../src/dispatch/release-queues.ts';
import { startReleaseWorker, type ReleaseWorker } from '../src/dispatch/release-worker.ts';
import type { WorkerEvent } from '../src/dispatch/worker-events.ts';
import { connectExecutor } from '../src/executors/registry.ts';
import { parsePolicy, staticPolicySource } from '../src/policy/index.ts';
import { parseCommand } from '../src/workorders/parse-command.ts';
import { handleCommand, openWorkOrder, submitPlan, type ServiceDeps } from '../src/workorders/service/index.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { benchConfig, benchContext, benchPlan, buildTinyPackage } from './dispatch-fixtures.ts';
import { fmtMs, percentile } from './dispatch-stats.ts';
import { benchCleanup } from './bench-cleanup.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 5 * 60_000);
const TARGET_P95_MS = 250;
const TERMINAL = new Set(['succeeded', 'failed', 'aborted', 'rolled_back']);

let bench: BenchDatabase | undefined;
let work: string | undefined;
const databases: Database[] = [];
let queues: ReleaseQueue[] = [];
let worker: ReleaseWorker | undefined;
const cleanup = benchCleanup(
  'bench:dispatch',
  async () => {
    await worker?.stop().catch(() => undefined);
    for (const queue of queues) await queue.stop({ timeoutMs: 5_000 }).catch(() => undefined);
    for (const database of databases) await database.close().catch(() => undefined);
    await bench?.drop().catch((error: unknown) => {
      console.error('dropping the bench database failed:', error);
    });
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  },
  TIMEOUT_MS,
);

/** Waiters for events of one order. */
const waiters = new Map<number, (event: WorkerEvent) => void>();

function nextEvent(
  workOrderId: number,
  accept: (event: WorkerEvent) => boolean,
): Promise<{ event: WorkerEvent; at: number }> {
  return new Promise((resolve) => {
    waiters.set(workOrderId, (event) => {
      if (!accept(event)) return;
      waiters.delete(workOrderId);
      resolve({ event, at: performance.now() });
    });
  });
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-dispatch-'));
  bench = await createBenchDatabase();
  // The service's side (the server) and the worker's side each with their own pool and pg-boss, as two processes.
  const serverDb = await openDatabase({ url: bench.url });
  databases.push(serverDb);
  await migrateDatabase(serverDb);
  const workerDb = await openDatabase({ url: bench.url });
  databases.push(workerDb);
  const serverQueue = await openQueue(serverDb, { queues: RELEASE_QUEUES });
  const workerQueue = await openQueue(workerDb, { queues: RELEASE_QUEUES });
  queues = [workerQueue, serverQueue];

  const config = benchConfig(join(work, 'deploy'));
  const context = benchContext(config);
  const pkg = await buildTinyPackage(join(work, 'pkgs'), 'bench');
  // The bench's host is this machine: a policy that grants the local executor, as an operator would for a test bench.
  const rules = parsePolicy('repos:\n  - match: "*/*"\n    hosts: []\n    executors: [local]\n');
  if (!rules.ok) throw new Error('bad bench policy');
  const policy = staticPolicySource(rules.value, { artifactsDir: work, file: 'bench' });
  worker = await startReleaseWorker({
    database: workerDb,
    queue: workerQueue,
    connect: (host, signal) =>
      connectExecutor(host, { defaultUser: 'bench', acceptNewHostKeys: false, readyTimeoutMs: 10_000, signal }),
    loadConfig: () => Promise.resolve({ ok: true, config }),
    policy,
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    sweepIntervalMs: 0,
    onEvent: (event) => {
      if (event.workOrderId !== null) waiters.get(event.workOrderId)?.(event);
    },
  });

  const deps: ServiceDeps = { db: serverDb.db, queue: serverQueue, policy };
  const approve = parseCommand('/approve');
  if (!approve.ok) throw new Error('cannot parse /approve');
  const samples: number[] = [];
  let failures = 0;
  for (let index = 0; index < WARMUP + ORDERS; index++) {
    const opened = await openWorkOrder(
      deps,
      {
        repoFullName: 'acme/shop',
        installationId: 1,
        number: index + 1,
        kind: 'issue',
        title: `bench ${index}`,
        requester: 'pam',
      },
      context,
    );
    if (!opened.ok) throw new Error(opened.message);
    const plan = await submitPlan(
      deps,
      {
        order: opened.order,
        commentId: 10_000 + index,
        author: 'carol',
        markdown: benchPlan(`1.0.${index}`, pkg),
        commitSha: 'beef',
      },
      context,
    );
    if (!plan.ok) throw new Error(plan.message);
    const started = nextEvent(
      opened.order.id,
      (event) => event.type === 'release' && event.event.type === 'stage.started',
    );
    const t0 = performance.now();
    const result = await handleCommand(
      deps,
      { order: opened.order, actor: 'dave', command: approve.command, source: 'github', sourceRef: `approve:${index}` },
      context,
    );
    if (!result.ok) throw new Error(result.message);
    const { at } = await started;
    const ended = nextEvent(opened.order.id, (event) => event.type === 'transition' && TERMINAL.has(event.to));
    if (index >= WARMUP) samples.push(at - t0);
    const { event } = await ended;
    if (event.type === 'transition' && event.to !== 'succeeded') failures++;
  }

  const p95 = percentile(samples, 95);
  console.log(
    `bench:dispatch: approval → first stage started, ${samples.length} orders (after ${WARMUP} warm-up), PostgreSQL, local executor`,
  );
  console.log(
    `  p50 ${fmtMs(percentile(samples, 50))} ms   p95 ${fmtMs(p95)} ms   max ${fmtMs(Math.max(...samples))} ms   min ${fmtMs(Math.min(...samples))} ms`,
  );
  console.log(`  releases not succeeded: ${failures}`);
  console.log(`  target p95 < ${TARGET_P95_MS} ms: ${p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`);
}

try {
  await main();
} catch (error) {
  console.error('bench:dispatch failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
