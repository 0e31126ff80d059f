/**
 * Real OpenSSH servers on loopback for integration tests, benchmarks and `yardmaster testdrive`: N sshd instances, each with its own
 * port, host key, config and deploy directory, all accepting one client key for one plain (non-root) user.
 */
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { HostEntry } from '../config/types.ts';
import { freePorts } from '../lib/free-port.ts';
import { signalProcessTree, terminateProcessTree } from './process-tree.ts';
import { generateKeyPair } from './ssh-keys.ts';
import { spawnSshd, waitForBanner, type SshdProcess } from './sshd-process.ts';
import { ensureTestUser, type TestUser } from './test-user.ts';

export { ensureTestUser, type TestUser } from './test-user.ts';
export { generateKeyPair, publicKeyFingerprint, type KeyPair } from './ssh-keys.ts';

export interface SshdHost {
  /** `host-1`, `host-2`, … */
  name: string;
  port: number;
  /** An empty directory owned by the login user, for releases. */
  deployTo: string;
  /** OpenSSH fingerprint of this server's ed25519 host key, `SHA256:…`. */
  hostKeyFingerprint: string;
  /** Pid of the listening (master) sshd. */
  readonly pid: number;
  /**
   * Simulates the server dying: sends `signal` (default SIGKILL) to the master sshd and every descendant
   * (per-connection sshd processes and the commands they run), so open connections break too.
   * SIGSTOP freezes the host instead: connections stay open but nothing answers.
   */
  kill(signal?: NodeJS.Signals): void;
  /** Kills whatever is left of this server and starts it again on the same port with the same host key. */
  restart(): Promise<void>;
}

export interface SshdFleet {
  /** The login user. */
  user: string;
  privateKey: Buffer;
  privateKeyPath: string;
  /** The client's authorized_keys line. */
  publicKey: string;
  /** The temporary directory holding everything; removed by `stop`. */
  root: string;
  hosts: SshdHost[];
  /** Config host entries with pinned host keys, executor `ssh`. */
  hostEntries(): HostEntry[];
  /** Stops every server and removes `root`. */
  stop(): Promise<void>;
}

export interface SshdFleetOptions {
  /** More sshd_config lines for every instance. */
  extraConfig?: readonly string[];
  /** Prefix of the temporary root directory's name. */
  prefix?: string;
}

function sshdConfig(lines: { port: number; dir: string; authorizedKeys: string; extra: readonly string[] }): string {
  return [
    `Port ${lines.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(lines.dir, 'host_key')}`,
    `PidFile ${join(lines.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${lines.authorizedKeys}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'MaxStartups 200',
    'MaxSessions 50',
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
    'PrintMotd no',
    'UseDNS no',
    ...lines.extra,
    '',
  ].join('\n');
}

async function prepareSshdRuntime(): Promise<void> {
  // sshd refuses to start without its privilege separation directory.
  try {
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  } catch (error) {
    if (process.getuid?.() === 0) throw error;
  }
}

interface HostSetup {
  name: string;
  dir: string;
  deployTo: string;
  hostKeyFingerprint: string;
}

async function prepareHost(root: string, index: number, user: TestUser): Promise<HostSetup> {
  const name = `host-${index + 1}`;
  const dir = join(root, name);
  const deployTo = join(dir, 'deploy');
  await mkdir(deployTo, { recursive: true });
  await chmod(dir, 0o755);
  if (process.getuid?.() === 0) await chown(deployTo, user.uid, user.gid);
  const hostKey = await generateKeyPair(join(dir, 'host_key'), `${name}-host-key`);
  return { name, dir, deployTo, hostKeyFingerprint: hostKey.fingerprint };
}

/** Starts sshd on `port` (writing its config first); on a lost port race, tries again on a new port. */
async function startOnFreePort(
  setup: HostSetup,
  firstPort: number,
  configFor: (port: number) => string,
): Promise<{ port: number; sshd: SshdProcess; configPath: string }> {
  const configPath = join(setup.dir, 'sshd_config');
  let port = firstPort;
  for (let attempt = 0; ; attempt += 1) {
    await writeFile(configPath, configFor(port));
    const sshd = spawnSshd(configPath);
    try {
      await waitForBanner(port, sshd);
      return { port, sshd, configPath };
    } catch (error) {
      sshd.child.kill('SIGKILL');
      if (attempt >= 3) throw error;
      const [next] = await freePorts(1);
      if (next === undefined) throw error;
      port = next;
    }
  }
}

function makeHost(
  setup: HostSetup,
  started: { port: number; sshd: SshdProcess; configPath: string },
): SshdHost & { shutdown(): Promise<void> } {
  let sshd = started.sshd;
  const { port, configPath } = started;
  const killTree = (signal: NodeJS.Signals): void => {
    signalProcessTree(sshd.pid, signal);
  };
  const shutdown = async (): Promise<void> => {
    await terminateProcessTree(sshd.pid);
    const gone = await Promise.race([sshd.exited.then(() => true), delay(3000).then(() => false)]);
    killTree('SIGKILL');
    if (!gone) await sshd.exited;
  };
  return {
    name: setup.name,
    port,
    deployTo: setup.deployTo,
    hostKeyFingerprint: setup.hostKeyFingerprint,
    get pid() {
      return sshd.pid;
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      killTree(signal);
    },
    async restart() {
      killTree('SIGKILL');
      await sshd.exited;
      const next = spawnSshd(configPath);
      await waitForBanner(port, next);
      sshd = next;
    },
    shutdown,
  };
}

/**
 * Starts `count` sshd instances in parallel, each on a free loopback port with its own ed25519 host key
 * and deploy directory, all accepting one fresh client key. As root the login user is `ymdeploy` (created
 * on demand) and deploy directories belong to it; otherwise sshd runs as, and logs in, the current user.
 */
export async function startSshdFleet(count: number, options: SshdFleetOptions = {}): Promise<SshdFleet> {
  const [user] = await Promise.all([ensureTestUser(), prepareSshdRuntime()]);
  const root = await mkdtemp(join(tmpdir(), options.prefix ?? 'ym-sshd-'));
  // The login user must reach its deploy directories below the root.
  await chmod(root, 0o755);
  const hosts: (SshdHost & { shutdown(): Promise<void> })[] = [];
  try {
    const authorizedKeys = join(root, 'authorized_keys');
    const [clientKey, ports, setups] = await Promise.all([
      generateKeyPair(join(root, 'client_key'), 'yardmaster-test-client'),
      freePorts(count),
      Promise.all(Array.from({ length: count }, (_, index) => prepareHost(root, index, user))),
    ]);
    // sshd reads authorized_keys with the login user's privileges.
    await writeFile(authorizedKeys, `${clientKey.publicKey}\n`, { mode: 0o644 });
    const extra = options.extraConfig ?? [];
    const results = await Promise.allSettled(
      setups.map(async (setup, index) => {
        const port = ports[index];
        if (port === undefined) throw new Error('not enough free ports');
        const started = await startOnFreePort(setup, port, (p) =>
          sshdConfig({ port: p, dir: setup.dir, authorizedKeys, extra }),
        );
        const host = makeHost(setup, started);
        hosts.push(host);
        return host;
      }),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    hosts.sort((a, b) => Number(a.name.slice(5)) - Number(b.name.slice(5)));
    return {
      user: user.name,
      privateKey: clientKey.privateKey,
      privateKeyPath: clientKey.privateKeyPath,
      publicKey: clientKey.publicKey,
      root,
      hosts,
      hostEntries: () =>
        hosts.map((host) => ({
          name: host.name,
          address: '127.0.0.1',
          port: host.port,
          user: user.name,
          hostKey: host.hostKeyFingerprint,
          deployTo: host.deployTo,
          executor: 'ssh' as const,
        })),
      stop: async () => {
        await Promise.all(hosts.map((host) => host.shutdown()));
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(hosts.map((host) => host.shutdown()));
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
