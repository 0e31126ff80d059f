/**
 * `npm run bench:lanes:instructions`: what one request costs HAProxy and nginx in the configs Yardmaster generates,
 * counted rather than timed — user-space instructions per request under valgrind's callgrind, the same to within
 * a fraction of a percent from run to run whatever the machine's neighbours do (timed CPU per request, bench:lanes,
 * moves by ±10% between runs on a shared machine). The kernel's share (about three fifths of either engine's CPU
 * per request, their TCP work) is not in the count.
 *
 * Each engine routes to an upstream on 127.0.0.1 and is counted for three requests: the lane header naming a lane with
 * an instance of the service (as in bench:lanes) with 1 lane in the table and with 10,001, and no lane at all (the
 * baseline's instance, most of the traffic through a shared environment). For each, it is started under callgrind twice
 * and answers 500 requests in one run and 2,500 in the other, over 8 kept-alive connections; the difference divided by
 * 2,000 is the cost of a request (start-up and the first connections cancel out). HAProxy runs as Yardmaster runs it
 * (one thread, `-dMglobal`); nginx as one process (`master_process off`, one worker's work). The node engine is not
 * counted: a JIT's instruction counts are neither stable nor comparable.
 * Needs valgrind; takes three to four minutes. BENCH_ENGINES (e.g. `haproxy`): only those.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../src/lib/free-port.ts';
import {
  BASELINE_MAP_FILE,
  haproxyMaps,
  LANES_MAP_FILE,
  mapPayloads,
  renderHaproxyConfig,
} from '../src/lanes/haproxy-config.ts';
import { HAPROXY_BINARY, HAPROXY_FLAGS } from '../src/lanes/haproxy-process.ts';
import { NGINX_TEMP_DIRS, renderNginxConfig } from '../src/lanes/nginx-config.ts';
import { NGINX_BINARY } from '../src/lanes/nginx-process.ts';
import type { RouteTable } from '../src/lanes/route-table.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { sendCount, type Target } from './lanes-load.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VALGRIND = '/usr/bin/valgrind';
const FEW = 500;
const MANY = 2_500;
const CONNECTIONS = 8;
const LANE = 'bench-lane';
/** Lanes added beside LANE for the large table (as in bench:lanes: 10,001 lanes in all). */
const BULK_LANES = 10_000;
/**
 * What is counted: the lane's instance found by the lane header (as in bench:lanes), with the 1-lane table and with
 * 10,001 lanes in it; and no lane at all (the baseline's instance, most requests through a shared environment).
 */
const CASES: { name: string; bulk: boolean; headers: Record<string, string> }[] = [
  { name: "the lane header, the lane's instance", bulk: false, headers: { 'x-yardmaster-lane': LANE } },
  { name: "no lane, the baseline's instance", bulk: false, headers: {} },
  { name: "the lane header, the lane's instance, 10,001 lanes", bulk: true, headers: { 'x-yardmaster-lane': LANE } },
];

interface Counted {
  engine: string;
  binary: string;
  /** The engine's command line after the binary, from its config file. */
  args(config: string): string[];
  /** Writes its config (and maps) into `dir` for `table`, listening on `port`; returns the config file. */
  configure(dir: string, port: number, table: RouteTable): Promise<string>;
  /** The signal that makes it finish gracefully (and callgrind write its counts). */
  stop: NodeJS.Signals;
}

const ENGINES: Counted[] = [
  {
    engine: 'haproxy',
    binary: HAPROXY_BINARY,
    args: (config) => [...HAPROXY_FLAGS, '-f', config],
    async configure(dir, port, table) {
      const maps = haproxyMaps(table, new Map());
      await writeFile(join(dir, LANES_MAP_FILE), mapPayloads(maps.lanes).join(''));
      await writeFile(join(dir, BASELINE_MAP_FILE), mapPayloads(maps.baseline).join(''));
      const config = join(dir, 'haproxy.cfg');
      const text = renderHaproxyConfig({
        host: '127.0.0.1',
        port,
        socket: join(dir, 'admin.sock'),
        mapDir: dir,
        threads: 1,
      });
      await writeFile(config, text);
      return config;
    },
    stop: 'SIGUSR1',
  },
  {
    engine: 'nginx',
    binary: NGINX_BINARY,
    args: (config) => ['-p', dirname(config), '-c', config],
    async configure(dir, port, table) {
      for (const temp of NGINX_TEMP_DIRS) await mkdir(join(dir, temp), { recursive: true });
      const config = join(dir, 'nginx.conf');
      const { text } = renderNginxConfig(table, { dir, host: '127.0.0.1', port, generation: 1, workers: 1 });
      await writeFile(config, `master_process off;\n${text}`);
      return config;
    },
    stop: 'SIGQUIT',
  },
];

const children: SpawnedProcess[] = [];
const running = new Set<ReturnType<typeof spawn>>();
const dirs: string[] = [];
const cleanup = benchCleanup(
  'bench:lanes:instructions',
  async () => {
    for (const child of running) child.kill('SIGKILL');
    for (const child of children) child.child.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exited(10_000).catch(() => child.child.kill('SIGKILL'))));
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  },
  15 * 60_000,
);

/** Resolves once `target` answers 200 (the engine under valgrind takes seconds to start). */
async function answering(target: Target): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if ((await sendCount(target, 1, 1).catch(() => 0)) === 1) return;
    await sleep(100);
  }
  throw new Error(`${target.url} did not answer within a minute under valgrind`);
}

/** Instructions callgrind counted in a run of `engine` answering `requests` requests (after one that it is up). */
async function countedRun(
  engine: Counted,
  config: string,
  target: Target,
  requests: number,
  out: string,
): Promise<number> {
  const child = spawn(
    VALGRIND,
    ['--tool=callgrind', `--callgrind-out-file=${out}`, engine.binary, ...engine.args(config)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 64_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  try {
    await answering(target);
    const ok = await sendCount(target, requests, CONNECTIONS);
    if (ok !== requests) throw new Error(`${engine.engine}: ${requests - ok} of ${requests} requests not answered 200`);
  } finally {
    child.kill(engine.stop);
    await exited;
    running.delete(child);
  }
  const totals = /^totals:\s*(\d+)/m.exec(await readFile(out, 'utf8').catch(() => ''));
  if (totals?.[1] === undefined)
    throw new Error(`${engine.engine}: no callgrind counts in ${out}; valgrind said:\n${stderr}`);
  return Number(totals[1]);
}

async function main(): Promise<void> {
  if (!existsSync(VALGRIND)) {
    console.log('bench:lanes:instructions: valgrind is not installed (apt-get install valgrind)');
    return;
  }
  const upstream = spawnNode([join(ROOT, 'bench', 'lanes-upstream.ts')], { UPSTREAM_NAME: 'a' }, ROOT);
  children.push(upstream);
  const line = await upstream.waitForLine((text) => text.startsWith('{"port"'), 30_000);
  const endpoint = `http://127.0.0.1:${Number(/"port":(\d+)/.exec(line)?.[1])}`;
  const small: RouteTable = {
    baseline: new Map([['svc', { version: 'base', endpoint }]]),
    lanes: new Map([[LANE, { mode: 'fallback', services: new Map([['svc', { version: 'a', endpoint }]]) }]]),
  };
  // The bulk lanes' instance is never asked (it need not listen).
  const bulkEndpoint = { version: 'b', endpoint: 'http://127.0.0.1:9' };
  const largeLanes = new Map(small.lanes);
  for (let index = 0; index < BULK_LANES; index++)
    largeLanes.set(`bulk-${index}`, { mode: 'fallback', services: new Map([['svc', bulkEndpoint]]) });
  const large: RouteTable = { baseline: small.baseline, lanes: largeLanes };
  console.log(
    `bench:lanes:instructions: user-space instructions per request (callgrind; ${MANY.toLocaleString('en')} − ${FEW} requests over ${CONNECTIONS} kept-alive connections)`,
  );
  const figures: { engine: string; name: string; perRequest: number }[] = [];
  const only = process.env.BENCH_ENGINES?.split(',').filter((name) => name !== '');
  for (const engine of ENGINES) {
    if (only !== undefined && !only.includes(engine.engine)) continue;
    if (!existsSync(engine.binary)) {
      console.log(`  ${engine.engine}: skipped, ${engine.binary} is not installed`);
      continue;
    }
    for (const bulk of [false, true]) {
      const dir = await mkdtemp(join(tmpdir(), `yardmaster-instructions-${engine.engine}-`));
      dirs.push(dir);
      const [port = 0] = await freePorts(1);
      const config = await engine.configure(dir, port, bulk ? large : small);
      for (const { name, headers } of CASES.filter((each) => each.bulk === bulk)) {
        const target: Target = { url: `http://127.0.0.1:${port}/svc/x`, headers };
        const few = await countedRun(engine, config, target, FEW, join(dir, 'few.out'));
        const many = await countedRun(engine, config, target, MANY, join(dir, 'many.out'));
        const perRequest = (many - few) / (MANY - FEW);
        figures.push({ engine: engine.engine, name, perRequest });
        console.log(
          `  ${engine.engine}, ${name}: ${Math.round(perRequest).toLocaleString('en')} instructions per request`,
        );
      }
    }
  }
  const figure = (engine: string, name: string): number | undefined =>
    figures.find((each) => each.engine === engine && each.name === name)?.perRequest;
  for (const { name } of CASES) {
    const [haproxy, nginx] = [figure('haproxy', name), figure('nginx', name)];
    if (haproxy !== undefined && nginx !== undefined)
      console.log(`  HAProxy against nginx, ${name}: ${(haproxy / nginx).toFixed(2)}× (user space only)`);
  }
  const [smallCase, largeCase] = [CASES[0]?.name ?? '', CASES[2]?.name ?? ''];
  for (const engine of ['haproxy', 'nginx']) {
    const [one, many] = [figure(engine, smallCase), figure(engine, largeCase)];
    if (one !== undefined && many !== undefined)
      console.log(
        `  ${engine}, 10,001 lanes against 1: ${many >= one ? '+' : ''}${(((many - one) / one) * 100).toFixed(1)}%`,
      );
  }
}

try {
  await main();
} catch (error) {
  console.error('bench:lanes:instructions failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
