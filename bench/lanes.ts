/**
 * `npm run bench:lanes`: what the lane router adds per hop — latency (p50, p99) at a fixed request rate against a
 * direct call, and the most requests per second it passes — beside nginx with a `map` on the lane header (when
 * Debian's nginx-light is installed); and how many instances 20 random tasks over 12 services deploy with the
 * shared library, against a full copy per task. Upstreams, router and nginx are processes of their own on
 * 127.0.0.1; the router runs as many processes as nginx has workers (BENCH_WORKERS, sharing one port with
 * SO_REUSEPORT). The load: the same generator for every target (lanes-load.ts: wrk flat out when installed, else a
 * lean one of its own). Beside throughput it prints the CPU each proxy and the upstream spend per request, read from
 * /proc: on a small machine where generator, proxy and upstream share the cores, that decides the flat-out figure.
 * Target: p99 added < 1 ms per hop, throughput at least nginx's.
 *
 * Environment: BENCH_RATE (default 1000/s), BENCH_SECONDS (default 5), BENCH_CONCURRENCY (default 64),
 * BENCH_WORKERS (default 1), BENCH_GENERATOR=node (the lean generator even where wrk is installed),
 * BENCH_MAINTENANCE_URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Database } from '../src/db/types.ts';
import { resolveTask, type LaneDeps } from '../src/lanes/lane-tasks.ts';
import { putInstance } from '../src/lanes/library-store.ts';
import { freePorts } from '../src/lib/free-port.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { percentile } from './dispatch-stats.ts';
import { closedLoop, fixedRate, flatOutGenerator, type FlatOut, type LoadFigures, type Target } from './lanes-load.ts';
import { startNginx, type RunningNginx } from './lanes-nginx.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WORKERS = Math.max(1, Number(process.env.BENCH_WORKERS ?? 1));
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

function ms2(value: number): string {
  return Number.isNaN(value) ? '-' : value.toFixed(2);
}

function latency(figures: LoadFigures): string {
  return `p50 ${ms2(percentile(figures.latenciesMs, 50))} ms  p99 ${ms2(percentile(figures.latenciesMs, 99))} ms  (${figures.completed} requests, ${figures.errors} errors)`;
}

/** CPU seconds (user + system) the processes have used so far; undefined where /proc is not there. */
function cpuSeconds(pids: readonly number[]): number | undefined {
  try {
    let ticks = 0;
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
}

function perRequest(before: number | undefined, after: number | undefined, completed: number): string {
  return before === undefined || after === undefined || completed === 0
    ? '-'
    : `${(((after - before) * 1e6) / completed).toFixed(1)} µs`;
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
    runtime: {
      name: 'bench',
      start: (service, version) => Promise.resolve({ endpoint: `http://127.0.0.1:9/${service}/${version}`, ref: '' }),
      stop: () => Promise.resolve(),
    },
    actor: 'bench',
  };
  for (const service of services)
    await db.db.transaction((tx) =>
      putInstance(
        tx,
        { service, version: '0', endpoint: `http://127.0.0.1:9/${service}`, baseline: true, runtime: 'bench' },
        'bench',
      ),
    );
  let deployed = 0;
  let missingPerTask = 0;
  for (let task = 0; task < 20; task++) {
    const wanted = Object.fromEntries(
      services.map((service) => [service, random() < 0.6 ? 'baseline' : String(1 + Math.floor(random() * 3))]),
    );
    const resolution = await resolveTask(deps, {
      lane: `task-${task}`,
      services: wanted,
      calls: [],
      mode: 'fallback',
      ttlMs: 3_600_000,
    });
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
  const routes = JSON.stringify({ baseline: { svc: baselineUrl }, lanes: { [LANE]: { svc: laneUrl } } });
  const reusePort = WORKERS > 1 ? '1' : '0';
  const firstRouter = spawnBench('lanes-router-server.ts', { BENCH_ROUTES: routes, BENCH_REUSE_PORT: reusePort });
  const routers = [firstRouter];
  const routerPort = await portOf(firstRouter);
  for (let index = 1; index < WORKERS; index++)
    routers.push(
      spawnBench('lanes-router-server.ts', {
        BENCH_ROUTES: routes,
        BENCH_REUSE_PORT: reusePort,
        BENCH_PORT: String(routerPort),
      }),
    );
  for (const router of routers.slice(1)) await portOf(router);
  const routerUrl = `http://127.0.0.1:${routerPort}`;
  const [nginxPort] = await freePorts(1);
  nginx = await startNginx(
    join(work, 'nginx'),
    nginxPort ?? 0,
    { baseline: baselineUrl, lane: laneUrl, laneName: LANE },
    WORKERS,
  );

  const pidsOf = (processes: SpawnedProcess[]): number[] =>
    processes.flatMap((spawned) => (spawned.child.pid === undefined ? [] : [spawned.child.pid]));
  const targets: { name: string; target: Target; pids: () => number[] }[] = [
    { name: 'direct', target: { url: `${laneUrl}/x`, headers: {} }, pids: () => [] },
    {
      name: 'lane router',
      target: { url: `${routerUrl}/svc/x`, headers: { 'x-yardmaster-lane': LANE } },
      pids: () => pidsOf(routers),
    },
    ...(nginx === undefined
      ? []
      : [
          {
            name: 'nginx map',
            target: { url: `${nginx.url}/svc/x`, headers: { 'x-yardmaster-lane': LANE } },
            pids: () => nginx?.pids() ?? [],
          },
        ]),
  ];
  const processes =
    WORKERS === 1
      ? 'one router process, one nginx worker'
      : `${WORKERS} router processes (SO_REUSEPORT), ${WORKERS} nginx workers`;
  console.log(
    `bench:lanes: one hop through a proxy to an upstream on 127.0.0.1; ${processes}; ${availableParallelism()} cores`,
  );
  console.log(
    `  at ${RATE}/s for ${SECONDS} s (targets interleaved second by second, lean generator), then ${CONCURRENCY} connections flat out for ${SECONDS} s (${flatOutGenerator()})`,
  );
  const rated = await fixedRate(
    targets.map((entry) => entry.target),
    RATE,
    SECONDS,
  );
  for (const [index, entry] of targets.entries()) {
    const figures = rated[index];
    if (figures !== undefined) console.log(`  ${entry.name.padEnd(12)} at ${RATE}/s: ${latency(figures)}`);
  }
  const direct = rated[0];
  const added = new Map<string, number>();
  for (const [index, entry] of targets.entries()) {
    const figures = rated[index];
    if (index === 0 || direct === undefined || figures === undefined) continue;
    const at = (p: number): number => percentile(figures.latenciesMs, p) - percentile(direct.latenciesMs, p);
    added.set(entry.name, at(99));
    console.log(`  ${entry.name} adds per hop: p50 ${ms2(at(50))} ms, p99 ${ms2(at(99))} ms`);
  }
  const most = new Map<string, FlatOut>();
  const upstreamPids = pidsOf([lane]);
  for (const entry of targets) {
    const before = cpuSeconds(entry.pids());
    const upstreamBefore = cpuSeconds(upstreamPids);
    const figures = await closedLoop(entry.target, CONCURRENCY, SECONDS);
    const after = cpuSeconds(entry.pids());
    const upstreamAfter = cpuSeconds(upstreamPids);
    most.set(entry.name, figures);
    const cpu = `${entry.name === 'direct' ? '' : `proxy CPU ${perRequest(before, after, figures.completed)}/request, `}upstream ${perRequest(upstreamBefore, upstreamAfter, figures.completed)}/request`;
    console.log(
      `  ${entry.name.padEnd(12)} flat out: ${figures.perSecond}/s  (p50 ${ms2(figures.p50Ms)} ms  p99 ${ms2(figures.p99Ms)} ms, ${figures.completed} requests, ${figures.errors} errors; ${cpu})`,
    );
  }
  if (nginx === undefined) console.log('  nginx: not installed (apt-get install nginx-light), not compared');

  bench = await createBenchDatabase();
  database = await openDatabase({ url: bench.url });
  await migrateDatabase(database);
  console.log(`  ${await reuse(database)}`);

  const router99 = added.get('lane router') ?? Number.NaN;
  const routerMost = most.get('lane router')?.perSecond ?? 0;
  const nginxMost = most.get('nginx map')?.perSecond;
  console.log(`  target p99 added < 1 ms per hop: ${router99 < 1 ? 'met' : 'MISSED'} (${ms2(router99)} ms)`);
  console.log(
    `  target throughput ≥ nginx's: ${nginxMost === undefined ? 'not measured' : routerMost >= nginxMost ? 'met' : 'MISSED'} (${routerMost}/s vs ${nginxMost ?? '–'}/s)`,
  );
}

try {
  await main();
} catch (error) {
  console.error('bench:lanes failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
