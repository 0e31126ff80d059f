/**
 * `npm run bench:fanout`: a ~20 MB package to 10 and to 30 loopback sshd hosts. In the same run it measures
 * the raw floor (one OpenSSH `ssh host 'tar -xz'` pipe per host, all at once), the full nine-stage release
 * (runRelease, parallel, stream transfer) and the same release with `transfer: pull` (every host downloads the
 * package with curl from a local HTTP artifact server, a separate process), alternating, 3 times each, and prints
 * medians, minimums, the full/floor ratio (target ≤ 1.5×), the controller's CPU time per mode, how wall time grows
 * with the host count, and where the release's time goes. Traffic goes to 127.0.0.1 only.
 *
 * Flags: `--hosts 10,30,100` (host counts; default 10,30), `--reps N` (default 3). The environment's BENCH_SIZES and
 * BENCH_REPS are read when a flag is absent; BENCH_TIMEOUT_MS (default 30 min) bounds the whole run.
 * Stops by itself; removes its temp dirs, sshd processes and the artifact server on success, on error, on timeout
 * and on Ctrl-C.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { HostEntry } from '../src/config/types.ts';
import { STAGES } from '../src/deploy/types.ts';
import { startSshdFleet, type SshdFleet } from '../test/helpers/sshd.ts';
import { cpuSince, readCpu, type CpuReading } from './fanout-cpu.ts';
import { measureFloor, negotiatedOpenSshCipher } from './fanout-floor.ts';
import { buildBenchPackage } from './fanout-package.ts';
import {
  measureRelease,
  negotiatedSsh2,
  NO_COMMANDS,
  SMALL_PLAN_COMMANDS,
  type ReleaseSample,
} from './fanout-release.ts';
import { max, median, min, ms, table } from './fanout-stats.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';

const run = promisify(execFile);
const GCM = 'aes128-gcm@openssh.com';
const TARGET_RATIO = 1.5;

function numbers(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value.trim() === '') return fallback;
  return value
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

const flags = parseArgs({
  options: { hosts: { type: 'string' }, reps: { type: 'string' } },
  allowPositionals: false,
}).values;
const parsedSizes = numbers(flags.hosts ?? process.env.BENCH_SIZES, [10, 30]);
const sizes = parsedSizes.length > 0 ? parsedSizes : [10, 30];
const reps = numbers(flags.reps ?? process.env.BENCH_REPS, [3])[0] ?? 3;
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

interface SizeResult {
  n: number;
  floorDefault: Timed[];
  floorGcm: Timed[];
  full: Timed[];
  fullBare: Timed[];
  /** The full release (with the small plan) by `transfer: pull`. */
  pull: Timed[];
  samples: ReleaseSample[];
  bareSamples: ReleaseSample[];
  pullSamples: ReleaseSample[];
}

function stageRows(samples: readonly ReleaseSample[]): string[][] {
  const all = <T>(pick: (sample: ReleaseSample) => readonly T[]): T[] => samples.flatMap((sample) => [...pick(sample)]);
  const row = (label: string, values: readonly number[]): string[] => [label, ms(median(values)), ms(max(values))];
  const rows: string[][] = [
    row(
      'whole release (wall)',
      samples.map((sample) => sample.wallMs),
    ),
    row(
      '  before first host (sha256 etc.)',
      samples.map((sample) => sample.beforeHostsMs),
    ),
    row(
      '  host.started → host.finished',
      all((sample) => sample.hostMs),
    ),
    row(
      '  after last host (unlock, close)',
      samples.map((sample) => sample.afterHostsMs),
    ),
    row(
      'connect (tcp + kex + auth)',
      all((sample) => sample.connectMs),
    ),
    row(
      'check script (check − connect)',
      all((sample) => sample.checkScriptMs),
    ),
    row(
      'execs per host (round trips)',
      all((sample) => sample.execsPerHost),
    ),
    row(
      'one exec other than the transfer (round trip)',
      all((sample) => sample.execMs),
    ),
  ];
  for (const stage of STAGES) {
    const values = all((sample) => sample.stages.get(stage) ?? []);
    if (values.length > 0) rows.push(row(`stage ${stage}${stage === 'fetch' ? ' (transfer + unpack)' : ''}`, values));
  }
  return rows;
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-fanout-'));
  const version = '1.0.0';
  console.log('building the package…');
  const pkg = await buildBenchPackage(join(work, 'pkgs'), version);
  console.log(
    `package: ${(pkg.size / 1e6).toFixed(1)} MB tar.gz, ${pkg.files} files, ${(pkg.rawSize / 1e6).toFixed(1)} MB unpacked`,
  );
  artifactServer = spawnNode([join(import.meta.dirname, 'fanout-artifact-server.ts'), join(work, 'pkgs')], {}, work);
  const artifactPort = Number(
    /"port":(\d+)/.exec(await artifactServer.waitForLine((line) => line.startsWith('{"port"')))?.[1],
  );
  const packageUrl = `http://127.0.0.1:${artifactPort}/${pkg.path.split('/').pop() ?? ''}`;
  console.log(`artifact server (pull): ${packageUrl}`);
  console.log(`starting ${fleetSize} sshd hosts on 127.0.0.1…`);
  fleetStarting = startSshdFleet(fleetSize, { prefix: 'ym-bench-sshd-' });
  const active = await fleetStarting;
  const entries = active.hostEntries();
  const first = entries[0];
  const firstHost = active.hosts[0];
  if (first === undefined || firstHost === undefined) throw new Error('no hosts');
  const sshOptions = { user: active.user, privateKeyPath: active.privateKeyPath };
  const [opensshDefault, ssh2Negotiated] = await Promise.all([
    negotiatedOpenSshCipher(firstHost.port, sshOptions),
    negotiatedSsh2(first, active.privateKey, active.user),
  ]);
  console.log(`OpenSSH client default cipher: ${opensshDefault}; floor also measured with -c ${GCM}`);
  console.log(`ssh2 (executor) negotiates: cipher ${ssh2Negotiated.cipher}, kex ${ssh2Negotiated.kex}`);
  console.log(`login user ${active.user}; ${reps} repetitions, alternating floor / full\n`);

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
    const options = { ...sshOptions, packagePath: pkg.path, ...(cipher === undefined ? {} : { cipher }) };
    const { value, cpu } = await measured(() => measureFloor(targets, options));
    return { wallMs: value, cpu };
  };
  const full = async (
    n: number,
    bare: boolean,
    transfer: 'stream' | 'pull' = 'stream',
  ): Promise<{ timed: Timed; sample: ReleaseSample }> => {
    const id = counter++;
    const hosts: HostEntry[] = entries
      .slice(0, n)
      .map((entry) => ({ ...entry, deployTo: join(entry.deployTo ?? '', `full-${id}`) }));
    const { value, cpu } = await measured(() =>
      measureRelease({
        entries: hosts,
        packagePath: pkg.path,
        sha256: pkg.sha256,
        version,
        commands: bare ? NO_COMMANDS : SMALL_PLAN_COMMANDS,
        privateKey: active.privateKey,
        user: active.user,
        artifactsDir: work ?? tmpdir(),
        cacheDir: join(work ?? tmpdir(), 'cache'),
        ...(transfer === 'pull' ? { transfer, packageUrl } : {}),
      }),
    );
    return { timed: { wallMs: value.wallMs, cpu }, sample: value };
  };
  const show = (timed: Timed): string =>
    `${ms(timed.wallMs)} ms (cpu: controller ${ms(timed.cpu.controllerMs)}, machine ${ms(timed.cpu.machineMs)})`;

  // Warm-up (not counted): page cache, sshd forks, JIT.
  const warm = Math.min(fleetSize, 5);
  await floor(warm);
  await full(warm, false);
  await full(warm, false, 'pull');

  const results: SizeResult[] = [];
  for (const n of sizes) {
    const result: SizeResult = {
      n,
      floorDefault: [],
      floorGcm: [],
      full: [],
      fullBare: [],
      pull: [],
      samples: [],
      bareSamples: [],
      pullSamples: [],
    };
    for (let rep = 0; rep < reps; rep++) {
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 1).join('');
      const floorDefault = await floor(n);
      const plan = await full(n, false);
      const floorGcm = await floor(n, GCM);
      const bare = await full(n, true);
      const pulled = await full(n, false, 'pull');
      result.pull.push(pulled.timed);
      result.pullSamples.push(pulled.sample);
      result.floorDefault.push(floorDefault);
      result.full.push(plan.timed);
      result.samples.push(plan.sample);
      result.floorGcm.push(floorGcm);
      result.fullBare.push(bare.timed);
      result.bareSamples.push(bare.sample);
      console.log(`N=${n} rep ${rep + 1} (load ${load}):`);
      console.log(`  floor ${show(floorDefault)} | floor gcm ${show(floorGcm)}`);
      console.log(`  full  ${show(plan.timed)} | full without commands ${show(bare.timed)}`);
      console.log(`  pull  ${show(pulled.timed)}`);
    }
    results.push(result);
  }

  const walls = (list: readonly Timed[]): number[] => list.map((timed) => timed.wallMs);
  const mm = (list: readonly Timed[]): string => `${ms(median(walls(list)))} / ${ms(min(walls(list)))}`;
  const ratio = (a: readonly Timed[], b: readonly Timed[]): string =>
    `${(median(walls(a)) / median(walls(b))).toFixed(2)}×`;
  const cpu = (list: readonly Timed[]): string =>
    `${ms(median(list.map((t) => t.cpu.controllerMs)))} / ${ms(median(list.map((t) => t.cpu.machineMs)))}`;
  console.log(
    `\nFan-out of a ${(pkg.size / 1e6).toFixed(1)} MB package, ms as median / min of ${reps} (target: full ≤ ${TARGET_RATIO}× floor)\n`,
  );
  console.log(
    table(
      [
        'N',
        `floor (${opensshDefault})`,
        `floor (${GCM})`,
        'full (plan)',
        'full (no cmds)',
        'pull (plan)',
        'full/floor',
        'full/floor-gcm',
        'no-cmds/floor',
        'target',
      ],
      results.map((r) => {
        const worst = Math.max(
          median(walls(r.full)) / median(walls(r.floorDefault)),
          median(walls(r.full)) / median(walls(r.floorGcm)),
        );
        return [
          String(r.n),
          mm(r.floorDefault),
          mm(r.floorGcm),
          mm(r.full),
          mm(r.fullBare),
          mm(r.pull),
          ratio(r.full, r.floorDefault),
          ratio(r.full, r.floorGcm),
          ratio(r.fullBare, r.floorDefault),
          worst <= TARGET_RATIO ? 'met' : 'MISSED',
        ];
      }),
    ),
  );
  console.log(
    '\nCPU time, ms (median): controller (node, or the ssh clients of the floor) / whole machine (all CPUs, includes other load)\n',
  );
  console.log(
    table(
      ['N', 'floor', 'floor gcm', 'full (plan)', 'full (no cmds)', 'pull (plan)'],
      results.map((r) => [
        String(r.n),
        cpu(r.floorDefault),
        cpu(r.floorGcm),
        cpu(r.full),
        cpu(r.fullBare),
        cpu(r.pull),
      ]),
    ),
  );
  const firstResult = results[0];
  if (firstResult !== undefined && results.length > 1) {
    const modes: [string, (r: SizeResult) => readonly Timed[]][] = [
      ['floor', (r) => r.floorDefault],
      ['full (stream)', (r) => r.full],
      ['pull', (r) => r.pull],
    ];
    console.log(
      `\nGrowth with the host count: median wall ms (× the N=${firstResult.n} figure); controller CPU s (median)\n`,
    );
    console.log(
      table(
        ['mode', ...results.map((r) => `N=${r.n} wall`), ...results.map((r) => `N=${r.n} cpu s`)],
        modes.map(([label, pick]) => {
          const baseWall = median(walls(pick(firstResult)));
          return [
            label,
            ...results.map((r) => {
              const wall = median(walls(pick(r)));
              return `${ms(wall)} (${(wall / baseWall).toFixed(2)}×)`;
            }),
            ...results.map((r) => (median(pick(r).map((t) => t.cpu.controllerMs)) / 1000).toFixed(2)),
          ];
        }),
      ),
    );
  }
  for (const r of results) {
    for (const [label, samples] of [
      ['with the small plan', r.samples],
      ['without commands', r.bareSamples],
      ['by transfer: pull', r.pullSamples],
    ] as const) {
      console.log(`\nN=${r.n}, full release ${label}: where the time goes (ms over all hosts and runs)\n`);
      console.log(table(['', 'median', 'max'], stageRows(samples)));
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
