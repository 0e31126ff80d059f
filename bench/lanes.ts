/**
 * `npm run bench:lanes [-- --quick]`: the data planes side by side — every engine installed (node; nginx, …), each
 * started as Yardmaster starts it (startDataPlane) in a process of its own and fed by the route watcher from a
 * database of its own — one hop to an upstream on 127.0.0.1; each engine twice, one with 1 lane in its table and
 * one with 10,001, all measured in the same rounds (so that the two sizes are compared over the same seconds):
 *   - CPU per request of the engine's processes (nginx: master and workers, from /proc) and the most requests a
 *     second they pass flat out (64 kept-alive connections; wrk when installed, else the lean generator);
 *   - latency added at 1000/s against calling the upstream directly (p50, p99; targets interleaved second by second);
 *   - commit-to-effect: from the database commit switching the lane's member to the first answer by the new route.
 * Rounds are interleaved (every plane in each round, the order rotating) and each figure is the median of the
 * rounds (5; `--quick`: 1 round of 1 s, for a smoke run). Then the ratios issue 15's targets use, against nginx,
 * each taken within a round and then the median over the rounds, and how many instances 20 random tasks deploy
 * with the shared library against a copy per task.
 *
 * Environment: BENCH_ROUNDS (5), BENCH_SECONDS (3, flat out per plane and round), BENCH_RATE (1000/s),
 * BENCH_CONCURRENCY (64), BENCH_SWITCHES (20 per plane), BENCH_GENERATOR=node, BENCH_MAINTENANCE_URL,
 * BENCH_THREADS (1: HAProxy's threads and nginx's workers alike, so that both engines run the same way),
 * BENCH_ENGINES (a comma-separated choice among the engines installed, e.g. `haproxy,nginx`; default all).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import type { Database } from '../src/db/types.ts';
import type { DataPlaneEngine } from '../src/lanes/data-plane.ts';
import { loadRouteTable, reloadLanes } from '../src/lanes/route-table.ts';
import { dataPlaneEngines } from '../test/helpers/data-plane-engines.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { percentile } from './dispatch-stats.ts';
import { commitToEffect, cpuSeconds, planePids } from './lanes-engine-figures.ts';
import { closedLoop, fixedRate, flatOutGenerator, type Target } from './lanes-load.ts';
import { printReport, type EngineFigures, type Measured } from './lanes-report.ts';
import { reuse } from './lanes-reuse.ts';
import { addBulkLanes, BENCH_LANE, type BenchLibrary, seedLibrary, switchBenchLane } from './lanes-seed.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 1 : Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const SECONDS = QUICK ? 1 : Math.max(1, Number(process.env.BENCH_SECONDS ?? 3));
const LATENCY_SECONDS = QUICK ? 1 : 2;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SWITCHES = QUICK ? 4 : Math.max(2, Number(process.env.BENCH_SWITCHES ?? 20));
const BULK_LANES = 10_000;
const LANE_HEADERS = { 'x-yardmaster-lane': BENCH_LANE };

interface Plane {
  engine: DataPlaneEngine;
  /** Lanes in its table: 1, or BULK_LANES + 1. */
  lanes: number;
  server: SpawnedProcess;
  url: string;
  /** The plane server's control port (`GET /pids`). */
  control: string;
  bench: BenchDatabase;
  database: Database;
  library: BenchLibrary;
  /** Where bench-lane's member is now. */
  at: 'a' | 'b';
}

const children: SpawnedProcess[] = [];
const planes: Plane[] = [];
const databases: { bench: BenchDatabase; database: Database }[] = [];

const cleanup = benchCleanup('bench:lanes', async () => {
  for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGTERM');
  await Promise.all(children.map((child) => child.exited(10_000).catch(() => child.child.kill('SIGKILL'))));
  for (const { bench, database } of databases) {
    await database.close().catch(() => undefined);
    await bench.drop().catch(() => undefined);
  }
});

function spawnBench(script: string, env: Record<string, string>): SpawnedProcess {
  const child = spawnNode([join(ROOT, 'bench', script)], env, ROOT);
  children.push(child);
  return child;
}

async function upstream(name: string): Promise<string> {
  const child = spawnBench('lanes-upstream.ts', { UPSTREAM_NAME: name });
  const line = await child.waitForLine((text) => text.startsWith('{"port"'), 30_000);
  return `http://127.0.0.1:${Number(/"port":(\d+)/.exec(line)?.[1])}`;
}

async function openBenchDatabase(): Promise<{ bench: BenchDatabase; database: Database }> {
  const bench = await createBenchDatabase();
  const database = await openDatabase({ url: bench.url });
  databases.push({ bench, database });
  await migrateDatabase(database);
  return { bench, database };
}

/** Resolves once `lane` answers as `ok` says through the plane (the watcher has handed the engine the table). */
async function routed(url: string, lane: string, ok: (status: number, route: string | null) => boolean): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const response = await fetch(`${url}/svc/x`, { headers: { 'x-yardmaster-lane': lane } }).catch(() => undefined);
    await response?.arrayBuffer();
    if (response !== undefined && ok(response.status, response.headers.get('x-yardmaster-route'))) return;
    await sleep(100);
  }
  throw new Error(`${url}: lane ${lane} not routed as expected within a minute`);
}

async function startPlane(
  engine: DataPlaneEngine,
  endpoints: { baseline: string; a: string; b: string },
  bulk: boolean,
): Promise<Plane> {
  const { bench, database } = await openBenchDatabase();
  const library = await seedLibrary(database, endpoints);
  const server = spawnBench('lanes-data-plane-server.ts', { BENCH_ENGINE: engine, BENCH_DATABASE_URL: bench.url });
  const line = await server.waitForLine((text) => text.startsWith('{"url"'), 60_000);
  const { url, control } = z.object({ url: z.string(), control: z.string() }).parse(JSON.parse(line));
  await routed(url, BENCH_LANE, (status, route) => status === 200 && route === 'svc@a (lane)');
  if (bulk) {
    await addBulkLanes(database, BULK_LANES, Number(new URL(endpoints.b).port));
    // The last bulk lane's instance does not listen: routed, it is a 502 instead of the baseline's 200.
    await routed(url, `bulk-${BULK_LANES - 1}`, (status) => status === 502);
  }
  return { engine, lanes: bulk ? BULK_LANES + 1 : 1, server, url, control, bench, database, library, at: 'a' };
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Every plane: ROUNDS interleaved rounds of latency at RATE and flat out; then commit-to-effect; one Measured a size. */
async function measure(direct: Target): Promise<Measured[]> {
  const rounds = new Map<Plane, EngineFigures[]>(planes.map((plane) => [plane, []]));
  const targets = planes.map((plane) => ({ url: `${plane.url}/svc/x`, headers: LANE_HEADERS }));
  for (let round = 0; round < ROUNDS; round++) {
    process.stdout.write(`  round ${round + 1}/${ROUNDS}…\n`);
    const rated = await fixedRate([direct, ...targets], RATE, LATENCY_SECONDS);
    const baseline = rated[0];
    const order = planes.map((_plane, index) => planes[(index + round) % planes.length]);
    const flat = new Map<Plane, { perSecond: number; cpuUs: number; errors: number }>();
    for (const plane of order) {
      if (plane === undefined) continue;
      const pids = await planePids(plane.control);
      const before = cpuSeconds(pids);
      const figures = await closedLoop({ url: `${plane.url}/svc/x`, headers: LANE_HEADERS }, CONCURRENCY, SECONDS);
      const cpu = cpuSeconds(pids) - before;
      flat.set(plane, {
        perSecond: figures.perSecond,
        cpuUs: figures.completed > 0 ? (cpu * 1e6) / figures.completed : Number.NaN,
        errors: figures.errors,
      });
    }
    for (const [index, plane] of planes.entries()) {
      const latencies = rated[index + 1]?.latenciesMs ?? [];
      const added = (p: number): number => percentile(latencies, p) - percentile(baseline?.latenciesMs ?? [], p);
      const out = flat.get(plane);
      rounds.get(plane)?.push({
        cpuUs: out?.cpuUs ?? Number.NaN,
        perSecond: out?.perSecond ?? Number.NaN,
        addedP50Ms: added(50),
        addedP99Ms: added(99),
        errors: (out?.errors ?? 0) + (rated[index + 1]?.errors ?? 0),
      });
    }
  }
  const effects = new Map<Plane, number[]>(planes.map((plane) => [plane, []]));
  const missed = new Map<Plane, number>();
  for (let index = 0; index < SWITCHES; index++)
    for (const plane of planes) {
      const to = plane.at === 'a' ? 'b' : 'a';
      const ms = await commitToEffect(
        `${plane.url}/svc/x`,
        LANE_HEADERS,
        `svc@${to} (lane)`,
        () => switchBenchLane(plane.database, plane.library, to),
        10_000,
      );
      plane.at = to;
      if (ms === undefined) {
        missed.set(plane, (missed.get(plane) ?? 0) + 1);
        // Why, if the plane's server said (its route watcher reports a change the engine did not take).
        const said = plane.server
          .output()
          .split('\n')
          .filter((line) => line.trim() !== '' && !line.startsWith('{"url"'))
          .slice(-3)
          .join(' | ');
        console.log(
          `  ${plane.engine} (${plane.lanes} lanes): svc@${to} not seen within 10 s${said === '' ? '' : `; its server said: ${said}`}`,
        );
      } else effects.get(plane)?.push(ms);
      // Let an engine that reloads finish retiring its old workers before the next change.
      await sleep(200);
    }
  const sizes = [...new Set(planes.map((plane) => plane.lanes))];
  const measured: Measured[] = [];
  for (const lanes of sizes) {
    const ofSize = planes.filter((plane) => plane.lanes === lanes);
    // What a route change costs the control plane before any engine sees it: the watcher loads the whole table
    // (a change of instances or the baseline), or the one lane changed (as for the bench's switches).
    const loads: number[] = [];
    const laneLoads: number[] = [];
    for (let index = 0; index < 5 && ofSize[0] !== undefined; index++) {
      const start = performance.now();
      const table = await loadRouteTable(ofSize[0].database.db);
      loads.push(performance.now() - start);
      const laneStart = performance.now();
      await reloadLanes(ofSize[0].database.db, table, [BENCH_LANE]);
      laneLoads.push(performance.now() - laneStart);
    }
    measured.push({
      lanes,
      tableLoadMs: median(loads),
      laneLoadMs: median(laneLoads),
      engines: ofSize.map((plane) => {
        const figures = rounds.get(plane) ?? [];
        const pick = (of: (each: EngineFigures) => number): number => median(figures.map(of));
        const effect = effects.get(plane) ?? [];
        return {
          engine: plane.engine,
          median: {
            cpuUs: pick((each) => each.cpuUs),
            perSecond: pick((each) => each.perSecond),
            addedP50Ms: pick((each) => each.addedP50Ms),
            addedP99Ms: pick((each) => each.addedP99Ms),
            errors: figures.reduce((sum, each) => sum + each.errors, 0),
          },
          rounds: figures,
          effectP50Ms: percentile(effect, 50),
          effectP99Ms: percentile(effect, 99),
          effectMissed: missed.get(plane) ?? 0,
        };
      }),
    });
  }
  return measured;
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ENGINES?.split(',').filter((name) => name !== '');
  const engines = dataPlaneEngines().filter(({ engine }) => only === undefined || only.includes(engine));
  const endpoints = { baseline: await upstream('baseline'), a: await upstream('a'), b: await upstream('b') };
  for (const { engine, skip } of engines) {
    if (skip !== undefined) console.log(`  ${engine}: skipped, ${skip}`);
    else planes.push(await startPlane(engine, endpoints, false));
  }
  for (const { engine, skip } of engines)
    if (skip === undefined) planes.push(await startPlane(engine, endpoints, true));
  const names = [...new Set(planes.map((plane) => plane.engine))].join(', ');
  console.log(
    `bench:lanes: one hop through each data plane (${names}; each with 1 lane and with ${(BULK_LANES + 1).toLocaleString('en')} in its table) to an upstream on 127.0.0.1; ${availableParallelism()} cores;${QUICK ? ' --quick (a smoke run: 1 round of 1 s);' : ''} median of ${ROUNDS} interleaved round${ROUNDS === 1 ? '' : 's'}`,
  );
  console.log(
    `  each round: ${RATE}/s for ${LATENCY_SECONDS} s to each target (second by second), then ${CONCURRENCY} connections flat out for ${SECONDS} s to each plane (${flatOutGenerator()}); then ${SWITCHES} route changes per plane`,
  );
  const direct: Target = { url: `${endpoints.a}/x`, headers: {} };
  printReport(await measure(direct));
  const { database } = await openBenchDatabase();
  console.log(`  ${await reuse(database)}`);
}

try {
  await main();
} catch (error) {
  console.error('bench:lanes failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
