/**
 * `npm run bench:lanes`: what the lane router adds per hop — latency (p50, p99) at a fixed request rate against a
 * direct call, and the most requests per second it passes — beside nginx with a `map` on the lane header (when
 * Debian's nginx-light is installed); and how many instances 20 random tasks over 12 services deploy with the
 * shared library, against a full copy per task. Upstreams, router and nginx are processes of their own on
 * 127.0.0.1; the load comes from this one. Target: p99 added < 1 ms per hop, throughput at least nginx's.
 *
 * Environment: BENCH_RATE (default 1000/s), BENCH_SECONDS (default 5), BENCH_CONCURRENCY (default 64),
 * BENCH_MAINTENANCE_URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Database } from '../src/db/types.ts';
import { resolveTask, type LaneDeps } from '../src/lanes/lane-tasks.ts';
import { putInstance } from '../src/lanes/library-store.ts';
import { freePorts } from '../src/sandbox/free-port.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { fmtMs, percentile } from './dispatch-stats.ts';
import { closedLoop, fixedRate, type LoadFigures, type Target } from './lanes-load.ts';
import { startNginx, type RunningNginx } from './lanes-nginx.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const LANE = 'bench-lane';

const children: SpawnedProcess[] = [];
let nginx: RunningNginx | undefined;
let work: string | undefined;
let bench: BenchDatabase | undefined;
let database: Database | undefined;

const cleanup = benchCleanup('bench:lanes', async () => {
  await nginx?.stop();
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGTERM');
  await database?.close().catch(() => undefined);
  await bench?.drop().catch(() => undefined);
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function portOf(child: SpawnedProcess): Promise<number> {
  const line = await child.waitForLine((text) => text.startsWith('{"port"'), 30_000);
  return Number(/"port":(\d+)/.exec(line)?.[1]);
}

function spawnBench(script: string, env: Record<string, string>): SpawnedProcess {
  const child = spawnNode([join(ROOT, 'bench', script)], env, ROOT);
  children.push(child);
  return child;
}

function latency(figures: LoadFigures): string {
  return `p50 ${fmtMs(percentile(figures.latenciesMs, 50))} ms  p99 ${fmtMs(percentile(figures.latenciesMs, 99))} ms  (${figures.completed} requests, ${figures.errors} errors)`;
}

function throughput(figures: LoadFigures): number {
  return Math.round(figures.completed / figures.seconds);
}

/** 20 tasks over 12 services, each service at the baseline (60%) or one of three versions; a fixed seed. */
async function reuse(db: Database): Promise<string> {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const services = Array.from({ length: 12 }, (_, index) => `svc${index + 1}`);
  const deps: LaneDeps = {
    db: db.db,
    // Counting, not starting: every deployed version gets an address of its own.
    runtime: { name: 'bench', start: (service, version) => Promise.resolve({ endpoint: `http://127.0.0.1:9/${service}/${version}`, ref: '' }), stop: () => Promise.resolve() },
    actor: 'bench',
  };
  for (const service of services) await db.db.transaction((tx) => putInstance(tx, { service, version: '0', endpoint: `http://127.0.0.1:9/${service}`, baseline: true, runtime: 'bench' }, 'bench'));
  let deployed = 0;
  let missingPerTask = 0;
  for (let task = 0; task < 20; task++) {
    const wanted = Object.fromEntries(services.map((service) => [service, random() < 0.6 ? 'baseline' : String(1 + Math.floor(random() * 3))]));
    const resolution = await resolveTask(deps, { lane: `task-${task}`, services: wanted, calls: [], mode: 'fallback', ttlMs: 3_600_000 });
    if (!resolution.ok) throw new Error(resolution.message);
    deployed += resolution.deployed;
    missingPerTask += Object.values(wanted).filter((version) => version !== 'baseline').length;
  }
  return `20 tasks over 12 services: ${deployed} instances deployed with the shared library; ${missingPerTask} if each task deployed its own versions; ${20 * 12} for a full copy per task`;
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-lanes-'));
  const baseline = spawnBench('lanes-upstream.ts', { UPSTREAM_NAME: 'baseline' });
  const lane = spawnBench('lanes-upstream.ts', { UPSTREAM_NAME: 'lane' });
  const baselineUrl = `http://127.0.0.1:${await portOf(baseline)}`;
  const laneUrl = `http://127.0.0.1:${await portOf(lane)}`;
  const router = spawnBench('lanes-router-server.ts', { BENCH_ROUTES: JSON.stringify({ baseline: { svc: baselineUrl }, lanes: { [LANE]: { svc: laneUrl } } }) });
  const routerUrl = `http://127.0.0.1:${await portOf(router)}`;
  const [nginxPort] = await freePorts(1);
  nginx = await startNginx(join(work, 'nginx'), nginxPort ?? 0, { baseline: baselineUrl, lane: laneUrl, laneName: LANE });

  const targets: [string, Target][] = [
    ['direct', { url: `${laneUrl}/x`, headers: {} }],
    ['lane router', { url: `${routerUrl}/svc/x`, headers: { 'x-yardmaster-lane': LANE } }],
    ...(nginx === undefined ? [] : [['nginx map', { url: `${nginx.url}/svc/x`, headers: { 'x-yardmaster-lane': LANE } }] as [string, Target]]),
  ];
  console.log(`bench:lanes: one hop through a proxy to an upstream on 127.0.0.1; ${RATE}/s for ${SECONDS} s, then ${CONCURRENCY} connections flat out`);
  const rated = new Map<string, LoadFigures>();
  for (const [name, target] of targets) {
    const figures = await fixedRate(target, RATE, SECONDS);
    rated.set(name, figures);
    console.log(`  ${name.padEnd(12)} at ${RATE}/s: ${latency(figures)}`);
  }
  const direct = rated.get('direct');
  for (const name of ['lane router', 'nginx map']) {
    const figures = rated.get(name);
    if (direct === undefined || figures === undefined) continue;
    const added = (p: number): string => fmtMs(percentile(figures.latenciesMs, p) - percentile(direct.latenciesMs, p));
    console.log(`  ${name} adds per hop: p50 ${added(50)} ms, p99 ${added(99)} ms`);
  }
  const most = new Map<string, number>();
  for (const [name, target] of targets) {
    const figures = await closedLoop(target, CONCURRENCY, SECONDS);
    most.set(name, throughput(figures));
    console.log(`  ${name.padEnd(12)} flat out: ${throughput(figures)}/s  (${latency(figures)})`);
  }
  if (nginx === undefined) console.log('  nginx: not installed (apt-get install nginx-light), not compared');

  bench = await createBenchDatabase();
  database = await openDatabase({ url: bench.url });
  await migrateDatabase(database);
  console.log(`  ${await reuse(database)}`);

  const router99 = direct === undefined ? Number.NaN : percentile(rated.get('lane router')?.latenciesMs ?? [], 99) - percentile(direct.latenciesMs, 99);
  const routerMost = most.get('lane router') ?? 0;
  const nginxMost = most.get('nginx map');
  console.log(`  target p99 added < 1 ms per hop: ${router99 < 1 ? 'met' : 'MISSED'} (${fmtMs(router99)} ms)`);
  console.log(`  target throughput ≥ nginx's: ${nginxMost === undefined ? 'not measured' : routerMost >= nginxMost ? 'met' : 'MISSED'} (${routerMost}/s vs ${nginxMost ?? '–'}/s)`);
}

try {
  await main();
} catch (error) {
  console.error('bench:lanes failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
