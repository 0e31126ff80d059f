/**
 * `npm run bench:start`: the server's cold start, as the image starts it (`node src/main.ts`, no compile cache):
 * spawn → /readyz 200 (wall) and the CPU time (user + system) the server's process used until then, on PostgreSQL
 * (a fresh database each run: every migration applied) and on the embedded PGlite (a fresh data directory each run:
 * created and migrated; and once more on that directory, already migrated). Target (issue 17): under 2 s.
 *
 * Environment: BENCH_RUNS (default 5, medians of these), BENCH_MAIN (default this checkout's src/main.ts; point it
 * at another checkout's to compare), BENCH_COMPILE_CACHE=1 (with Node's compile cache in a directory the first run
 * fills), BENCH_TIMEOUT_MS (default 10 min). Needs PostgreSQL at YM_TEST_MAINTENANCE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres). Removes its databases, directories and processes on the way out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../src/lib/free-port.ts';
import { createTestPostgres, type TestPostgres } from '../test/helpers/database.ts';
import { generateAppPrivateKey } from '../test/helpers/github-app-server.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { max, median, min, ms, table } from './fanout-stats.ts';

const runs = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '', 10) || 5);
const timeoutMs = Number.parseInt(process.env.BENCH_TIMEOUT_MS ?? '', 10) || 10 * 60_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const main = process.env.BENCH_MAIN ?? join(root, 'src/main.ts');
const compileCache = process.env.BENCH_COMPILE_CACHE === '1';
const TARGET_MS = 2_000;
const READY_WITHIN_MS = 120_000;

let work: string | undefined;
const databases: TestPostgres[] = [];
let child: ChildProcess | undefined;
const cleanup = benchCleanup(
  'bench:start',
  async () => {
    child?.kill('SIGKILL');
    for (const database of databases) await database.drop().catch(() => undefined);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  },
  timeoutMs,
);

interface Sample {
  /** Spawn → /readyz 200. */
  wallMs: number;
  /** User + system CPU time of the server's process when /readyz answered 200 (10 ms ticks). */
  cpuMs: number;
}

/** utime + stime of a running process (fields 14 and 15 of /proc/<pid>/stat, 100 ticks a second), in ms. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function readyzStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Starts the server with `env`, polls /readyz every 10 ms until 200, samples, stops it with SIGTERM. */
async function startOnce(database: Record<string, string>, key: string, cwd: string): Promise<Sample> {
  const [port = 0] = await freePorts(1);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: cwd,
    ...database,
    APP_ID: '123',
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: 'bench-server-start',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    YARDMASTER_WORKERS: '0',
    YARDMASTER_CACHE_DIR: join(cwd, 'cache'),
    ...(compileCache ? { NODE_COMPILE_CACHE: join(cwd, 'compile-cache') } : { NODE_DISABLE_COMPILE_CACHE: '1' }),
  };
  const started = performance.now();
  const server = spawn(process.execPath, [main], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child = server;
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<void>((resolve) =>
    server.once('exit', () => {
      resolve();
    }),
  );
  const exited = (): boolean => server.exitCode !== null || server.signalCode !== null;
  try {
    const url = `http://127.0.0.1:${port}/readyz`;
    for (;;) {
      if (exited()) throw new Error(`the server exited before it was ready:\n${stderr}`);
      if (performance.now() - started > READY_WITHIN_MS) throw new Error(`not ready within ${READY_WITHIN_MS} ms`);
      if ((await readyzStatus(url)) === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const wallMs = performance.now() - started;
    const cpuMs = processCpuMs(server.pid ?? 0);
    return { wallMs, cpuMs };
  } finally {
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 15_000);
    await exit;
    clearTimeout(killer);
    child = undefined;
  }
}

function row(name: string, samples: readonly Sample[]): string[] {
  const cpu = samples.map((sample) => sample.cpuMs);
  const wall = samples.map((sample) => sample.wallMs);
  return [
    name,
    ms(median(cpu)),
    `${ms(min(cpu))}–${ms(max(cpu))}`,
    ms(median(wall)),
    `${ms(min(wall))}–${ms(max(wall))}`,
    median(wall) < TARGET_MS ? 'within' : 'OVER',
  ];
}

try {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-start-'));
  await copyFile(join(root, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(root, 'package.json'), join(work, 'package.json'));
  const key = generateAppPrivateKey();
  const postgresSamples: Sample[] = [];
  const embeddedFresh: Sample[] = [];
  const embeddedAgain: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    const database = await createTestPostgres({ prefix: 'ym_bench_start_' });
    databases.push(database);
    postgresSamples.push(await startOnce({ DATABASE_URL: database.url }, key, work));
    await database.drop();
    databases.splice(databases.indexOf(database), 1);
    const dataDir = join(work, `pglite-${run}`);
    embeddedFresh.push(await startOnce({ YARDMASTER_DATA_DIR: dataDir }, key, work));
    embeddedAgain.push(await startOnce({ YARDMASTER_DATA_DIR: dataDir }, key, work));
    await rm(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      `bench:start: ${main}, ${runs} runs each, compile cache ${compileCache ? 'on' : 'off'}; load ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')} on ${cpus().length} cores`,
      table(
        ['server start → /readyz 200', 'cpu ms', 'cpu range', 'wall ms', 'wall range', `< ${TARGET_MS} ms`],
        [
          row('PostgreSQL, fresh database', postgresSamples),
          row('embedded, new data dir', embeddedFresh),
          row('embedded, migrated data dir', embeddedAgain),
        ],
      ),
      '',
    ].join('\n'),
  );
  await cleanup();
} catch (error) {
  process.stderr.write(
    `bench:start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  await cleanup();
  process.exitCode = 1;
}
