/**
 * `npm run bench:fanout`: a ~20 MB package to 10 and to 30 loopback sshd hosts, measured as a user sees it. In the
 * same run, alternating, 3 times each: the raw floor (one OpenSSH `ssh host 'tar -xz'` pipe per host, all at once;
 * with OpenSSH's default cipher and with the AES-GCM that Yardmaster negotiates, the faster of the two counts),
 * and the real CLI as a child process (`node bin/yardmaster.js deploy --config <file> --identity <key> <plan>`, spawn
 * to exit: start-up, the nine-stage release on every host, the result) with `transfer: stream` and with
 * `transfer: pull` (every host downloads the package with curl from a local HTTP artifact server, a separate
 * process). The config pins every host's key, so nothing prompts. Prints medians and minimums, CLI/floor (target
 * ≤ 1.1×), the controller's CPU time (the CLI process, or the floor's ssh clients: bench/fanout-cpu.ts), and, from
 * one more `--json` run per mode and host count, where the CLI's time goes. Traffic goes to 127.0.0.1 only.
 *
 * Flags: `--hosts 10,30,100` (host counts; default 10,30; 100 is slow), `--reps N` (default 3), `--cpu-prof DIR`
 * (every CLI run writes a V8 CPU profile there). The environment's BENCH_SIZES and BENCH_REPS are read when a flag
 * is absent; BENCH_TIMEOUT_MS (default 30 min) bounds the whole run. Stops by itself; removes its temp dirs, sshd
 * processes and the artifact server on success, on error, on timeout and on Ctrl-C.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { STAGES } from '../src/deploy/types.ts';
import { startSshdFleet, type SshdFleet } from '../test/helpers/sshd.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { writeBenchConfig, writeBenchPlan } from './fanout-cli-files.ts';
import { runCli, type CliTimeline } from './fanout-cli-run.ts';
import { cpuSince, readCpu, type CpuReading } from './fanout-cpu.ts';
import { measureFloor, negotiatedOpenSshCipher } from './fanout-floor.ts';
import { buildBenchPackage } from './fanout-package.ts';
import { max, median, min, ms, table } from './fanout-stats.ts';

const run = promisify(execFile);
const TARGET_RATIO = 1.1;
const GCM = 'aes128-gcm@openssh.com';

function numbers(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value.trim() === '') return fallback;
  return value
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

const flags = parseArgs({
  options: { hosts: { type: 'string' }, reps: { type: 'string' }, 'cpu-prof': { type: 'string' } },
  allowPositionals: false,
}).values;
const parsedSizes = numbers(flags.hosts ?? process.env.BENCH_SIZES, [10, 30]);
const sizes = parsedSizes.length > 0 ? parsedSizes : [10, 30];
const reps = numbers(flags.reps ?? process.env.BENCH_REPS, [3])[0] ?? 3;
const cpuProfDir = flags['cpu-prof'] === undefined ? undefined : resolve(flags['cpu-prof']);
const fleetSize = Math.max(...sizes);
const timeoutMs = numbers(process.env.BENCH_TIMEOUT_MS, [30 * 60_000])[0] ?? 30 * 60_000;

let fleetStarting: Promise<SshdFleet> | undefined;
let work: string | undefined;
let artifactServer: SpawnedProcess | undefined;
// Set once cleaning up has begun (Ctrl-C, the timeout or the normal end).
let stopping = false;
const cleanup = benchCleanup(
  'bench:fanout',
  async () => {
    stopping = true;
    artifactServer?.child.kill('SIGTERM');
    // A fleet still starting is stopped once it is up (startSshdFleet cleans up after itself if it fails).
    const fleet = await fleetStarting?.catch(() => undefined);
    await fleet?.stop().catch((error: unknown) => {
      console.error('stopping the sshd fleet failed:', error);
    });
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  },
  timeoutMs,
);

/** Empties every host's deploy dir (not timed) and flushes dirty pages so the next run starts even. */
async function resetHosts(active: SshdFleet): Promise<void> {
  await Promise.all(
    active.hosts.map(async (host) => {
      for (const name of await readdir(host.deployTo))
        await rm(join(host.deployTo, name), { recursive: true, force: true });
    }),
  );
  await run('sync');
}

interface Timed {
  wallMs: number;
  cpu: CpuReading;
}

type Mode = 'stream' | 'pull';
const MODES: readonly Mode[] = ['stream', 'pull'];

interface SizeResult {
  n: number;
  /** OpenSSH's default cipher, and aes128-gcm (what the executor negotiates). */
  floor: Timed[];
  floorGcm: Timed[];
  cli: Record<Mode, Timed[]>;
  /** One `--json` run per mode (not in the figures above it). */
  timelines: Record<Mode, { timeline: CliTimeline; wallMs: number } | undefined>;
}

const walls = (list: readonly Timed[]): number[] => list.map((timed) => timed.wallMs);
const cpus = (list: readonly Timed[]): number[] => list.map((timed) => timed.cpu.controllerMs);
const ratio = (a: readonly Timed[], b: readonly Timed[]): number => median(walls(a)) / median(walls(b));
/** The faster of the two floors (median wall): what the CLI is held to. */
const bestFloor = (r: SizeResult): Timed[] =>
  median(walls(r.floorGcm)) < median(walls(r.floor)) ? r.floorGcm : r.floor;
const seconds = (value: number): string => (Number.isNaN(value) ? '-' : (value / 1000).toFixed(2));

function timelineRows(timeline: CliTimeline, wallMs: number): string[][] {
  const row = (label: string, values: readonly number[]): string[] => [label, ms(median(values)), ms(max(values))];
  const rows: string[][] = [
    row('spawn → exit (wall)', [wallMs]),
    row('  spawn → release.started (start-up, config, plan)', [timeline.releaseStarted]),
    row('  release.started → first host.started (package)', [timeline.firstHostStarted - timeline.releaseStarted]),
    row('  first host.started → last host.finished', [timeline.lastHostFinished - timeline.firstHostStarted]),
    row('  last host.finished → release.finished (unlock)', [timeline.releaseFinished - timeline.lastHostFinished]),
    row('  release.finished → exit (result, close)', [wallMs - timeline.releaseFinished]),
    row('one host: host.started → host.finished', timeline.hostMs),
  ];
  for (const stage of STAGES) {
    const values = timeline.stages.get(stage);
    if (values !== undefined) rows.push(row(`  stage ${stage}`, values));
  }
  return rows;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'ym-bench-fanout-'));
  work = root;
  if (cpuProfDir !== undefined) await mkdir(cpuProfDir, { recursive: true });
  const version = '1.0.0';
  console.log('building the package…');
  const pkg = await buildBenchPackage(join(root, 'pkgs'), version);
  console.log(
    `package: ${(pkg.size / 1e6).toFixed(1)} MB tar.gz, ${pkg.files} files, ${(pkg.rawSize / 1e6).toFixed(1)} MB unpacked`,
  );
  artifactServer = spawnNode([join(import.meta.dirname, 'fanout-artifact-server.ts'), join(root, 'pkgs')], {}, root);
  const artifactPort = Number(
    /"port":(\d+)/.exec(await artifactServer.waitForLine((line) => line.startsWith('{"port"')))?.[1],
  );
  const packageUrl = `http://127.0.0.1:${artifactPort}/${pkg.path.split('/').pop() ?? ''}`;
  console.log(`artifact server (pull): ${packageUrl}`);
  console.log(`starting ${fleetSize} sshd hosts on 127.0.0.1…`);
  fleetStarting = startSshdFleet(fleetSize, { prefix: 'ym-bench-sshd-' });
  const active = await fleetStarting;
  const entries = active.hostEntries();
  const firstHost = active.hosts[0];
  if (firstHost === undefined) throw new Error('no hosts');
  const sshOptions = { user: active.user, privateKeyPath: active.privateKeyPath };
  const opensshDefault = await negotiatedOpenSshCipher(firstHost.port, sshOptions);
  console.log(`OpenSSH client default cipher (floor): ${opensshDefault}; the floor is also measured with -c ${GCM}`);

  /** The config and both plans for the first `n` hosts. */
  const files = async (n: number): Promise<{ config: string; plans: Record<Mode, string> }> => {
    const common = { version, sha256: pkg.sha256, concurrency: n };
    const [config, stream, pull] = await Promise.all([
      writeBenchConfig(root, entries.slice(0, n)),
      writeBenchPlan(root, { ...common, url: pkg.path, transfer: 'stream' }),
      writeBenchPlan(root, { ...common, url: packageUrl, transfer: 'pull' }),
    ]);
    return { config, plans: { stream, pull } };
  };

  let counter = 0;
  /** Runs `body` with its CPU time, then empties the deploy dirs (not counted). */
  const measured = async <T>(body: () => Promise<T>): Promise<{ value: T; cpu: CpuReading }> => {
    const before = readCpu();
    const value = await body();
    const cpu = cpuSince(before);
    await resetHosts(active);
    return { value, cpu };
  };
  const floor = async (n: number, cipher?: string): Promise<Timed> => {
    const targets = active.hosts
      .slice(0, n)
      .map((host) => ({ port: host.port, dir: join(host.deployTo, `floor-${counter++}`) }));
    const { value, cpu } = await measured(() =>
      measureFloor(targets, { ...sshOptions, packagePath: pkg.path, ...(cipher === undefined ? {} : { cipher }) }),
    );
    return { wallMs: value, cpu };
  };
  const cli = async (config: string, plan: string, json: boolean) => {
    const { value, cpu } = await measured(() =>
      runCli({
        config,
        plan,
        identity: active.privateKeyPath,
        work: root,
        json,
        ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
      }),
    );
    return { timed: { wallMs: value.wallMs, cpu }, timeline: value.timeline };
  };
  const show = (label: string, timed: Timed): string =>
    `${label} ${ms(timed.wallMs)} ms (cpu ${seconds(timed.cpu.controllerMs)} s)`;

  // Warm-up (not counted): page cache, sshd forks, the CLI's compile cache.
  const warm = await files(Math.min(fleetSize, 5));
  await floor(Math.min(fleetSize, 5));
  for (const mode of MODES) await cli(warm.config, warm.plans[mode], false);
  console.log(
    `login user ${active.user}; ${reps} repetitions, alternating floor / CLI stream / floor ${GCM} / CLI pull\n`,
  );

  const results: SizeResult[] = [];
  for (const n of sizes) {
    const { config, plans } = await files(n);
    const result: SizeResult = {
      n,
      floor: [],
      floorGcm: [],
      cli: { stream: [], pull: [] },
      timelines: { stream: undefined, pull: undefined },
    };
    for (let rep = 0; rep < reps; rep++) {
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
      const floorRun = await floor(n);
      result.floor.push(floorRun);
      const line = [show('floor', floorRun)];
      for (const mode of MODES) {
        if (mode === 'pull') {
          const floorGcm = await floor(n, GCM);
          result.floorGcm.push(floorGcm);
          line.push(show('floor gcm', floorGcm));
        }
        const { timed } = await cli(config, plans[mode], false);
        result.cli[mode].push(timed);
        line.push(show(`cli ${mode}`, timed));
      }
      console.log(`N=${n} rep ${rep + 1} (load ${load}): ${line.join(' | ')}`);
    }
    for (const mode of MODES) {
      const { timed, timeline } = await cli(config, plans[mode], true);
      if (timeline !== undefined) result.timelines[mode] = { timeline, wallMs: timed.wallMs };
    }
    results.push(result);
  }

  const mm = (list: readonly Timed[]): string => `${ms(median(walls(list)))} / ${ms(min(walls(list)))}`;
  console.log(
    `\nFan-out of a ${(pkg.size / 1e6).toFixed(1)} MB package by \`yardmaster deploy\` (spawn → exit), wall ms as median / min of ${reps}; ratios to the faster floor; target: CLI ≤ ${TARGET_RATIO}× floor\n`,
  );
  console.log(
    table(
      [
        'N',
        `floor (${opensshDefault})`,
        `floor (${GCM})`,
        'CLI stream',
        'CLI pull',
        'stream/floor',
        'pull/floor',
        'target (stream)',
      ],
      results.map((r) => [
        String(r.n),
        mm(r.floor),
        mm(r.floorGcm),
        mm(r.cli.stream),
        mm(r.cli.pull),
        `${ratio(r.cli.stream, bestFloor(r)).toFixed(2)}×`,
        `${ratio(r.cli.pull, bestFloor(r)).toFixed(2)}×`,
        ratio(r.cli.stream, bestFloor(r)) <= TARGET_RATIO ? 'met' : 'MISSED',
      ]),
    ),
  );
  console.log(
    '\nCPU time, s (median): the controller (the CLI process; for the floor its ssh clients) / the whole machine (all CPUs, includes other load)\n',
  );
  const cpu = (list: readonly Timed[]): string =>
    `${seconds(median(cpus(list)))} / ${seconds(median(list.map((t) => t.cpu.machineMs)))}`;
  console.log(
    table(
      ['N', 'floor', 'floor gcm', 'CLI stream', 'CLI pull'],
      results.map((r) => [String(r.n), cpu(r.floor), cpu(r.floorGcm), cpu(r.cli.stream), cpu(r.cli.pull)]),
    ),
  );
  for (const r of results) {
    for (const mode of MODES) {
      const breakdown = r.timelines[mode];
      if (breakdown === undefined) continue;
      console.log(`\nN=${r.n}, CLI ${mode}, one more run with --json: where the time goes (ms from spawn; per host)\n`);
      console.log(table(['', 'median', 'max'], timelineRows(breakdown.timeline, breakdown.wallMs)));
    }
  }
}

try {
  await main();
} catch (error) {
  // After Ctrl-C or the timeout, failures of the interrupted measurement are expected: do not report them.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the signal handler while main() ran
  if (!stopping) console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
