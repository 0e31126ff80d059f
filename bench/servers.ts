/**
 * `npm run bench:servers`: signed plan-comment deliveries stored per second (answered once stored in the inbox) and
 * the answer's latency, with one, two and three servers (`node src/main.ts`, Octokit's pacing off as in
 * bench:webhooks) on one PostgreSQL database, the load spread evenly over them (as a round-robin load balancer
 * would); then how long until every stored delivery is handled, each subject by the server holding its claim. Each
 * server count gets a database of its own. Everything on 127.0.0.1: servers, a small fake GitHub, the load from this
 * process; figures are of this machine (its cores are shared by the servers, the database and the load).
 *
 * Environment: BENCH_CONCURRENCY (connections in all, default 32), BENCH_SECONDS (default 5), BENCH_WARMUP_SECONDS
 * (default 1), BENCH_ORDERS (work orders the comments spread over, default 200), BENCH_SERVERS (default `1,2,3`),
 * BENCH_MAINTENANCE_URL. Stops its processes and drops its databases on success, error and Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { count, eq } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { webhookDeliveries } from '../src/db/schema.ts';
import type { Database } from '../src/db/types.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import {
  benchAppKey,
  listeningPort,
  openBenchOrders,
  planDelivery,
  startBenchGithub,
  stopChild,
} from './webhook-bench-fixtures.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { fmtMs, percentile } from './dispatch-stats.ts';
import { runLoad, type LoadResult } from './webhooks-load.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const SERVER_COUNTS = (process.env.BENCH_SERVERS ?? '1,2,3').split(',').map(Number);
const SECRET = 'bench-servers-secret';

const databases: BenchDatabase[] = [];
const opened: Database[] = [];
const children: SpawnedProcess[] = [];
let work: string | undefined;

const cleanup = benchCleanup('bench:servers', async () => {
  await Promise.all(children.map(stopChild));
  for (const database of opened) await database.close().catch(() => undefined);
  for (const database of databases)
    await database.drop().catch((error: unknown) => {
      console.error('dropping a bench database failed:', error);
    });
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** A fresh migrated database with the work orders the comments go to. */
async function preparedDatabase(): Promise<{ bench: BenchDatabase; database: Database }> {
  const bench = await createBenchDatabase();
  databases.push(bench);
  const database = await openDatabase({ url: bench.url });
  opened.push(database);
  await migrateDatabase(database);
  await openBenchOrders(database, ORDERS);
  return { bench, database };
}

async function stored(database: Database): Promise<{ all: number; handled: number }> {
  const [all] = await database.db.select({ n: count() }).from(webhookDeliveries);
  const [handled] = await database.db
    .select({ n: count() })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, 'handled'));
  return { all: all?.n ?? 0, handled: handled?.n ?? 0 };
}

/** One run with `servers` servers: the load spread over them, then the drain. */
async function run(servers: number, common: Record<string, string>): Promise<void> {
  const { bench, database } = await preparedDatabase();
  const started = await Promise.all(
    Array.from({ length: servers }, async () => {
      const child = spawnNode(
        [join(ROOT, 'bench/webhooks-unthrottled-server.ts')],
        { ...common, DATABASE_URL: bench.url, PORT: '0', YARDMASTER_WORKERS: '0', LOG_LEVEL: 'info' },
        work ?? tmpdir(),
      );
      children.push(child);
      return { child, port: await listeningPort(child) };
    }),
  );
  const perServer = Math.max(1, Math.round(CONCURRENCY / servers));
  const loadStarted = performance.now();
  const results: LoadResult[] = await Promise.all(
    started.map(({ port }) =>
      runLoad({
        url: `http://127.0.0.1:${port}/api/github/webhooks`,
        secret: SECRET,
        next: (index) => planDelivery(index, ORDERS),
        concurrency: perServer,
        warmupMs: WARMUP_SECONDS * 1000,
        durationMs: SECONDS * 1000,
      }),
    ),
  );
  const latencies = results.flatMap((result) => result.latenciesMs);
  const completed = results.reduce((sum, result) => sum + result.completed, 0);
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  const atEnd = await stored(database);
  const deadline = Date.now() + 300_000;
  let now = atEnd;
  while (now.handled < now.all && Date.now() < deadline) {
    await delay(50);
    now = await stored(database);
  }
  const drainMs = performance.now() - loadStarted;
  console.log(
    `  ${String(servers)} server(s), ${String(perServer * servers).padStart(3)} connections: ${String(Math.round(completed / SECONDS)).padStart(6)} stored/s   p50 ${fmtMs(percentile(latencies, 50))} ms   p99 ${fmtMs(percentile(latencies, 99))} ms   errors ${errors}   ` +
      `${now.handled}/${now.all} handled ${fmtMs(drainMs)} ms after the load began (${Math.round(now.handled / (drainMs / 1000))} handled/s)`,
  );
  await Promise.all(started.map(({ child }) => stopChild(child)));
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-servers-'));
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
  console.log(
    `bench:servers: signed issue_comment deliveries with a plan over ${ORDERS} orders, ${CONCURRENCY} connections in all, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, loopback, one PostgreSQL`,
  );
  for (const servers of SERVER_COUNTS) await run(servers, common);
}

try {
  await main();
} catch (error) {
  console.error('bench:servers failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
