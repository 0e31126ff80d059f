/**
 * `npm run bench:webhooks`: signed plan-comment deliveries per second that the Yardmaster server sustains, each
 * signature-checked, parsed and stored in the webhook inbox before it is answered, with latency percentiles; in the
 * same run the same server code with an empty Probot handler as the ceiling. The handling (repo config, plan parsed
 * and stored as a plan version, the answer posted to GitHub) follows the answer: the run also measures how fast
 * the inbox drains when GitHub is not the limit (the server with Octokit's pacing off). Everything on 127.0.0.1:
 * the servers (`node src/main.ts`, PostgreSQL, no workers) and the ceiling run as their own processes, GitHub is a
 * small fake process, the load comes from this one.
 * Target: ≥ 1,000 deliveries/s answered with p99 < 100 ms.
 *
 * Environment: BENCH_CONCURRENCY (default 32), BENCH_SECONDS (default 5), BENCH_WARMUP_SECONDS (default 1),
 * BENCH_ORDERS (work orders the comments spread over, default 200), BENCH_LOG_LEVEL (the server's, default info),
 * BENCH_SERVER_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), BENCH_MAINTENANCE_URL.
 * Stops by itself; stops its processes and drops its database on success, error and Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { planVersions, webhookDeliveries } from '../src/db/schema.ts';
import type { Database } from '../src/db/types.ts';
import { freePorts } from '../src/lib/free-port.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { fmtMs, percentile } from './dispatch-stats.ts';
import { cpuSeconds } from './webhooks-cpu.ts';
import { runLoad, type LoadResult } from './webhooks-load.ts';
import { benchCleanup } from './bench-cleanup.ts';
import {
  benchAppKey,
  listeningPort,
  openBenchOrders,
  planDelivery,
  startBenchGithub,
  stopChild,
} from './webhook-bench-fixtures.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const TARGET_RATE = 1_000;
const TARGET_P99_MS = 100;
const SECRET = 'bench-webhook-secret';

let bench: BenchDatabase | undefined;
let work: string | undefined;
let database: Database | undefined;
const children: SpawnedProcess[] = [];

const cleanup = benchCleanup('bench:webhooks', async () => {
  await Promise.all(children.map(stopChild));
  await database?.close().catch(() => undefined);
  await bench?.drop().catch((error: unknown) => {
    console.error('dropping the bench database failed:', error);
  });
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** A load result and the server process's CPU use during it (1.0 = one core busy all the time). */
interface Measured {
  result: LoadResult;
  cpu: number;
}

function report(name: string, { result, cpu }: Measured): void {
  const rate = result.completed / (result.elapsedMs / 1000);
  console.log(
    `  ${name.padEnd(28)} ${String(Math.round(rate)).padStart(6)}/s   p50 ${fmtMs(percentile(result.latenciesMs, 50))} ms   p99 ${fmtMs(percentile(result.latenciesMs, 99))} ms   max ${fmtMs(Math.max(...result.latenciesMs))} ms   server CPU ${Math.round(cpu * 100)}%   errors ${result.errors} ${JSON.stringify(result.statuses)}`,
  );
}

/** Waits until `port` answers `/healthz` (servers whose log level hides the "listening" line). */
async function healthy(port: number, child: SpawnedProcess): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) throw new Error(`server exited (${child.child.exitCode}):\n${child.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return port;
    await delay(100);
  }
  throw new Error(`server on port ${port} not healthy within 60 s:\n${child.output()}`);
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-webhooks-'));
  bench = await createBenchDatabase();
  database = await openDatabase({ url: bench.url });
  await migrateDatabase(database);
  await openBenchOrders(database, ORDERS);

  const fake = await startBenchGithub(work);
  children.push(fake.child);
  const githubUrl = fake.url;
  const common = {
    APP_ID: '4242',
    PRIVATE_KEY: benchAppKey(),
    WEBHOOK_SECRET: SECRET,
    GITHUB_API_URL: githubUrl,
    HOST: '127.0.0.1',
    HOME: work,
  };
  const [serverPortNumber, unthrottledPortNumber] = await freePorts(2);
  if (serverPortNumber === undefined || unthrottledPortNumber === undefined) throw new Error('no free ports');

  const bare = spawnNode(
    [join(ROOT, 'bench/webhooks-bare-server.ts')],
    { ...common, PORT: '0', LOG_LEVEL: 'warn' },
    work,
  );
  children.push(bare);
  const nodeOptions = process.env.BENCH_SERVER_NODE_OPTIONS;
  const serverEnv = {
    ...common,
    DATABASE_URL: bench.url,
    YARDMASTER_WORKERS: '0',
    LOG_LEVEL,
    ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }),
  };
  const server = spawnNode([join(ROOT, 'src/main.ts')], { ...serverEnv, PORT: String(serverPortNumber) }, work);
  children.push(server);
  const [barePort, serverPort] = await Promise.all([listeningPort(bare), healthy(serverPortNumber, server)]);

  const load = async (port: number, child: SpawnedProcess): Promise<Measured> => {
    const started = performance.now();
    const cpuBefore = cpuSeconds(child.child.pid);
    const result = await runLoad({
      url: `http://127.0.0.1:${port}/api/github/webhooks`,
      secret: SECRET,
      next: (index) => planDelivery(index, ORDERS),
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_SECONDS * 1000,
      durationMs: SECONDS * 1000,
    });
    return { result, cpu: (cpuSeconds(child.child.pid) - cpuBefore) / ((performance.now() - started) / 1000) };
  };
  const ceiling = await load(barePort, bare);
  const before = await counts(database);
  const yardmaster = await load(serverPort, server);
  const atLoadEnd = await counts(database);
  // The paced server leaves a backlog (Probot spaces comments 3 s apart per installation); the next server takes it
  // over at start, as after any restart. One server on the inbox at a time.
  await stopChild(server);
  const unthrottledServer = spawnNode(
    [join(ROOT, 'bench/webhooks-unthrottled-server.ts')],
    { ...serverEnv, PORT: String(unthrottledPortNumber) },
    work,
  );
  children.push(unthrottledServer);
  const restarted = performance.now();
  const unthrottledPort = await healthy(unthrottledPortNumber, unthrottledServer);
  const backlog = await drained(database);
  const backlogMs = performance.now() - restarted;
  const beforeUnthrottled = await counts(database);
  const loadStarted = performance.now();
  const unthrottled = await load(unthrottledPort, unthrottledServer);
  const atUnthrottledEnd = await counts(database);
  const afterUnthrottled = await drained(database);
  const drainMs = performance.now() - loadStarted;
  const stats: unknown = await (await fetch(`${githubUrl}/__stats`)).json();

  console.log(
    `bench:webhooks: signed issue_comment deliveries with a plan, ${CONCURRENCY} connections, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, loopback`,
  );
  console.log('  answered (signature checked, payload parsed, delivery stored in the inbox):');
  report('bare Probot (empty handler)', ceiling);
  report('Yardmaster (server log ' + LOG_LEVEL + ')', yardmaster);
  report('Yardmaster, no GitHub pacing', unthrottled);
  console.log('  handled after the answer (repo config read, plan parsed, checked and stored, reply posted):');
  console.log(
    `    Yardmaster: ${atLoadEnd.stored - before.stored} stored during the run (warm-up included), ${atLoadEnd.handled - before.handled} handled by its end (GitHub pacing: one comment per 3 s per installation);`,
  );
  console.log(
    `    its backlog of ${atLoadEnd.stored - atLoadEnd.handled - atLoadEnd.failed} handled by the next server ${fmtMs(backlogMs)} ms after its start (start included): ${backlog.handled - atLoadEnd.handled} handled, ${backlog.failed - atLoadEnd.failed} failed`,
  );
  const handledUnthrottled = afterUnthrottled.handled - beforeUnthrottled.handled;
  console.log(
    `    no pacing: ${atUnthrottledEnd.stored - beforeUnthrottled.stored} stored, ${atUnthrottledEnd.handled - beforeUnthrottled.handled} handled by the end of the load, all ${handledUnthrottled} handled ${fmtMs(drainMs)} ms after the load began` +
      ` = ${Math.round(handledUnthrottled / (drainMs / 1000))} handled/s; ${afterUnthrottled.failed - beforeUnthrottled.failed} failed; ${afterUnthrottled.plans - beforeUnthrottled.plans} plan versions`,
  );
  console.log(`  fake GitHub requests: ${JSON.stringify(stats)}`);
  const rate = yardmaster.result.completed / SECONDS;
  const p99 = percentile(yardmaster.result.latenciesMs, 99);
  console.log(
    `  target ≥ ${TARGET_RATE}/s answered with p99 < ${TARGET_P99_MS} ms: ${rate >= TARGET_RATE && p99 < TARGET_P99_MS && yardmaster.result.errors === 0 ? 'met' : 'MISSED'}`,
  );
}

interface Counts {
  stored: number;
  handled: number;
  failed: number;
  unhandled: number;
  plans: number;
}

async function counts(db: Database): Promise<Counts> {
  const rows = await db.db
    .select({ status: webhookDeliveries.status, n: count() })
    .from(webhookDeliveries)
    .groupBy(webhookDeliveries.status);
  const of = (...statuses: string[]): number =>
    rows.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row.n, 0);
  const [plans] = await db.db.select({ n: count() }).from(planVersions);
  return {
    stored: of('received', 'handling', 'handled', 'failed'),
    handled: of('handled'),
    failed: of('failed'),
    unhandled: of('received', 'handling'),
    plans: plans?.n ?? 0,
  };
}

/** Waits until the inbox holds nothing unhandled (bounded: 5 minutes). */
async function drained(db: Database): Promise<Counts> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const now = await counts(db);
    if (now.unhandled === 0) return now;
    if (Date.now() > deadline)
      throw new Error(`the inbox still holds ${now.unhandled} unhandled deliveries after 5 minutes`);
    await delay(20);
  }
}

try {
  await main();
} catch (error) {
  console.error('bench:webhooks failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
