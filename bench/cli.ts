/**
 * `npm run bench:cli`: how fast the `yardmaster` process starts, measured from outside as a user sees it (spawn of
 * `node bin/yardmaster.js …` to its exit, or to the first connection):
 *
 * - `yardmaster --version` (target ≤ 150 ms), `validate <plan>` and `validate --config <file> <plan>` (≤ 300 ms):
 *   spawn → exit;
 * - `deploy` (≤ 400 ms): spawn → the first TCP connection to the host's sshd. A loopback sshd (src/sandbox) sits
 *   behind a TCP relay in this process, which notes the moment the connection arrives; the release then runs on.
 *
 * Each is run with Node's compile cache as bin/yardmaster.js sets it up (a fresh cache directory: the first run fills
 * it and is shown apart as "first run") and with it turned off (NODE_DISABLE_COMPILE_CACHE=1).
 *
 * Environment: BENCH_RUNS (default 9, medians of these), BENCH_BIN (default this checkout's bin/yardmaster.js; point
 * it at another checkout's to compare), BENCH_TIMEOUT_MS (default 5 min). Removes its temp dirs and sshd on the way
 * out, also on Ctrl-C and on timeout.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSshdFleet, type SshdFleet } from '../test/helpers/sshd.ts';
import { buildPackage } from '../test/helpers/release-fixtures.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { max, median, min, ms, table } from './fanout-stats.ts';

const runs = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '', 10) || 9);
const timeoutMs = Number.parseInt(process.env.BENCH_TIMEOUT_MS ?? '', 10) || 5 * 60_000;
const bin = process.env.BENCH_BIN ?? fileURLToPath(new URL('../bin/yardmaster.js', import.meta.url));

const TARGETS = { version: 150, validate: 300, deploy: 400 } as const;

let fleetStarting: Promise<SshdFleet> | undefined;
let relay: Server | undefined;
let work: string | undefined;
const cleanup = benchCleanup(
  'bench:cli',
  async () => {
    relay?.close();
    const fleet = await fleetStarting?.catch(() => undefined);
    await fleet?.stop().catch((error: unknown) => {
      console.error('stopping sshd failed:', error);
    });
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  },
  timeoutMs,
);

interface Sample {
  /** Spawn → exit, or spawn → first connection for deploy. */
  ms: number;
  /** CPU time (user + system) of the whole child process, in 10 ms ticks: less swayed by a busy machine. */
  cpuMs: number;
  code: number | null;
  stderr: string;
}

/**
 * CPU time of this process's finished children (cutime + cstime of /proc/self/stat), in ms. Linux counts 100 ticks
 * a second for these fields.
 */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ').pop()?.split(' ') ?? [];
  // After "pid (comm) ": state is field 3, cutime field 16 and cstime field 17 (1-based) → indexes 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Resolves with the time of the next connection the relay accepts. */
let nextConnection: ((at: number) => void) | undefined;

/** Spawns the CLI; `until` (when given) resolves to the moment that counts instead of the exit. */
function time(args: readonly string[], env: NodeJS.ProcessEnv, until?: Promise<number>): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuMs();
    const start = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let mark: number | undefined;
    void until?.then((at) => {
      mark = at;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const end = performance.now();
      resolve({ ms: (mark ?? (until ? Number.NaN : end)) - start, cpuMs: childrenCpuMs() - cpuBefore, code, stderr });
    });
  });
}

interface Case {
  label: string;
  target: number;
  args: readonly string[];
  /** Exit code the command must end with. */
  expectCode: number;
  firstConnection?: boolean;
}

async function measure(
  item: Case,
  env: NodeJS.ProcessEnv,
  warmUp: boolean,
): Promise<{ first: Sample | undefined; samples: Sample[] }> {
  const once = async (): Promise<Sample> => {
    const until = item.firstConnection
      ? new Promise<number>((resolve) => {
          nextConnection = resolve;
        })
      : undefined;
    const sample = await time(item.args, env, until);
    if (sample.code !== item.expectCode)
      throw new Error(`${item.label}: exit ${String(sample.code)}, expected ${item.expectCode}\n${sample.stderr}`);
    return sample;
  };
  const first = warmUp ? await once() : undefined;
  const samples: Sample[] = [];
  for (let index = 0; index < runs; index++) samples.push(await once());
  return { first, samples };
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-cli-'));
  fleetStarting = startSshdFleet(1, { prefix: 'ym-bench-cli-sshd-' });
  const fleet = await fleetStarting;
  const host = fleet.hosts[0];
  const entry = fleet.hostEntries()[0];
  if (host === undefined || entry === undefined) throw new Error('no sshd host');

  // The relay: the CLI connects here; the connection's arrival is the "first SSH connection".
  relay = createServer((socket) => {
    nextConnection?.(performance.now());
    nextConnection = undefined;
    const upstream = connect(host.port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  const relayPort = await new Promise<number>((resolve) => {
    relay?.listen(0, '127.0.0.1', () => {
      const address = relay?.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });

  const pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  const config = join(work, 'yardmaster.yml');
  await writeFile(
    config,
    [
      'apps:',
      '  shop:',
      `    deploy_to: ${join(host.deployTo, 'shop')}`,
      '    environments:',
      '      staging: { hosts: [web] }',
      'hosts:',
      '  web:',
      `    - { name: ${entry.name}, address: 127.0.0.1, port: ${relayPort}, user: ${fleet.user}, host_key: "${entry.hostKey ?? ''}" }`,
      '',
    ].join('\n'),
  );
  const plan = join(work, 'plan.yml');
  await writeFile(
    plan,
    [
      'app: shop',
      'environment: staging',
      'version: 1.0.0',
      'package:',
      `  url: ${pkg.url}`,
      `  sha256: ${pkg.sha256}`,
      'strategy: { mode: parallel }',
      '',
    ].join('\n'),
  );

  const cases: Case[] = [
    { label: 'yardmaster --version', target: TARGETS.version, args: ['--version'], expectCode: 0 },
    { label: 'yardmaster validate <plan>', target: TARGETS.validate, args: ['validate', plan], expectCode: 0 },
    {
      label: 'yardmaster validate --config <file> <plan>',
      target: TARGETS.validate,
      args: ['validate', '--config', config, plan],
      expectCode: 0,
    },
    {
      label: 'yardmaster deploy → first SSH connection',
      target: TARGETS.deploy,
      args: ['deploy', '--config', config, '--identity', fleet.privateKeyPath, plan],
      expectCode: 0,
      firstConnection: true,
    },
  ];

  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    USER: 'bench',
    YARDMASTER_CACHE_DIR: join(work, 'cache'),
  };
  const withCache = { ...base, NODE_COMPILE_CACHE: join(work, 'compile-cache') };
  const withoutCache = { ...base, NODE_DISABLE_COMPILE_CACHE: '1' };

  console.log(`bench:cli — ${bin}`);
  const load = (): string =>
    loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
  console.log(`node ${process.version}, ${runs} runs each (after one not counted), times in ms; load ${load()}\n`);
  const rows: string[][] = [];
  for (const item of cases) {
    const cached = await measure(item, withCache, true);
    const uncached = await measure(item, withoutCache, true);
    const values = cached.samples.map((sample) => sample.ms);
    const median_ = median(values);
    rows.push([
      item.label,
      ms(median_),
      ms(min(values)),
      ms(max(values)),
      ms(cached.first?.ms ?? Number.NaN),
      ms(median(uncached.samples.map((sample) => sample.ms))),
      // deploy's process runs the whole release: its CPU time is not start-up alone.
      item.firstConnection ? '-' : ms(median(cached.samples.map((sample) => sample.cpuMs))),
      `≤ ${item.target}`,
      median_ <= item.target ? 'met' : 'MISSED',
    ]);
  }
  console.log(
    table(['command', 'median', 'min', 'max', 'first run', 'no cache (median)', 'cpu (median)', 'target', ''], rows),
  );
  console.log(
    '\n"first run" fills an empty compile cache; "no cache" is NODE_DISABLE_COMPILE_CACHE=1. deploy counts from the' +
      ' spawn to the moment the sshd relay accepts the first connection. "cpu" is user + system time of the process' +
      ` (with the cache). Load average at the end: ${load()}.`,
  );
}

try {
  await main();
} finally {
  await cleanup();
}
