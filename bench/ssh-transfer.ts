/**
 * `node bench/ssh-transfer.ts`: how to move a ~20 MB release package to loopback sshd hosts, and what the
 * SSH layer costs. Prints tables of figures; asserts nothing.
 *
 * 1. Transfer + unpack to 1 and to 10 hosts at once (connections already open): stream into `tar -x`
 *    through exec stdin, SFTP (fastPut and a plain write stream) + `tar -xzf`, SCP + `tar -xzf`; the same
 *    uploads without unpacking; stream including a fresh connection; and OpenSSH's own
 *    `ssh … 'tar -xzf -' < pkg` per host (its own handshake included) as the floor.
 * 2. Throughput per cipher, up (exec stdin → /dev/null) and down (/dev/zero → stdout), and whether ssh2's
 *    native crypto binding is loaded (it is not, unless built for this Node).
 * 3. Latency: one exec round trip on a reused connection, a new connection (TCP + kex + auth), an SFTP
 *    session, and OpenSSH's `ssh host true`.
 *
 * Environment: BENCH_REPS (default 3), BENCH_HOSTS (default 1,10), BENCH_SECTIONS (transfer,ciphers,latency).
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HostEntry } from '../src/config/types.ts';
import { shellQuote } from '../src/executors/shell-quote.ts';
import { PREFERRED_CIPHERS, type SshCipher } from '../src/executors/ssh-algorithms.ts';
import { DEFAULT_SSH_TUNING, openSshConnection } from '../src/executors/ssh-connect.ts';
import type { SshConnection } from '../src/executors/ssh-connection.ts';
import { sshExecutor } from '../src/executors/ssh-executor.ts';
import { openSftp, sftpFastPut, sftpStreamPut } from '../src/executors/sftp-upload.ts';
import type { ConnectOptions, Executor } from '../src/executors/types.ts';
import { startSshdFleet, type SshdFleet } from '../test/helpers/sshd.ts';
import { measureFloor } from './fanout-floor.ts';
import { buildBenchPackage } from './fanout-package.ts';
import { median, min, ms, table } from './fanout-stats.ts';

const runFile = promisify(execFile);

function numbers(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined || value.trim() === '') return fallback;
  return value
    .split(',')
    .map((part) => Number(part.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

const reps = numbers(process.env.BENCH_REPS, [3])[0] ?? 3;
const fleetSizes = numbers(process.env.BENCH_HOSTS, [1, 10]);
const sections = new Set((process.env.BENCH_SECTIONS ?? 'transfer,ciphers,latency').split(','));

let fleet: SshdFleet | undefined;
let work: string | undefined;
const connections: SshConnection[] = [];

async function cleanup(): Promise<void> {
  await Promise.allSettled(connections.map((connection) => connection.close()));
  await fleet?.stop().catch((error: unknown) => {
    console.error('stopping the sshd fleet failed:', error);
  });
  if (work !== undefined) await rm(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

/** Whether ssh2 loaded its native crypto binding (ChaCha20-Poly1305 and AES-GCM in C++). */
function ssh2NativeBinding(): boolean {
  const crypto: unknown = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js');
  return (
    typeof crypto === 'object' && crypto !== null && 'bindingAvailable' in crypto && crypto.bindingAvailable === true
  );
}

function connectOptions(active: SshdFleet): ConnectOptions {
  return { privateKey: active.privateKey, defaultUser: active.user, acceptNewHostKeys: false, readyTimeoutMs: 20_000 };
}

async function connect(
  host: HostEntry,
  active: SshdFleet,
  ciphers: readonly SshCipher[] = PREFERRED_CIPHERS,
): Promise<SshConnection> {
  const connection = await openSshConnection(host, connectOptions(active), { ...DEFAULT_SSH_TUNING, ciphers });
  connections.push(connection);
  return connection;
}

async function mustSucceed(
  executor: Executor,
  command: string,
  options: Parameters<Executor['exec']>[1] = {},
): Promise<void> {
  let stderr = '';
  const result = await executor.exec(command, { ...options, onStderr: (chunk) => (stderr += chunk) });
  if (result.exitCode !== 0) throw new Error(`${command} failed (${result.exitCode ?? result.signal}): ${stderr}`);
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function emptyDeployDirs(active: SshdFleet): Promise<void> {
  await Promise.all(
    active.hosts.map(async (host) => {
      for (const name of await readdir(host.deployTo))
        await rm(join(host.deployTo, name), { recursive: true, force: true });
    }),
  );
  await runFile('sync');
}

interface Target {
  host: HostEntry;
  deployTo: string;
  connection: SshConnection;
  executor: Executor;
}

type Method = (target: Target, pkg: string, active: SshdFleet) => Promise<void>;

const unpackTo = (dir: string): string => `mkdir -p ${shellQuote(dir)} && tar -xzf - -C ${shellQuote(dir)}`;
const unpackFile = (file: string, dir: string): string =>
  `mkdir -p ${shellQuote(dir)} && tar -xzf ${shellQuote(file)} -C ${shellQuote(dir)}`;

const methods: [string, Method][] = [
  [
    'stream → tar -x (exec stdin)',
    async (t, pkg) => mustSucceed(t.executor, unpackTo(join(t.deployTo, 'r')), { stdin: createReadStream(pkg) }),
  ],
  [
    'sftp fastPut + tar -xzf',
    async (t, pkg) => {
      await t.executor.putFile(pkg, join(t.deployTo, 'p.tgz'), { method: 'sftp' });
      await mustSucceed(t.executor, unpackFile(join(t.deployTo, 'p.tgz'), join(t.deployTo, 'r')));
    },
  ],
  [
    'sftp write stream + tar -xzf',
    async (t, pkg) => {
      const sftp = await openSftp(t.connection);
      await sftpStreamPut(sftp, t.connection, pkg, join(t.deployTo, 'p.tgz'));
      sftp.end();
      await mustSucceed(t.executor, unpackFile(join(t.deployTo, 'p.tgz'), join(t.deployTo, 'r')));
    },
  ],
  [
    'scp + tar -xzf',
    async (t, pkg) => {
      await t.executor.putFile(pkg, join(t.deployTo, 'p.tgz'), { method: 'scp' });
      await mustSucceed(t.executor, unpackFile(join(t.deployTo, 'p.tgz'), join(t.deployTo, 'r')));
    },
  ],
  [
    'upload only: stream → cat > file',
    async (t, pkg) =>
      mustSucceed(t.executor, `cat > ${shellQuote(join(t.deployTo, 'p.tgz'))}`, { stdin: createReadStream(pkg) }),
  ],
  [
    'upload only: sftp fastPut',
    async (t, pkg) => {
      const sftp = await openSftp(t.connection);
      await sftpFastPut(sftp, t.connection, pkg, join(t.deployTo, 'p.tgz'));
      sftp.end();
    },
  ],
  ['upload only: scp', async (t, pkg) => t.executor.putFile(pkg, join(t.deployTo, 'p.tgz'), { method: 'scp' })],
  [
    'new connection + stream → tar -x',
    async (t, pkg, active) => {
      const connection = await openSshConnection(t.host, connectOptions(active));
      try {
        await mustSucceed(sshExecutor(connection), unpackTo(join(t.deployTo, 'r')), { stdin: createReadStream(pkg) });
      } finally {
        await connection.close();
      }
    },
  ],
];

async function transferSection(active: SshdFleet, pkg: string): Promise<void> {
  const rows: string[][] = [];
  const entries = active.hostEntries();
  const targets: Target[] = [];
  for (const host of entries) {
    const connection = await connect(host, active);
    targets.push({ host, deployTo: host.deployTo ?? '', connection, executor: sshExecutor(connection) });
  }
  // Warm-up (not counted): page cache, sshd and shell start-up, JIT.
  await emptyDeployDirs(active);
  const warmUp = methods[0]?.[1];
  if (warmUp !== undefined) await Promise.all(targets.map((target) => warmUp(target, pkg, active)));
  for (const size of fleetSizes) {
    const chosen = targets.slice(0, size);
    for (const [label, method] of methods) {
      const samples: number[] = [];
      for (let rep = 0; rep < reps; rep += 1) {
        await emptyDeployDirs(active);
        samples.push(await timed(() => Promise.all(chosen.map((target) => method(target, pkg, active)))));
      }
      rows.push([String(size), label, ms(median(samples)), ms(min(samples))]);
    }
    const floor: number[] = [];
    for (let rep = 0; rep < reps; rep += 1) {
      await emptyDeployDirs(active);
      floor.push(
        await measureFloor(
          chosen.map((target) => ({ port: target.host.port, dir: join(target.deployTo, 'r') })),
          { user: active.user, privateKeyPath: active.privateKeyPath, packagePath: pkg },
        ),
      );
    }
    rows.push([String(size), 'floor: OpenSSH ssh … tar -xzf - (own handshake)', ms(median(floor)), ms(min(floor))]);
  }
  console.log(`\nTransfer + unpack of the package, all hosts at once (median / min of ${reps}, ms)`);
  console.log(table(['hosts', 'method', 'median', 'min'], rows));
}

async function cipherSection(active: SshdFleet): Promise<void> {
  const host = active.hostEntries()[0];
  if (host === undefined) return;
  const megabytes = 64;
  const payload = Buffer.alloc(megabytes << 20, 7);
  const rows: string[][] = [];
  for (const cipher of [
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'aes128-ctr',
    'aes256-ctr',
    'chacha20-poly1305@openssh.com',
  ] as const) {
    const connection = await connect(host, active, [cipher]);
    const executor = sshExecutor(connection);
    await mustSucceed(executor, 'cat > /dev/null', { stdin: payload.subarray(0, 1 << 20) });
    const up: number[] = [];
    const down: number[] = [];
    for (let rep = 0; rep < reps; rep += 1) {
      up.push(await timed(() => mustSucceed(executor, 'cat > /dev/null', { stdin: payload })));
      let received = 0;
      down.push(
        await timed(() =>
          mustSucceed(executor, `head -c ${megabytes}M /dev/zero`, { onStdout: (chunk) => (received += chunk.length) }),
        ),
      );
      if (received !== megabytes << 20) throw new Error(`received ${received} bytes`);
    }
    const rate = (elapsed: number): string => (megabytes / (elapsed / 1000)).toFixed(0);
    rows.push([cipher, rate(median(up)), rate(median(down))]);
    await connection.close();
  }
  console.log(
    `\nThroughput per cipher over one connection, ${megabytes} MB (MB/s, median of ${reps}); native binding: ${ssh2NativeBinding() ? 'yes' : 'no'}`,
  );
  console.log(table(['cipher', 'upload', 'download'], rows));
}

async function latencySection(active: SshdFleet): Promise<void> {
  const host = active.hostEntries()[0];
  const sshd = active.hosts[0];
  if (host === undefined || sshd === undefined) return;
  const connection = await connect(host, active);
  const executor = sshExecutor(connection);
  for (let warm = 0; warm < 20; warm += 1) await mustSucceed(executor, 'true');
  const execs: number[] = [];
  for (let rep = 0; rep < 200; rep += 1) execs.push(await timed(() => mustSucceed(executor, 'true')));
  const handshakes: number[] = [];
  for (let rep = 0; rep < 20; rep += 1) {
    handshakes.push(await timed(async () => (await openSshConnection(host, connectOptions(active))).close()));
  }
  const sftpSessions: number[] = [];
  for (let rep = 0; rep < 20; rep += 1)
    sftpSessions.push(
      await timed(async () => {
        (await openSftp(connection)).end();
      }),
    );
  const openssh: number[] = [];
  const args = [
    '-F',
    '/dev/null',
    '-i',
    active.privateKeyPath,
    '-p',
    String(sshd.port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    `${active.user}@127.0.0.1`,
    'true',
  ];
  for (let rep = 0; rep < 10; rep += 1) openssh.push(await timed(() => runFile('ssh', args)));
  const fmt = (values: number[]): string => (values.length === 0 ? '-' : median(values).toFixed(2));
  console.log('\nLatency (ms, median)');
  console.log(
    table(
      ['what', 'median', 'min'],
      [
        ['exec `true`, reused connection (200×)', fmt(execs), min(execs).toFixed(2)],
        ['new connection: tcp + kex + auth + close (20×)', fmt(handshakes), min(handshakes).toFixed(2)],
        ['open an SFTP session on it (20×)', fmt(sftpSessions), min(sftpSessions).toFixed(2)],
        ['OpenSSH `ssh host true`, process + handshake (10×)', fmt(openssh), min(openssh).toFixed(2)],
      ],
    ),
  );
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-transfer-'));
  console.log(`node ${process.version}; ssh2 native binding: ${ssh2NativeBinding() ? 'loaded' : 'not loaded'}`);
  const hosts = Math.max(1, ...fleetSizes);
  const active = await startSshdFleet(sections.has('transfer') ? hosts : 1, { prefix: 'ym-bench-transfer-sshd-' });
  fleet = active;
  if (sections.has('transfer')) {
    console.log('building the package…');
    const pkg = await buildBenchPackage(join(work, 'pkgs'), '1.0.0');
    console.log(
      `package: ${(pkg.size / 1e6).toFixed(1)} MB tar.gz, ${pkg.files} files, ${(pkg.rawSize / 1e6).toFixed(1)} MB unpacked`,
    );
    await transferSection(active, pkg.path);
  }
  if (sections.has('ciphers')) await cipherSection(active);
  if (sections.has('latency')) await latencySection(active);
}

try {
  await main();
} finally {
  await cleanup();
}
